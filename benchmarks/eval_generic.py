"""Adapter for a main-text evaluation set's scorer: newsbite's generic extractor, page by page.

Reads `path<TAB>url` lines on stdin and prints one JSON line per input line, in order:
`{"url": "<same url>", "body": ["paragraph", ...]}`, or `"body": null` when the page could not
be read or extracted (a failing page never stops the run). This is the `--batch-cmd` protocol of
the development set's score.py (trafilatura's own benchmark, re-packaged). Run it from the
project root, giving the path of the set's scorer (the dev copy here; a larger set works alike):

    python /work/shared/eval-dev/score.py \
        --batch-cmd 'python benchmarks/eval_generic.py' --trafilatura

`--trafilatura` scores trafilatura 2.x (standard settings) in the same run, for the speed ratio;
`--worst K` lists the pages with the most errors. The project itself never needs the set.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from newsbite.extract.generic import extract_body  # noqa: E402


def main() -> int:
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        if not line:
            continue
        path, _, url = line.partition("\t")
        body: list[str] | None
        try:
            body = extract_body(Path(path).read_bytes(), url if "://" in url else None)
        except Exception:  # extract_body does not raise; reading the file may
            body = None
        print(json.dumps({"url": url, "body": body or None}))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
