"""scripts/crawl, scripts/test and .ci/run on a bare machine, without Docker (issue 11).

The scripts run in a temporary copy of the project with a PATH holding only `python3` (no
`python`), VIRTUAL_ENV unset, and the few shell tools they use. That `python3` is a stand-in
that records what it is asked: `-m venv DIR` makes a stand-in environment whose python records
`pip install`, `scrapy crawl` and `pytest` runs (the crawl writes a small feed and exits with
FAKE_STATUS). Everything else (the pyproject.toml hash) runs on the real interpreter. So the
tests pin the scripts' own logic (environment creation and reuse, the install stamp, exit
statuses, apt-get only for what is missing) in a second each, offline.
A real install into a fresh .venv is what `.ci/run` does on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("bash", "cat", "cp", "dirname", "grep", "id", "mkdir", "mktemp", "rm", "sed", "tail")
TOOLS += ("tee", "tr", "wc", "env", "basename")

BASE_PYTHON = """#!/bin/bash
echo "python3 $*" >> "$FAKE_LOG"
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    for last in "$@"; do :; done
    mkdir -p "$last/bin" && cp "$FAKE_DIR/venv-python" "$last/bin/python"
    exit 0
fi
exec "$REAL_PYTHON" "$@"
"""

VENV_PYTHON = """#!/bin/bash
echo "$0 $*" >> "$FAKE_LOG"
case "$1 $2" in
    "-m pip") exit 0 ;;
    "-m pytest") exit "${FAKE_STATUS:-0}" ;;
    "-m scrapy")
        printf '{"id": 1}\\n{"id": 2}\\n' > out.jsonl
        echo "2026-01-01 [newsbite.extensions.summary] INFO: newsbite summary (x): 2 written" >&2
        echo "2026-01-01 [newsbite.extensions.summary] INFO: newsbite output: out.jsonl" >&2
        echo "2026-01-01 [newsbite.extensions.summary] INFO: newsbite report: out.html" >&2
        exit "${FAKE_STATUS:-0}" ;;
esac
exec "$REAL_PYTHON" "$@"
"""

RECORDER = """#!/bin/bash
echo "$(basename "$0") $*" >> "$FAKE_LOG"
"""


class Bare:
    """A project copy and a bare PATH; run() runs a script there and returns the result."""

    def __init__(self, tmp: Path) -> None:
        self.project = tmp / "project"
        self.project.mkdir()
        for name in ("pyproject.toml", "scripts", ".ci"):
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, self.project / name)
            else:
                shutil.copy2(src, self.project / name)
        self.bin = tmp / "bin"
        self.bin.mkdir()
        self.fakes = tmp / "fakes"
        self.fakes.mkdir()
        self.log = tmp / "calls.log"
        self.log.touch()
        self.write(self.bin / "python3", BASE_PYTHON)
        self.write(self.fakes / "venv-python", VENV_PYTHON)
        for tool in TOOLS:
            found = shutil.which(tool)
            assert found, f"the test needs {tool}"
            (self.bin / tool).symlink_to(found)

    @staticmethod
    def write(path: Path, text: str) -> None:
        path.write_text(text, "utf-8")
        path.chmod(0o755)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env.update(
            PATH=str(self.bin),
            FAKE_LOG=str(self.log),
            FAKE_DIR=str(self.fakes),
            REAL_PYTHON=sys.executable,
            **extra,
        )
        return env

    def run(self, script: str, *args: str, **extra: str) -> subprocess.CompletedProcess:
        self.log.write_text("")
        return subprocess.run(
            [str(self.bin / "bash"), script, *args],
            cwd=self.project,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def calls(self) -> list[str]:
        return self.log.read_text("utf-8").splitlines()

    def pip_installs(self) -> list[str]:
        return [c for c in self.calls() if " -m pip install" in c]

    def stamp_value(self) -> str:
        digest = hashlib.sha256((self.project / "pyproject.toml").read_bytes()).hexdigest()
        return f"{digest} {self.project}"


@pytest.fixture
def bare(tmp_path) -> Bare:
    return Bare(tmp_path)


def test_the_bare_path_has_python3_but_no_python(bare):
    env = bare.env()
    assert shutil.which("python3", path=env["PATH"]) == str(bare.bin / "python3")
    assert shutil.which("python", path=env["PATH"]) is None


def test_crawl_creates_the_venv_once_and_installs_only_when_pyproject_changes(bare):
    first = bare.run("scripts/crawl")
    assert first.returncode == 0, first.stderr
    assert any(c.startswith("python3 -m venv") and c.endswith(" .venv") for c in bare.calls())
    assert len(bare.pip_installs()) == 1 and bare.pip_installs()[0].endswith(" -e .")
    assert (bare.project / ".venv/.newsbite-crawl.stamp").read_text().strip() == bare.stamp_value()
    assert "wrote 2 stories to out.jsonl" in first.stdout
    # Both paths reach the user: the feed and the crawl report.
    assert "newsbite output: out.jsonl" in first.stdout
    assert "newsbite report: out.html" in first.stdout
    crawls = [c for c in bare.calls() if "-m scrapy crawl theaustralian" in c]
    assert len(crawls) == 1 and crawls[0].startswith(".venv/bin/python ")

    again = bare.run("scripts/crawl", "-O", "x.jsonl")
    assert again.returncode == 0, again.stderr
    assert not any("-m venv" in c for c in bare.calls())
    assert bare.pip_installs() == []
    assert any(c.endswith("NEWSBITE_CASSETTE_MODE=replay -O x.jsonl") for c in bare.calls())

    with (bare.project / "pyproject.toml").open("a") as f:
        f.write("\n# a dependency changed\n")
    changed = bare.run("scripts/crawl")
    assert changed.returncode == 0
    assert len(bare.pip_installs()) == 1
    assert (bare.project / ".venv/.newsbite-crawl.stamp").read_text().strip() == bare.stamp_value()


def test_test_script_installs_its_extras_and_the_crawl_reuses_them(bare):
    proc = bare.run("scripts/test", "-q", "tests/x.py")
    assert proc.returncode == 0, proc.stderr
    assert [c.split(" -m ", 1)[1] for c in bare.pip_installs()] == [
        "pip install --quiet --disable-pip-version-check -e .[test]"
    ]
    assert any(c.endswith("-m pytest -q tests/x.py") for c in bare.calls())
    bare.run("scripts/crawl")
    assert bare.pip_installs() == []  # the test extras hold everything a crawl needs


def test_an_active_virtualenv_is_used_and_no_venv_is_made(bare, tmp_path):
    active = tmp_path / "active-env"
    (active / "bin").mkdir(parents=True)
    shutil.copy2(bare.fakes / "venv-python", active / "bin/python")
    proc = bare.run("scripts/crawl", VIRTUAL_ENV=str(active))
    assert proc.returncode == 0, proc.stderr
    assert not (bare.project / ".venv").exists()
    assert (active / ".newsbite-crawl.stamp").is_file()
    assert all(not c.startswith("python3 -m venv") for c in bare.calls())


@pytest.mark.parametrize("status", [1, 2, 5])
def test_crawl_script_exits_with_the_crawls_status(bare, status):
    proc = bare.run("scripts/crawl", FAKE_STATUS=str(status))
    assert proc.returncode == status
    assert f"crawl failed (exit {status}" in proc.stderr
    assert "crawl failed (exit 0)" not in proc.stdout + proc.stderr


def test_a_missing_python3_venv_module_is_one_clear_line(bare):
    bare.write(bare.bin / "python3", '#!/bin/bash\necho "No module named venv" >&2\nexit 1\n')
    proc = bare.run("scripts/crawl")
    assert proc.returncode == 1
    assert "apt-get install python3-venv" in proc.stderr
    assert not (bare.project / ".venv").exists()


# -- .ci/run -----------------------------------------------------------------------------------


def ci_tools(bare: Bare, present: tuple[str, ...]) -> None:
    for name in ("apt-get", "sudo"):
        bare.write(bare.bin / name, RECORDER + ('exec "$@"\n' if name == "sudo" else ""))
    for name in present:
        bare.write(bare.bin / name, RECORDER)


def test_ci_installs_only_missing_system_packages_with_one_update(bare):
    ci_tools(bare, present=())
    proc = bare.run(".ci/run")
    assert proc.returncode == 0, proc.stderr
    apt = [c for c in bare.calls() if c.startswith("apt-get")]
    assert apt[0] == "apt-get update -qq"
    assert len(apt) == 2 and apt[1].endswith("chromium redis-server")

    ci_tools(bare, present=("chromium", "redis-server"))
    proc = bare.run(".ci/run")
    assert proc.returncode == 0
    assert not [c for c in bare.calls() if c.startswith("apt-get")]
    assert any(c.endswith("-m pytest") for c in bare.calls())  # the README's test command


@pytest.mark.parametrize(("status", "says"), [(1, "tests failed"), (5, "collected no tests")])
def test_ci_fails_when_tests_fail_or_none_are_collected(bare, status, says):
    ci_tools(bare, present=("chromium", "redis-server"))
    proc = bare.run(".ci/run", FAKE_STATUS=str(status))
    assert proc.returncode == status
    assert says in proc.stderr


# -- run products ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [".venv/bin/python", "output/theaustralian/x.jsonl", "tests/output/a.json", "x.egg-info/PKG"]
    + [".venv/.newsbite-crawl.stamp", "other.stamp"],
)
def test_run_products_are_ignored_by_git(path):
    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, timeout=30, check=False
    )
    assert proc.returncode == 0, f"{path} is not in .gitignore"


def test_readme_links_render_as_links():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "X(" not in readme
    assert "[`scripts/deploy/crontab.example`](scripts/deploy/crontab.example)" in readme
    assert (ROOT / "scripts/deploy/crontab.example").is_file()
    assert "## Exit statuses" in readme
