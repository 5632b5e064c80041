"""`newsbite`: the console script. Each subcommand is a module of this package with
`add_arguments(parser)` and `run(args) -> int`, imported only when it is asked for, so
`newsbite extract` never imports what `newsbite report` needs.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from newsbite import exitcodes

# name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("newsbite.cli.extract", "extract a story from saved pages, without a crawl"),
    "merge": ("newsbite.cli.merge", "merge JSONL feeds: one line per story id, newest version"),
    "report": ("newsbite.cli.report", "build the HTML crawl report from JSONL feeds"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and USAGE, as every newsbite command
        self.exit(exitcodes.USAGE, f"{self.prog}: {message}\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _Parser(prog="newsbite", description="newsbite: news extraction on Scrapy")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    modules = {}
    wanted = argv[0] if argv else None
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == wanted:  # only the chosen command's module is imported
            modules[name] = importlib.import_module(module_name)
            modules[name].add_arguments(sub)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return exitcodes.USAGE
    return int(modules[args.command].run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
