"""newsbite's speed and memory, measured side by side with a baseline, in one command.

    python benchmarks/run.py            # the full table (~2,000-story crawls, 10k/50k memory)
    python benchmarks/run.py --small    # a quick run of every row (what CI checks works)

Rows (absolute numbers depend on the machine; the ratios are what to compare between commits):

crawl    `scrapy crawl theaustralian -a sources=sitemap` against the news-site simulator
         (newsbite.testing.simulator, its own process) beside a bare Scrapy SitemapSpider that
         reads only the headline, on the same site, same concurrency (16), AutoThrottle off,
         robots.txt on; stories per second of spider time. Goal >= 0.8x.
parse    what a crawl does with each downloaded story page (one classification, the parser
         generation, normalisers, validation) on every bundled News Corp story page, real
         saved pages and synthetic ones, beside `trafilatura.extract` on the same pages, pages
         per second; each kind's ratio is shown apart. Goal >= 5x.
generic  `newsbite extract --batch` beside trafilatura on the development evaluation set
         (benchmarks/eval_generic.py; skipped when ../shared/eval-dev is absent). Goal >= 1.0x.
memory   peak RSS of newsbite crawls of 10,000 and 50,000 simulated stories (--small: 1,000 and
         3,000); the growth must stay under 50 MB.

Every child runs in this process's group and is ended on exit. Results are written to
benchmarks/results/latest.json (or --json PATH).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
EVAL_DIR = ROOT.parent / "shared" / "eval-dev"
CONCURRENCY = 16
NCA_SITES = ("theaustralian", "couriermail", "heraldsun")
GOALS = {"crawl": 0.8, "parse": 5.0, "generic": 1.0}
MEMORY_GROWTH_MB = 50.0

FULL = {"crawl_stories": 2000, "memory_stories": (10_000, 50_000), "rounds": 10, "limit": None}
SMALL = {"crawl_stories": 300, "memory_stories": (1_000, 3_000), "rounds": 2, "limit": 30}

# The bare Scrapy baseline: sitemaps from robots.txt, one CSS read per story, a JSON Lines feed.
BARE_SPIDER = """
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.spiders import SitemapSpider

settings, stats_file = json.loads(sys.argv[1]), sys.argv[2]

class Bare(SitemapSpider):
    name = "bare"
    sitemap_urls = ["https://www.theaustralian.com.au/robots.txt"]
    sitemap_rules = [("/news-story/", "parse_story")]

    def parse_story(self, response):
        yield {"url": response.url, "headline": response.css("h1::text").get()}

process = CrawlerProcess(settings)
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
         for k, v in crawler.stats.get_stats().items()}
open(stats_file, "w").write(json.dumps(stats))
"""


@dataclass
class Row:
    name: str
    ours: float | None = None  # newsbite's rate (or peak RSS in MB for memory)
    theirs: float | None = None  # the baseline's
    unit: str = ""
    ratio: float | None = None
    goal: float | None = None
    met: bool | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


# --- children ----------------------------------------------------------------------------------


class Simulator:
    """`python -m newsbite.testing.simulator` in its own process (so its CPU and memory are
    not the crawler's)."""

    def __init__(self, stories: int) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsbite.testing.simulator",
                "--stories",
                str(stories),
                "--publishers",
                "theaustralian",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        match = re.search(r"NEWSBITE_HOST_MAP=(\S+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.host_map = match.group(1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def child_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "SCRAPY_SETTINGS_MODULE": "newsbite.settings",
    }


@dataclass
class ChildRun:
    returncode: int
    stats: dict[str, Any]
    peak_rss_mb: float
    wall: float
    stderr: str


def run_child(cmd: list[str], stats_file: Path, timeout: float) -> ChildRun:
    """Run a crawl, wait for it with wait4 (its own peak RSS, not the largest child's)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = start + timeout
    status, usage = 0, None
    err_chunks: list[bytes] = []
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    while True:
        chunk = proc.stderr.read()
        if chunk:
            err_chunks.append(chunk[-20000:])
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    stats = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
    stderr = b"".join(err_chunks).decode(errors="replace")[-4000:]
    return ChildRun(proc.returncode, stats, usage.ru_maxrss / 1024 if usage else 0.0, wall, stderr)


def crawl_settings(host_map: str, feed: Path, stats_file: Path) -> dict[str, Any]:
    return {
        "NEWSBITE_HOST_MAP": host_map,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": CONCURRENCY,
        "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "FEEDS": {str(feed): {"format": "jsonlines", "encoding": "utf8", "overwrite": True}},
        "NEWSBITE_STATS_FILE": str(stats_file),
    }


def newsbite_crawl(host_map: str, tmp: Path, tag: str, timeout: float) -> ChildRun:
    stats_file = tmp / f"{tag}-stats.json"
    settings = {
        **crawl_settings(host_map, tmp / f"{tag}.jsonl", stats_file),
        "NEWSBITE_RENDER": "never",
        "NEWSBITE_PROGRESS": False,
        "NEWSBITE_REPORT": False,
        "NEWSBITE_EXPECT_ITEMS": False,
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "theaustralian", "-a", "sources=sitemap"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return run_child(cmd, stats_file, timeout)


def bare_crawl(host_map: str, tmp: Path, timeout: float) -> ChildRun:
    stats_file = tmp / "bare-stats.json"
    settings = {
        **crawl_settings(host_map, tmp / "bare.jsonl", stats_file),
        "ROBOTSTXT_OBEY": True,
        # The same host routing as newsbite's crawl: both ask the same simulated site.
        "DOWNLOADER_MIDDLEWARES": {"newsbite.middlewares.hostmap.HostMapMiddleware": 960},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    settings.pop("NEWSBITE_STATS_FILE")
    script = tmp / "bare_spider.py"  # a file: Scrapy reads a callback's source (inspect)
    script.write_text(BARE_SPIDER, "utf-8")
    cmd = [sys.executable, str(script), json.dumps(settings), str(stats_file)]
    return run_child(cmd, stats_file, timeout)


def rate(run: ChildRun) -> tuple[int, float]:
    """(stories written, stories per second of spider time)."""
    items = int(run.stats.get("item_scraped_count", 0))
    elapsed = float(run.stats.get("elapsed_time_seconds") or run.wall)
    return items, items / elapsed if elapsed else 0.0


# --- rows --------------------------------------------------------------------------------------


def crawl_row(stories: int, tmp: Path) -> Row:
    with Simulator(stories) as sim:
        bare = bare_crawl(sim.host_map, tmp, timeout=1800)
        ours = newsbite_crawl(sim.host_map, tmp, "crawl", timeout=1800)
    bare_items, bare_rate = rate(bare)
    our_items, our_rate = rate(ours)
    note = ""
    if our_items != bare_items:
        note = f"stories written: newsbite {our_items}, bare {bare_items}"
    for name, run in (("newsbite", ours), ("bare", bare)):
        if run.returncode != 0 and not run.stats:
            note += f" {name} crawl failed (exit {run.returncode}): {run.stderr[-300:]}"
    return ratio_row(
        "crawl",
        our_rate,
        bare_rate,
        "stories/s",
        note.strip(),
        {
            "stories": stories,
            "newsbite_items": our_items,
            "bare_items": bare_items,
            "newsbite_peak_rss_mb": round(ours.peak_rss_mb, 1),
            "bare_peak_rss_mb": round(bare.peak_rss_mb, 1),
        },
    )


def story_pages() -> list[tuple[str, bytes, bool]]:
    """(url, bytes, real) of every bundled News Corp story page: the fixtures' pages.json
    manifests, story URLs only (robots.txt, feeds, sitemaps and topic pages are not stories).
    `real` marks pages saved from the publisher's site (meta.json "synthetic": false)."""
    from newsbite.publishers import for_url

    pages = []
    for site in NCA_SITES:
        for manifest in sorted((ROOT / "fixtures" / site).glob("*/pages/pages.json")):
            meta = json.loads((manifest.parent.parent / "meta.json").read_text("utf-8"))
            real = meta.get("synthetic") is False
            for entry in json.loads(manifest.read_text("utf-8")):
                path, url = entry.get("file"), entry["url"]
                publisher = for_url(url)
                if path and publisher is not None and publisher.is_story(url):
                    pages.append((url, (manifest.parent / path).read_bytes(), real))
    return pages


def timed(fn: Callable[[], object], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return time.perf_counter() - start


def crawl_page_work(url: str, body: bytes) -> bool:
    """What a crawl does with one downloaded story page, without the network: classify the
    response once (bot wall, shell, binary...), parse a readable one with its publisher's
    generation, run the normalisers and validation. True when a valid story came out."""
    from scrapy.http import HtmlResponse

    from newsbite import classify
    from newsbite.process import extract_selector

    headers = {"Content-Type": "text/html; charset=utf-8"}
    response = HtmlResponse(url, body=body, headers=headers)
    found = classify.classify(response)
    if not found.parsed:
        return False
    return extract_selector(url, found.selector).item is not None


def parse_row(rounds: int) -> Row:
    import trafilatura

    pages = story_pages()

    def rates(subset: list[tuple[str, bytes, bool]]) -> tuple[float, float, int]:
        def ours() -> int:
            return sum(crawl_page_work(url, body) for url, body, _ in subset)

        def theirs() -> int:
            return sum(bool(trafilatura.extract(body, url=url)) for url, body, _ in subset)

        made = ours()  # warm-up on both sides: imports, vocabularies, compiled schema
        theirs()
        n = len(subset) * rounds
        return n / timed(ours, rounds), n / timed(theirs, rounds), made

    our_rate, their_rate, made = rates(pages)
    detail: dict[str, Any] = {"pages": len(pages), "rounds": rounds, "items": made}
    # The synthetic pages are a few kB of markup; saved publisher pages carry the real
    # furniture (navigation, scripts, related stories). Each kind's ratio is shown apart.
    for kind, subset in (
        ("real", [p for p in pages if p[2]]),
        ("synthetic", [p for p in pages if not p[2]]),
    ):
        if subset:
            ours_k, theirs_k, _ = rates(subset)
            detail[kind] = {
                "pages": len(subset),
                "kb_per_page": round(sum(len(p[1]) for p in subset) / len(subset) / 1024, 1),
                "ours": round(ours_k, 1),
                "theirs": round(theirs_k, 1),
                "ratio": round(ours_k / theirs_k, 2),
            }
    note = "; ".join(
        f"{kind} pages ({d['pages']}, {d['kb_per_page']} kB avg): {d['ratio']}x"
        for kind, d in detail.items()
        if isinstance(d, dict)
    )
    return ratio_row("parse", our_rate, their_rate, "pages/s", note, detail)


def generic_row(limit: int | None) -> Row:
    script = ROOT / "benchmarks" / "eval_generic.py"
    if not (EVAL_DIR / "score.py").is_file():
        return Row("generic", note=f"skipped: no evaluation set at {EVAL_DIR}")
    cmd = [sys.executable, str(script), "--eval-dir", str(EVAL_DIR)]
    if limit:
        cmd += ["--limit", str(limit)]
    done = subprocess.run(cmd, cwd=ROOT, env=child_env(), capture_output=True, text=True)
    out = done.stdout
    ratio = _number(r"speed ratio newsbite/trafilatura \(CPU\): ([0-9.]+)", out)
    ours = _number(r"newsbite extract --batch\s+[0-9.]+ CPU s\s+([0-9.]+) pages/CPU s", out)
    theirs = _number(r"trafilatura\s+[0-9.]+ CPU s\s+([0-9.]+) pages/CPU s", out)
    f1 = _number(r"newsbite story\D*?F1 ([0-9.]+)", out)
    if ratio is None:
        tail = (done.stderr or out)[-300:]
        note = f"eval_generic.py gave no ratio (exit {done.returncode}): {tail}"
        return Row("generic", note=note)
    row = ratio_row("generic", ours, theirs, "pages/CPU s", "", {"limit": limit, "f1_story": f1})
    row.ratio = ratio  # the script's own CPU-time ratio
    row.met = ratio >= GOALS["generic"]
    return row


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def memory_row(sizes: tuple[int, int], tmp: Path) -> Row:
    peaks = {}
    items = {}
    for stories in sizes:
        with Simulator(stories) as sim:
            run = newsbite_crawl(sim.host_map, tmp, f"memory-{stories}", timeout=7200)
        peaks[stories] = run.peak_rss_mb
        items[stories] = rate(run)[0]
    small, large = sizes
    growth = peaks[large] - peaks[small]
    return Row(
        "memory",
        ours=round(peaks[large], 1),
        theirs=round(peaks[small], 1),
        unit="MB peak RSS",
        ratio=None,
        goal=MEMORY_GROWTH_MB,
        met=growth < MEMORY_GROWTH_MB,
        note=f"{large:,} vs {small:,} stories: +{growth:.1f} MB (goal < {MEMORY_GROWTH_MB:.0f} MB)",
        detail={
            "stories": list(sizes),
            "peak_rss_mb": {str(k): round(v, 1) for k, v in peaks.items()},
            "items": {str(k): v for k, v in items.items()},
            "growth_mb": round(growth, 1),
        },
    )


def ratio_row(
    name: str,
    ours: float | None,
    theirs: float | None,
    unit: str,
    note: str,
    detail: dict[str, Any],
) -> Row:
    ratio = ours / theirs if ours and theirs else None
    goal = GOALS[name]
    return Row(
        name,
        ours=round(ours, 2) if ours is not None else None,
        theirs=round(theirs, 2) if theirs is not None else None,
        unit=unit,
        ratio=round(ratio, 2) if ratio is not None else None,
        goal=goal,
        met=None if ratio is None else ratio >= goal,
        note=note,
        detail=detail,
    )


# --- output ------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    head = f"{'row':<8} {'newsbite':>10} {'baseline':>10} {'unit':<12} {'ratio':>6} {'goal':>6}"
    head += "  met"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        goal = (f"<{r.goal:.0f}MB" if r.name == "memory" else f">={r.goal}") if r.goal else "-"
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        ours = f"{r.ours:.1f}" if r.ours is not None else "-"
        theirs = f"{r.theirs:.1f}" if r.theirs is not None else "-"
        lines.append(
            f"{r.name:<8} {ours:>10} {theirs:>10} {r.unit:<12} {ratio:>6} {goal:>6}  {met}"
        )
        if r.note:
            lines.append(f"{'':<8} {r.note}")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick run of every row")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument(
        "--only", default="", help="comma-separated rows to run (crawl,parse,generic,memory)"
    )
    args = parser.parse_args(argv)
    plan = SMALL if args.small else FULL
    only = {n for n in args.only.split(",") if n}
    # Children share this process group; make sure none outlives an interrupted run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="newsbite-bench-") as folder:
        tmp = Path(folder)
        steps: list[tuple[str, Callable[[], Row]]] = [
            ("parse", lambda: parse_row(plan["rounds"])),
            ("crawl", lambda: crawl_row(plan["crawl_stories"], tmp)),
            ("generic", lambda: generic_row(plan["limit"])),
            ("memory", lambda: memory_row(plan["memory_stories"], tmp)),
        ]
        for name, step in steps:
            if only and name not in only:
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            rows.append(step())
    print(table(rows))
    result = {
        "small": args.small,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "rows": {r.name: asdict(r) for r in rows},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(f"written: {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
