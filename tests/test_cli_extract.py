"""`newsbite extract`: one saved page, standard input, and --batch, end to end (issue 10).

Each test runs the real command in a subprocess: the console script when it is installed
(`pip install -e .`), else the same `newsbite.cli.main` through the interpreter.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsbite import exitcodes

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures/theaustralian/isis-leader-does-a-runner/pages/story.html"
SEED_URL = (
    "https://www.theaustralian.com.au/world/the-times/"
    "jihadists-irate-as-isis-leader-does-a-runner-in-the-desert/news-story/"
    "4df04eb09060ea88508cbb81762e88cf"
)
AMBITO = ROOT / "tests/data/generic/ambito-paritarias.html"
AMBITO_URL = (
    "https://www.ambito.com/politica/paritarias/"
    "al-rojo-gremios-la-alimentacion-marcan-inflacion-53-abril-y-amenazan-paro-n5431248"
)
EVAL_DEV = ROOT.parent / "shared" / "eval-dev"


def newsbite(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    script = shutil.which("newsbite")
    if script:
        command = [script, *args]
    else:
        code = "import sys; from newsbite.cli import main; sys.exit(main())"
        command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=120, check=False)


def one_item(done: subprocess.CompletedProcess[bytes]) -> dict:
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1, done.stderr.decode()
    return json.loads(lines[0])


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    scripts = text.split("[project.scripts]", 1)[1].split("\n[", 1)[0]
    assert 'newsbite = "newsbite.cli:main"' in scripts


def test_a_publisher_page_gives_its_finished_item():
    done = newsbite("extract", str(SEED), "--url", SEED_URL)
    assert done.returncode == exitcodes.OK, done.stderr.decode()
    item = one_item(done)
    assert item["site"] == "theaustralian"
    assert item["id"] == "4df04eb09060ea88508cbb81762e88cf"
    assert item["extractor"].startswith("newscorp_au/")
    assert item["syndication"]["source"] == "The Sunday Times"  # the chain's normalisers ran
    assert len(item["body"]) >= 10 and item["word_count"] > 300


def test_an_unknown_site_goes_to_the_generic_extractor_and_the_url_defaults_to_canonical():
    done = newsbite("extract", str(AMBITO))
    assert done.returncode == exitcodes.OK, done.stderr.decode()
    item = one_item(done)
    assert item["url"] == AMBITO_URL  # from <link rel=canonical>
    assert item["site"] == "ambito.com"
    assert item["extractor"].startswith("generic/")
    assert any("sindicato irá hoy a una audiencia" in p for p in item["body"])


def test_publisher_option_overrides_the_domain():
    done = newsbite("extract", str(AMBITO), "--url", AMBITO_URL, "--publisher", "heraldsun")
    assert done.returncode == exitcodes.OK, done.stderr.decode()
    assert one_item(done)["site"] == "heraldsun"


def test_page_on_standard_input():
    done = newsbite("extract", "-", "--url", SEED_URL, stdin=SEED.read_bytes())
    assert done.returncode == exitcodes.OK, done.stderr.decode()
    assert one_item(done)["headline"].startswith("Jihadists irate")


def test_a_page_without_a_story_exits_1_with_the_reason():
    empty = b"<html><head><title>Nothing here</title></head><body><nav>Home</nav></body></html>"
    done = newsbite("extract", "-", "--url", "https://example.org/nothing", stdin=empty)
    assert done.returncode == exitcodes.FAILED
    assert done.stdout == b""
    assert b"no story" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("extract",),
        ("extract", "/no/such/page.html", "--url", SEED_URL),
        ("extract", str(SEED), "--url", SEED_URL, "--publisher", "nosuchpaper"),
        ("extract", str(SEED), "--url", "ftp://example.org/x"),
        ("extract", "--batch", str(SEED)),
    ],
)
def test_usage_errors_exit_2_with_one_line(args):
    done = newsbite(*args)
    assert done.returncode == exitcodes.USAGE
    assert done.stdout == b""
    assert len(done.stderr.decode().strip().splitlines()) == 1


def test_batch_answers_every_line_in_order_and_survives_a_bad_one(tmp_path):
    junk = tmp_path / "junk.html"
    junk.write_bytes(b"\x00\xff\xfe\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    lines = [
        f"{SEED}\t{SEED_URL}",
        f"{tmp_path / 'missing.html'}\thttps://example.org/missing",
        f"{junk}\thttps://example.org/junk",
        f"{AMBITO}\tlabel-not-a-url",
    ]
    done = newsbite("extract", "--batch", stdin=("\n".join(lines) + "\n").encode())
    assert done.returncode == exitcodes.OK, done.stderr.decode()
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [o["url"] for o in out] == [
        SEED_URL,
        "https://example.org/missing",
        "https://example.org/junk",
        "label-not-a-url",
    ]
    assert out[0]["site"] == "theaustralian" and out[0]["body"]
    assert "cannot read" in out[1]["error"] and "body" not in out[1]
    assert out[2]["error"].startswith("no story")
    assert out[3]["canonical_url"] == AMBITO_URL and out[3]["body"]


def test_an_eval_dev_page_end_to_end():
    if not (EVAL_DEV / "eval.json").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI: the development set is missing at {EVAL_DEV}")
        pytest.skip("no ../shared/eval-dev beside this checkout")
    entry = next(
        e
        for e in json.loads((EVAL_DEV / "eval.json").read_text("utf-8"))
        if e["url"].startswith("https://") and e["with"]
    )
    html = gzip.decompress((EVAL_DEV / entry["file"]).read_bytes())
    done = newsbite("extract", "-", "--url", entry["url"], stdin=html)
    assert done.returncode == exitcodes.OK, done.stderr.decode()
    text = " ".join(" ".join(one_item(done)["body"]).split())
    found = [w for w in entry["with"] if " ".join(w.split()) in text]
    assert found, entry["id"]
