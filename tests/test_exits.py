"""Exit statuses and one-line usage errors (issue 11): newsbite.config, the `crawl` command,
the no_items extension, `scrapy fixture record` off the publisher's domains, Scrapyd job logs.

Crawls run in subprocesses (`scrapy crawl` in replay mode, or spiders that stop before any
request), each bounded by a timeout.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapyd_support import deployed_scrapyd  # noqa: F401  (the session's Scrapyd)

from newsbite import config, exitcodes
from newsbite.errors import UsageError
from newsbite.extensions.noitems import expected_items_missing

ROOT = Path(__file__).resolve().parent.parent
REPLAY = ["-s", "NEWSBITE_CASSETTE_MODE=replay"]


def scrapy(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def cmdline(**values: object) -> Settings:
    """The project's settings with `values` given as `-s` would give them."""
    settings = get_project_settings().copy()
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")
    return settings


# -- newsbite.config ---------------------------------------------------------------------------


def test_the_project_defaults_pass_the_checks():
    config.check(get_project_settings())


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("NEWSBITE_RENDER", "sometimes", "one of never, auto, always"),
        ("NEWSBITE_CASSETTE_MODE", "play", "one of none, record, replay"),
        ("NEWSBITE_TOPIC_DEPTH", "-1", "a whole number >= 0"),
        ("NEWSBITE_TOPIC_DEPTH", "two", "a whole number >= 0"),
        ("NEWSBITE_INCREMENTAL", "maybe", "true or false"),
        ("NEWSBITE_BOTWALL_MAX_RATIO", "1.5", "<= 1"),
        ("NEWSBITE_PACE", "-0.5", ">= 0"),
        ("NEWSBITE_ALARM_HEADLINE", "high", ">= 0"),
        ("NEWSBITE_LINK_WINDOW", "-1", "a whole number >= 0"),
        ("NEWSBITE_REPORT_EXAMPLES", "many", "a whole number >= 0"),
    ],
)
def test_a_wrong_value_is_one_line_naming_setting_value_and_rule(name, value, says):
    with pytest.raises(UsageError) as caught:
        config.check(cmdline(**{name: value}))
    message = str(caught.value)
    assert "\n" not in message
    assert name in message and repr(value) in message and says in message


def test_right_values_given_as_strings_pass():
    config.check(
        cmdline(
            NEWSBITE_RENDER="NEVER",
            NEWSBITE_TOPIC_DEPTH="0",
            NEWSBITE_INCREMENTAL="true",
            NEWSBITE_BOTWALL_MAX_RATIO="1",
            NEWSBITE_PACE="0.25",
        )
    )


def test_an_unwritable_state_folder_is_a_usage_error(tmp_path):
    a_file = tmp_path / "plain-file"
    a_file.write_text("x")
    for uri in (f"{a_file}/state/s.sqlite", f"sqlite:///{a_file}/s.sqlite", "/proc/nb/s.sqlite"):
        with pytest.raises(UsageError, match="NEWSBITE_STATE_URI.*cannot be written"):
            config.check(cmdline(NEWSBITE_STATE_URI=uri))
    config.check(cmdline(NEWSBITE_STATE_URI=str(tmp_path / "new" / "s.sqlite")))
    assert (tmp_path / "new").is_dir()  # created, as the store would, to prove it can be


def test_an_unknown_cmdline_name_is_a_usage_error_with_the_close_match():
    with pytest.raises(
        UsageError, match=r"NEWSBITE_TOPIC_DEPHT \(did you mean NEWSBITE_TOPIC_DEPTH"
    ):
        config.check(cmdline(NEWSBITE_TOPIC_DEPHT="2"))
    # The same name set in code (a settings module, a spider) is the author's business.
    settings = get_project_settings().copy()
    settings.set("NEWSBITE_TOPIC_DEPHT", "2", priority="project")
    config.check(settings)


def test_replay_of_a_named_cassette_needs_the_file(tmp_path):
    with pytest.raises(UsageError, match="NEWSBITE_CASSETTE"):
        config.check(
            cmdline(NEWSBITE_CASSETTE_MODE="replay", NEWSBITE_CASSETTE=str(tmp_path / "no.yaml"))
        )


def test_the_addon_checks_settings_for_any_crawler():
    with pytest.raises(UsageError, match="NEWSBITE_RENDER"):
        config.ConfigAddon().update_settings(cmdline(NEWSBITE_RENDER="sometimes"))


def test_routine_disabled_components_are_info_and_others_stay_warnings():
    log_filter = config.RoutineDisabledFilter()

    def record(clspath: str) -> logging.LogRecord:
        rec = logging.LogRecord(
            "scrapy.middleware", logging.WARNING, __file__, 1, config._DISABLED, (), None
        )
        rec.args = {"clspath": clspath, "eargs": "off"}
        return rec

    ours, theirs = record("newsbite.middlewares.pace.PaceMiddleware"), record("other.Thing")
    assert log_filter.filter(ours) and log_filter.filter(theirs)
    assert (ours.levelno, ours.levelname) == (logging.INFO, "INFO")
    assert theirs.levelno == logging.WARNING


# -- no_items ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stats", "missing"),
    [
        ({"scheduler/enqueued": 3}, True),
        ({"scheduler/enqueued": 3, "item_scraped_count": 1}, False),
        ({"scheduler/enqueued": 3, "newsbite/unchanged": 4}, False),  # incremental, all known
        ({"scheduler/enqueued": 3, "newsbite/unchanged/same_run": 1}, False),
        ({"robotstxt/request_count": 1}, False),  # no start source: nothing was asked
    ],
)
def test_no_items_only_when_stories_were_expected(stats, missing):
    assert expected_items_missing(stats) is missing


# -- scrapy crawl: statuses --------------------------------------------------------------------


@pytest.mark.slow
def test_wrong_setting_is_exactly_one_line_and_exit_2():
    proc = scrapy("crawl", "theaustralian", *REPLAY, "-s", "NEWSBITE_RENDER=sometimes")
    assert proc.returncode == exitcodes.USAGE
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "newsbite: NEWSBITE_RENDER='sometimes' is not valid: expected one of never, auto, always"
    ]


@pytest.mark.slow
def test_unknown_spider_and_misspelt_setting_are_one_line_each():
    proc = scrapy("crawl", "theaustralain", *REPLAY)
    assert proc.returncode == 2
    assert proc.stderr.startswith("newsbite: no spider called 'theaustralain' (known: ")
    assert len(proc.stderr.splitlines()) == 1
    proc = scrapy("crawl", "theaustralian", *REPLAY, "-s", "NEWSBITE_CASSETE_MODE=replay")
    assert proc.returncode == 2
    assert "did you mean NEWSBITE_CASSETTE_MODE?" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1


PROBE = """
import scrapy
from newsbite.errors import UsageError


class Probe(scrapy.Spider):
    name = "probe"

    def __init__(self, topics=None, **kwargs):
        super().__init__(**kwargs)
        if topics == "bad":
            raise UsageError("topics: 'bad' is not a topic slug")

    async def start(self):
        yield scrapy.Request("http://127.0.0.1:9/never-requested")


class RefusingExtension:
    @classmethod
    def from_crawler(cls, crawler):
        raise UsageError("the probe extension refuses this crawl")
"""


@pytest.fixture
def probe_env(tmp_path):
    (tmp_path / "usage_probe.py").write_text(textwrap.dedent(PROBE), "utf-8")
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "line"),
    [
        (["-a", "topics=bad"], "newsbite: topics: 'bad' is not a topic slug"),
        (
            ["-s", 'EXTENSIONS={"usage_probe.RefusingExtension": 1}'],
            "newsbite: the probe extension refuses this crawl",
        ),
    ],
)
def test_usage_error_while_building_the_crawl_is_one_line_exit_2_no_request(
    probe_env, tmp_path, extra, line
):
    stats = tmp_path / "stats.json"
    proc = scrapy(
        "crawl",
        "probe",
        "-s",
        "SPIDER_MODULES=usage_probe",
        "-s",
        f"NEWSBITE_STATS_FILE={stats}",
        *extra,
        env=probe_env,
    )
    assert proc.returncode == exitcodes.USAGE, proc.stderr[-2000:]
    assert proc.stderr.splitlines()[-1] == line
    assert proc.stderr.count("newsbite: ") == 1
    assert "Traceback" not in proc.stderr
    assert "never-requested" not in proc.stderr and "Spider opened" not in proc.stderr
    assert not stats.exists()  # the crawl never closed: it never started


@pytest.mark.slow
def test_replay_crawl_exits_0_and_a_crawl_that_finds_nothing_exits_5(tmp_path):
    stats = tmp_path / "stats.json"
    ok = scrapy("crawl", "theaustralian", *REPLAY, "-O", str(tmp_path / "ok.jsonl"))
    assert ok.returncode == exitcodes.OK, ok.stderr[-3000:]
    assert (tmp_path / "ok.jsonl").read_text("utf-8").count("\n") > 0

    none = scrapy(
        "crawl",
        "theaustralian",
        *REPLAY,
        "-a",
        "topics=no-such-topic-anywhere",
        "-s",
        f"NEWSBITE_STATS_FILE={stats}",
        "-O",
        str(tmp_path / "none.jsonl"),
    )
    assert none.returncode == exitcodes.NO_ITEMS, none.stderr[-3000:]
    assert json.loads(stats.read_text("utf-8"))["finish_reason"] == "no_items"
    assert "finishing with reason no_items" in none.stderr

    off = scrapy(
        "crawl",
        "theaustralian",
        *REPLAY,
        "-a",
        "topics=no-such-topic-anywhere",
        "-s",
        "NEWSBITE_EXPECT_ITEMS=false",
        "-O",
        str(tmp_path / "off.jsonl"),
    )
    assert off.returncode == exitcodes.OK, off.stderr[-3000:]


# -- scrapy fixture record ---------------------------------------------------------------------


@pytest.mark.slow
def test_fixture_record_refuses_a_url_off_the_publishers_domains(tmp_path):
    target = tmp_path / "fixture"
    proc = scrapy(
        "fixture",
        "record",
        str(target),
        "--spider",
        "theaustralian",
        "-a",
        "urls=https://www.example.com/world/news-story/0123456789abcdef0123456789abcdef",
    )
    assert proc.returncode != 0
    assert "not on theaustralian's domains (theaustralian.com.au)" in proc.stderr
    assert not (target / "cassette.yaml").exists()
    assert "recorded" not in proc.stdout


# -- Scrapyd -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_scrapyd_job_log_shows_the_one_line(deployed_scrapyd):  # noqa: F811
    server = deployed_scrapyd.server
    job = server.schedule("theaustralian", settings={"NEWSBITE_RENDER": "sometimes"})
    server.wait(job, timeout=90)
    expected = (
        "newsbite: NEWSBITE_RENDER='sometimes' is not valid: expected one of never, auto, always"
    )
    assert server.log(job).splitlines() == [expected]
    daemon_log = (server.home / "scrapyd.out").read_text("utf-8", errors="replace")
    assert f"job='{job}'" in daemon_log and "exitstatus=2" in daemon_log
