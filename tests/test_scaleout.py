"""Scale-out (issue 14): the add-on, `newsbite merge`, and real worker processes against one real
redis-server and the news-site simulator.

The process tests crawl 1,000 simulated stories over 40 topic pages of theaustralian with two
`scrapy crawl` processes: every story exactly once, both workers working and closing by
themselves; a SIGKILLed worker loses nothing; the same crawl again with the incremental state
in Redis writes nothing.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newsbite import exitcodes
from newsbite.cli import main as newsbite_main
from newsbite.distributed import (
    ClaimPipeline,
    DistributedAddon,
    WorkerRoleMiddleware,
    worker_feed,
    worker_id,
)
from newsbite.errors import UsageError
from newsbite.testing.simulator import Simulator
from tests.redis_support import ROOT, RedisServer, Worker, feed_files, read_ids, worker_env

SPIDER = "theaustralian"
STORIES = 1000
TOPICS = 40
WORKER_TIMEOUT = 150  # seconds; a worker that has not closed by then fails the test


# -- the add-on ---------------------------------------------------------------------------------


def project_settings(**extra) -> Settings:
    settings = Settings()
    settings.setmodule("newsbite.settings", priority="project")
    # What the spider's update_settings does when no -o/-O was given.
    default = settings.get("NEWSBITE_DEFAULT_FEED")
    settings.set("FEEDS", {default: {"format": "jsonlines"}}, priority="spider")
    for name, value in extra.items():
        settings.set(name, value, priority="cmdline")
    return settings


@pytest.fixture
def no_redis_env(monkeypatch):
    monkeypatch.delenv("NEWSBITE_REDIS_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)


def test_without_a_redis_url_the_addon_changes_nothing(no_redis_env):
    settings = project_settings()
    before = {k: settings.get(k) for k in ("SCHEDULER", "DUPEFILTER_CLASS", "NEWSBITE_STATE_URI")}
    feeds = settings.getdict("FEEDS")
    DistributedAddon().update_settings(settings)
    assert {k: settings.get(k) for k in before} == before
    assert settings.getdict("FEEDS") == feeds
    assert settings.get("REDIS_URL") is None


def test_a_redis_url_switches_to_the_shared_frontier_and_state(no_redis_env):
    settings = project_settings(NEWSBITE_REDIS_URL="redis://10.0.0.5:6379/2", NEWSBITE_IDLE_CLOSE=7)
    DistributedAddon().update_settings(settings)
    assert settings.get("SCHEDULER") == "newsbite.distributed.RedisFrontier"
    # scrapy-redis's shared dupefilter, fingerprinting stories as one-machine crawls do
    assert settings.get("DUPEFILTER_CLASS") == "newsbite.fingerprint.RedisStoryDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST") is True
    assert settings.getint("MAX_IDLE_TIME_BEFORE_CLOSE") == 7
    assert settings.get("REDIS_URL") == "redis://10.0.0.5:6379/2"
    assert settings.get("NEWSBITE_STATE_URI") == "redis://10.0.0.5:6379/2"
    # The default feed becomes this worker's own file; nothing else is written to.
    (feed,) = settings.getdict("FEEDS")
    assert feed == f"output/%(name)s/%(time)s-{worker_id()}.jsonl"
    assert WorkerRoleMiddleware not in settings.getdict("SPIDER_MIDDLEWARES")
    assert ClaimPipeline not in settings.getdict("ITEM_PIPELINES")  # incremental is off


def test_the_standard_redis_url_variable_works_too_and_user_choices_win(monkeypatch):
    monkeypatch.delenv("NEWSBITE_REDIS_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    settings = project_settings(
        NEWSBITE_STATE_URI="sqlite:///state.sqlite",
        MAX_IDLE_TIME_BEFORE_CLOSE=99,
        NEWSBITE_REDIS_ROLE="worker",
        NEWSBITE_INCREMENTAL=True,
    )
    settings.set("FEEDS", {"mine.jsonl": {"format": "jsonlines"}}, priority="cmdline")  # -O
    DistributedAddon().update_settings(settings)
    assert settings.get("REDIS_URL") == "redis://cache:6379/0"
    assert settings.get("NEWSBITE_STATE_URI") == "sqlite:///state.sqlite"
    assert settings.getint("MAX_IDLE_TIME_BEFORE_CLOSE") == 99
    assert list(settings.getdict("FEEDS")) == ["mine.jsonl"]
    assert settings.getdict("SPIDER_MIDDLEWARES")[WorkerRoleMiddleware] == 10
    assert settings.getdict("ITEM_PIPELINES")[ClaimPipeline] == 940


def test_a_wrong_role_is_a_usage_error(no_redis_env):
    settings = project_settings(NEWSBITE_REDIS_URL="redis://h/0", NEWSBITE_REDIS_ROLE="boss")
    with pytest.raises(UsageError, match="NEWSBITE_REDIS_ROLE"):
        DistributedAddon().update_settings(settings)


def test_worker_feed_names_carry_host_and_pid():
    assert (
        worker_feed("out/%(name)s/%(time)s.jsonl", "web1-42")
        == "out/%(name)s/%(time)s-web1-42.jsonl"
    )
    assert worker_feed("feed", "h-1") == "feed-h-1"


_ONE_MACHINE = """
import builtins, json, sys
# Who imports anything Redis: datasketch (MinHash linking) try-imports redis-py as an optional
# storage of its own when it is installed; newsbite itself must import none of it.
importers = set()
_import = builtins.__import__
def spy(name, globals=None, *args, **kwargs):
    if name.split(".")[0] in ("redis", "scrapy_redis") or name == "newsbite.state.redis":
        importers.add((name, (globals or {}).get("__name__", "?")))
    return _import(name, globals, *args, **kwargs)
builtins.__import__ = spy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
settings.setdict({"NEWSBITE_HOST_MAP": sys.argv[1], "SPIDERMON_ENABLED": False,
    "NEWSBITE_REPORT": False, "FEEDS": {sys.argv[3]: {"format": "jsonlines"}}}, priority="cmdline")
process = CrawlerProcess(settings)
process.crawl("theaustralian", urls=sys.argv[2])
process.start()
loaded = sorted(m for m in sys.modules if m.startswith(("scrapy_redis", "newsbite.state.redis")))
print(json.dumps({"loaded": loaded, "importers": sorted({i for _, i in importers})}))
"""


def test_a_one_machine_crawl_imports_nothing_about_redis(tmp_path, no_redis_env):
    with Simulator(stories=5, publishers=[SPIDER]) as sim:
        story = sim.catalogue(SPIDER)[0]
        env = worker_env("")
        env.pop("NEWSBITE_REDIS_URL")
        out = tmp_path / "one.jsonl"
        done = subprocess.run(
            [sys.executable, "-c", _ONE_MACHINE, sim.host_map(), story.url, str(out)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert read_ids(out) == [story.id]  # the crawl really ran
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["loaded"] == []  # no scrapy_redis, no Redis state backend
    outside = [i for i in found["importers"] if not i.startswith(("redis", "datasketch"))]
    assert outside == [], found  # redis-py only ever by datasketch's optional import


# -- newsbite merge -----------------------------------------------------------------------------


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def story(sid: str, version: int = 1, scraped_at: str = "2024-05-01T00:00:00+00:00", **kw):
    return {"site": SPIDER, "id": sid, "version": version, "scraped_at": scraped_at, **kw}


def test_merge_keeps_the_highest_version_then_the_latest_scrape(tmp_path, capsys):
    a = write_jsonl(
        tmp_path / "a.jsonl",
        [
            story("s1", 1, headline="old"),
            story("s2", 1, "2024-05-01T00:00:00+00:00", headline="early"),
            story("s3", 1),
        ],
    )
    b = write_jsonl(
        tmp_path / "b.jsonl",
        [
            story("s2", 1, "2024-05-02T00:00:00+00:00", headline="late"),
            story("s1", 2, "2024-04-01T00:00:00+00:00", headline="new"),
            {"site": "heraldsun", "id": "s1", "headline": "other site"},
        ],
    )
    out = tmp_path / "merged.jsonl"
    assert newsbite_main(["merge", str(a), str(b), "-o", str(out)]) == exitcodes.OK
    merged = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(m["site"], m["id"], m["headline"]) for m in merged if "headline" in m] == [
        (SPIDER, "s1", "new"),
        (SPIDER, "s2", "late"),
        ("heraldsun", "s1", "other site"),
    ]
    assert len(merged) == 4
    assert "2 duplicates removed" in capsys.readouterr().err


def test_merge_warns_about_bad_lines_and_can_overwrite_an_input(tmp_path, capsys):
    a = tmp_path / "feeds" / "a.jsonl"
    a.parent.mkdir()
    a.write_text(json.dumps(story("s1")) + "\n{not json\n" + json.dumps({"id": "x"}) + "\n")
    write_jsonl(tmp_path / "feeds" / "b.jsonl", [story("s1"), story("s2")])
    assert newsbite_main(["merge", str(a.parent), "-o", str(a)]) == exitcodes.OK
    assert [json.loads(line)["id"] for line in a.read_text().splitlines()] == ["s1", "s2"]
    err = capsys.readouterr().err
    assert f"{a}:2: not JSON" in err and f"{a}:3: no site and id" in err
    assert "1 duplicates removed, 2 bad lines skipped" in err


def test_merge_of_a_missing_file_is_a_usage_error(tmp_path, capsys):
    assert newsbite_main(["merge", str(tmp_path / "nope.jsonl")]) == exitcodes.USAGE
    assert "no such file" in capsys.readouterr().err


def test_merge_link_copies_hands_the_merged_items_to_newsbite_linking(
    tmp_path, monkeypatch, capsys
):
    import types

    seen = []

    def link_items(items):
        seen.append([i["id"] for i in items])
        return [dict(i, same_story_as=["linked"]) for i in items]

    monkeypatch.setitem(
        sys.modules, "newsbite.linking", types.SimpleNamespace(link_items=link_items)
    )
    a = write_jsonl(tmp_path / "a.jsonl", [story("s1"), story("s1"), story("s2")])
    out = tmp_path / "out.jsonl"
    assert newsbite_main(["merge", str(a), "-o", str(out), "--link-copies"]) == exitcodes.OK
    assert seen == [["s1", "s2"]]
    assert all(json.loads(line)["same_story_as"] == ["linked"] for line in out.open())


# -- real workers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    server = RedisServer.launch(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sim():
    # A little latency: a kill lands mid-crawl, and each worker keeps requests in flight.
    with Simulator(stories=STORIES, topics=TOPICS, latency_ms=10, publishers=[SPIDER]) as s:
        yield s


def topics(sim: Simulator) -> str:
    return ",".join(sim.model.topic_names(sim.model.publishers[0]))


def settings_for(sim: Simulator, name: str, **extra) -> dict[str, object]:
    settings: dict[str, object] = {
        "NEWSBITE_HOST_MAP": sim.host_map(),
        "AUTOTHROTTLE_ENABLED": False,
        "SPIDERMON_ENABLED": False,  # synthetic pages are not the layout the alarms judge
        "NEWSBITE_REPORT": False,
        "NEWSBITE_IDLE_CLOSE": 2,
        # Long enough that a CPU-starved worker (CI, a busy laptop) is not taken for dead.
        "NEWSBITE_WORKER_TTL": 5,
        "NEWSBITE_STATS_FILE": f"stats-{name}.json",
        "LOG_LEVEL": "INFO",
    }
    settings.update(extra)
    return settings


def start_pair(folder: Path, url: str, sim: Simulator, **extra) -> tuple[Worker, Worker]:
    """A seeding node and a worker started together (the worker first: it waits for work)."""
    worker = Worker.start(
        "w1", folder, url, SPIDER, settings_for(sim, "w1", NEWSBITE_REDIS_ROLE="worker", **extra)
    )
    seeder = Worker.start(
        "w0", folder, url, SPIDER, settings_for(sim, "w0", **extra), {"topics": topics(sim)}
    )
    return seeder, worker


def stats_of(folder: Path, name: str) -> dict:
    return json.loads((folder / f"stats-{name}.json").read_text())


def written(folder: Path) -> Counter:
    return Counter(i for path in feed_files(folder, SPIDER) for i in read_ids(path))


def frontier_keys(client, db_prefix: str = "newsbite:theaustralian:requests") -> dict:
    return {
        "queued": client.zcard(db_prefix),
        "in_flight": [k for k in client.keys(f"{db_prefix}:inflight:*") if client.zcard(k)],
        "workers": client.smembers(f"{db_prefix}:workers"),
    }


@pytest.fixture(scope="module")
def first_crawl(redis, sim, tmp_path_factory):
    """Two workers, one Redis (db 0), incremental state in it: the crawl tests 1 and 3 share."""
    folder = tmp_path_factory.mktemp("crawl1")
    url = redis.url  # db 0
    pair = start_pair(folder, url, sim, NEWSBITE_INCREMENTAL=True)
    codes = [w.wait(WORKER_TIMEOUT) for w in pair]
    return folder, pair, codes


def test_two_workers_write_every_story_exactly_once_and_close_by_themselves(
    first_crawl, sim, redis
):
    folder, pair, codes = first_crawl
    assert codes == [0, 0], [w.tail() for w in pair]
    files = feed_files(folder, SPIDER)
    assert len(files) == 2
    assert {f.stem.rsplit("-", 1)[1] for f in files} == {str(w.proc.pid) for w in pair}
    counts = written(folder)
    expected = {s.id for s in sim.catalogue(SPIDER)}
    assert len(expected) == STORIES
    assert set(counts) == expected
    assert max(counts.values()) == 1
    for path in files:
        assert len(read_ids(path)) >= STORIES * 0.2, [len(read_ids(p)) for p in files]
    # Closed because the shared frontier stayed empty, leaving nothing behind.
    for w in pair:
        assert "frontier empty for" in w.tail(20000)
    assert frontier_keys(redis.client()) == {"queued": 0, "in_flight": [], "workers": set()}
    assert sum(stats_of(folder, w.name).get("newsbite/distributed/claimed", 0) for w in pair) == (
        STORIES
    )


def test_the_same_crawl_again_with_the_state_in_redis_writes_nothing(
    first_crawl, sim, redis, tmp_path
):
    assert first_crawl[2] == [0, 0]
    pair = start_pair(tmp_path, redis.url, sim, NEWSBITE_INCREMENTAL=True)
    codes = [w.wait(WORKER_TIMEOUT) for w in pair]
    assert codes == [0, 0], [w.tail() for w in pair]
    assert sum(written(tmp_path).values()) == 0
    stats = [stats_of(tmp_path, w.name) for w in pair]
    # Nothing written because the state knew every story, not because nothing was crawled.
    assert stats[0].get("newsbite/distributed/new_crawl") == 1
    unchanged = sum(s.get("newsbite/unchanged", 0) for s in stats)
    # At least once: a request a busy worker was taken away is crawled (found unchanged) twice.
    assert STORIES <= unchanged <= STORIES * 1.05, stats


# The `newsbite` console script, as a process (whether or not it is installed on PATH).
_NEWSBITE = "import sys; from newsbite.cli import main; sys.exit(main())"


def test_a_killed_worker_loses_no_story_and_merge_removes_its_duplicates(redis, sim, tmp_path):
    url = redis.url[: -len("/0")] + "/1"  # its own frontier (db 1), incremental off
    seeder, victim = start_pair(tmp_path, url, sim)
    victim_feed = None
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:  # kill it mid-crawl, once it has written some stories
        victim_feed = next(
            (p for p in feed_files(tmp_path, SPIDER) if p.stem.endswith(f"-{victim.proc.pid}")),
            None,
        )
        if victim_feed is not None and len(read_ids(victim_feed)) >= 50:
            break
        time.sleep(0.05)
    total_at_kill = sum(written(tmp_path).values())
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait(timeout=10)
    assert 50 <= total_at_kill < STORIES * 0.8, "the kill did not land mid-crawl"
    again = Worker.start(
        "w1-again",
        tmp_path,
        url,
        SPIDER,
        settings_for(sim, "w1-again", NEWSBITE_REDIS_ROLE="worker"),
    )
    assert [w.wait(WORKER_TIMEOUT) for w in (seeder, again)] == [0, 0]

    # The dead worker's in-flight requests were put back and crawled by the others.
    logs = seeder.tail(10**6) + again.tail(10**6)
    requeued = [int(n) for n in re.findall(r"stopped without finishing (\d+) requests", logs)]
    assert requeued and sum(requeued) > 0
    counts = written(tmp_path)
    expected = {s.id for s in sim.catalogue(SPIDER)}
    assert set(counts) == expected  # none missing
    duplicates = sum(counts.values()) - len(counts)  # written twice across the three files

    out = tmp_path / "merged.jsonl"
    files = [str(p) for p in feed_files(tmp_path, SPIDER)]
    done = subprocess.run(
        [sys.executable, "-c", _NEWSBITE, "merge", *files, "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    merged = read_ids(out)
    assert sorted(merged) == sorted(expected)  # each story once after merge
    assert f"{duplicates} duplicates removed" in done.stderr


def test_the_shared_dupefilter_sees_url_variants_of_a_story_as_one():
    from scrapy import Request
    from scrapy_redis.dupefilter import RFPDupeFilter

    from newsbite.fingerprint import RedisStoryDupeFilter

    assert issubclass(RedisStoryDupeFilter, RFPDupeFilter)
    dupefilter = RedisStoryDupeFilter(server=None, key="newsbite:test:dupefilter")
    story = "https://www.theaustralian.com.au/nation/x/news-story/" + "a" * 32
    variants = [
        story,
        story + "?utm_source=x",
        story.replace("www.theaustralian", "WWW.THEAUSTRALIAN"),
        story + "#comments",
    ]
    fingerprints = {dupefilter.request_fingerprint(Request(u)) for u in variants}
    other = dupefilter.request_fingerprint(Request(story.replace("a" * 32, "b" * 32)))
    assert len(fingerprints) == 1 and other not in fingerprints
