"""Accuracy and speed of `newsbite extract --batch` beside trafilatura, in the same run.

    python benchmarks/eval_generic.py                  # the whole development set
    python benchmarks/eval_generic.py --limit 20       # a few seconds: what CI runs
    python benchmarks/eval_generic.py --worst 20       # and the pages with the most errors

Runs the evaluation set's own scorer (score.py beside the set: trafilatura's benchmark,
re-packaged) on two extractors over the same decompressed pages:

- `newsbite extract --batch`, a subprocess fed every page as "path<TAB>url" lines: the crawl's
  whole chain (parser choice, generic extractor, normalisers, validation), start-up included;
- `trafilatura.extract` 2.x in the scorer's process, with the benchmark's standard settings.

It prints the scorer's lines, then F1 of both, the pages/s ratio (newsbite / trafilatura) and
each goal met or missed. The set is not part of the project: `--eval-dir` names it (default:
../shared/eval-dev beside the checkout). Speed is wall time on a possibly shared machine:
compare ratios from one run, not pages/s between runs.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT.parent / "shared" / "eval-dev"
GOAL_F1 = 0.945  # issue 10, on the development set (the held-out set decides)
GOAL_SPEED_RATIO = 1.0  # pages/s of newsbite extract --batch over trafilatura.extract

_OURS = re.compile(r"^precision \S+ recall \S+ F1 (?P<f1>[\d.]+) pages \d+ pages/s (?P<ps>[\d.]+)")
_THEIRS = re.compile(r"(?P<name>trafilatura [^|]*?) F1 (?P<f1>[\d.]+) pages/s (?P<ps>[\d.]+)")
_RATIO = re.compile(r"ratio_speed (?P<ratio>[\d.]+)")


def batch_command() -> str:
    """`newsbite extract --batch` from this environment (the console script when installed)."""
    script = shutil.which("newsbite")
    if script:
        return f"{shlex.quote(script)} extract --batch --quiet"
    code = "import sys; from newsbite.cli import main; sys.exit(main())"
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)} extract --batch --quiet"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_SET, help="the set (score.py)")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--worst", type=int, default=0, help="list the K worst pages")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for the batch")
    args = parser.parse_args(argv)
    scorer = args.eval_dir / "score.py"
    if not scorer.is_file():
        print(f"eval_generic: no evaluation set at {args.eval_dir} (score.py)", file=sys.stderr)
        return 2
    command = [sys.executable, str(scorer), "--batch-cmd", batch_command(), "--trafilatura"]
    command += ["--timeout", str(args.timeout)]
    if args.limit:
        command += ["--limit", str(args.limit)]
    if args.worst:
        command += ["--worst", str(args.worst)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    sys.stderr.write(done.stderr)
    print(done.stdout, end="")
    if done.returncode != 0:
        return done.returncode
    return summary(done.stdout.strip().splitlines()[-1])


def summary(last_line: str) -> int:
    """F1 of both, the speed ratio and the goals, from the scorer's last line."""
    ours, theirs, ratio = (
        _OURS.search(last_line),
        _THEIRS.search(last_line),
        _RATIO.search(last_line),
    )
    if not (ours and theirs and ratio):
        print(f"eval_generic: cannot read the scorer's summary: {last_line!r}", file=sys.stderr)
        return 1
    f1, speed = float(ours["f1"]), float(ratio["ratio"])
    print(f"newsbite extract --batch  F1 {f1:.4f}  {float(ours['ps']):.1f} pages/s")
    print(f"{theirs['name']:<25} F1 {float(theirs['f1']):.4f}  {float(theirs['ps']):.1f} pages/s")
    print(f"speed ratio newsbite/trafilatura: {speed:.2f}")
    print(f"goal F1 >= {GOAL_F1}: {'met' if f1 >= GOAL_F1 else 'MISSED'}")
    print(f"goal speed >= {GOAL_SPEED_RATIO}x: {'met' if speed >= GOAL_SPEED_RATIO else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
