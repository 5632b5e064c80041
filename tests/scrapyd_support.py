"""A real Scrapyd for tests: started on 127.0.0.1 (free port) in a temp folder, the project
deployed to it with scrapyd-deploy from a clean copy (as from a fresh clone), jobs scheduled and
awaited through its JSON API. Used by tests/test_scrapyd.py; also runnable by hand:

    python tests/scrapyd_support.py     # starts one, deploys, prints its URL, waits for Ctrl-C
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# What a fresh clone has, less what builds and crawls leave behind.
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    "*.egg-info",
    "build",
    "dist",
    "output",
    ".scrapy",
    "setup.py",
    "tests",
    "benchmarks",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_project(dest: Path) -> Path:
    """The checkout as a fresh clone would have it (plus uncommitted work), in ``dest``."""
    shutil.copytree(ROOT, dest, ignore=COPY_IGNORE)
    return dest


@dataclass
class Scrapyd:
    base: str
    home: Path
    proc: subprocess.Popen | None = None
    deployed: list[str] = field(default_factory=list)

    # -- API ------------------------------------------------------------------------------
    def api(self, endpoint: str, data: Mapping[str, Any] | list[tuple[str, str]] | None = None):
        url = f"{self.base}/{endpoint}"
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        with urllib.request.urlopen(url, data=body, timeout=30) as resp:
            answer = json.loads(resp.read().decode("utf-8"))
        if answer.get("status") != "ok":
            raise RuntimeError(f"{endpoint}: {answer}")
        return answer

    def schedule(
        self,
        spider: str,
        settings: Mapping[str, Any] | None = None,
        args: Mapping[str, Any] | None = None,
        project: str = "newsbite",
        version: str | None = None,
    ) -> str:
        data: list[tuple[str, str]] = [("project", project), ("spider", spider)]
        if version:
            data.append(("_version", version))
        for key, value in (settings or {}).items():
            data.append(("setting", f"{key}={value}"))
        for key, value in (args or {}).items():
            data.append((key, str(value)))
        return self.api("schedule.json", data)["jobid"]

    def job_state(self, job: str, project: str = "newsbite") -> tuple[str, dict[str, Any]]:
        jobs = self.api(f"listjobs.json?project={project}")
        for state in ("pending", "running", "finished"):
            for entry in jobs.get(state, []):
                if entry["id"] == job:
                    return state, entry
        return "unknown", {}

    def wait(self, job: str, timeout: float = 90, project: str = "newsbite") -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state, entry = self.job_state(job, project)
            if state == "finished":
                return entry
            time.sleep(0.2)
        raise TimeoutError(f"job {job} not finished after {timeout}s:\n{self.log(job)}")

    def cancel(self, job: str, project: str = "newsbite", sig: str = "TERM") -> str | None:
        return self.api("cancel.json", {"project": project, "job": job, "signal": sig})["prevstate"]

    # -- files ----------------------------------------------------------------------------
    def items_path(self, job: str, spider: str, project: str = "newsbite") -> Path:
        return self.home / "items" / project / spider / f"{job}.jl"

    def items(self, job: str, spider: str) -> list[dict[str, Any]]:
        path = self.items_path(job, spider)
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text("utf-8").splitlines()]

    def log(self, job: str, spider: str = "*", project: str = "newsbite") -> str:
        found = list((self.home / "logs" / project).glob(f"{spider}/{job}.log"))
        return found[0].read_text("utf-8", errors="replace") if found else ""

    # -- deploy ---------------------------------------------------------------------------
    def deploy(self, project_dir: Path, version: str) -> str:
        """scrapyd-deploy from ``project_dir``, to a target pointing at this server."""
        cfg = project_dir / "scrapy.cfg"
        text = cfg.read_text("utf-8")
        if "[deploy:newsbite-test]" not in text:
            cfg.write_text(
                text.rstrip("\n") + f"\n\n[deploy:newsbite-test]\nurl = {self.base}/\n"
                "project = newsbite\n",
                "utf-8",
            )
        exe = shutil.which("scrapyd-deploy")
        cmd = [exe] if exe else [sys.executable, "-m", "scrapyd_client.deploy"]
        proc = subprocess.run(
            [*cmd, "newsbite-test", "-v", version],
            cwd=project_dir,
            capture_output=True,
            text=True,
            timeout=120,
            env=_clean_env(),
        )
        if proc.returncode != 0 or '"status": "ok"' not in proc.stdout:
            raise RuntimeError(f"scrapyd-deploy failed:\n{proc.stdout}\n{proc.stderr}")
        self.deployed.append(version)
        return proc.stdout


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH to the checkout and no project settings: Scrapyd must run the egg alone."""
    env = dict(os.environ)
    for key in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT"):
        env.pop(key, None)
    return env


SCRAPYD_CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = {home}/eggs
logs_dir = {home}/logs
items_dir = {home}/items
dbs_dir = {home}/dbs
jobs_to_keep = 20
finished_to_keep = 100
poll_interval = 0.2
max_proc = 4
"""


@contextmanager
def running_scrapyd(home: Path, timeout: float = 30) -> Iterator[Scrapyd]:
    """Scrapyd in ``home`` (its working directory: no scrapy.cfg there, as in production)."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (home / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port, home=home), "utf-8")
    log = (home / "scrapyd.out").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd", "--nodaemon", "--pidfile="],
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_clean_env(),
        start_new_session=True,
    )
    server = Scrapyd(base=f"http://127.0.0.1:{port}", home=home, proc=proc)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                server.api("daemonstatus.json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "scrapyd did not start:\n" + (home / "scrapyd.out").read_text()
                    ) from None
                time.sleep(0.1)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="newsbite-scrapyd-") as tmp:
        with running_scrapyd(Path(tmp) / "scrapyd") as server:
            print(server.deploy(copy_project(Path(tmp) / "project"), "1"))
            print(f"scrapyd at {server.base}, home {server.home}; Ctrl-C to stop")
            try:
                while True:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass


# -- pytest fixtures (imported by test_scrapyd.py and test_resume.py) -------------------------
try:
    import pytest
except ImportError:  # pragma: no cover - the __main__ use above
    pytest = None

if pytest is not None:

    @dataclass
    class Deployed:
        server: Scrapyd
        project: Path  # the deployed copy (tests may change its fixtures and deploy again)
        tmp: Path

    @pytest.fixture(scope="session")
    def deployed_scrapyd(tmp_path_factory) -> Iterator[Deployed]:
        """One Scrapyd for the session, with the project deployed as version "1"."""
        for tool in ("scrapyd", "scrapyd_client", "pkg_resources"):
            pytest.importorskip(tool)
        tmp = tmp_path_factory.mktemp("scrapyd")
        with running_scrapyd(tmp / "home") as server:
            project = copy_project(tmp / "project")
            server.deploy(project, "1")
            yield Deployed(server=server, project=project, tmp=tmp)


# Offline, fast, deterministic: every bundled fixture replayed, no politeness delays.
REPLAY = {
    "NEWSBITE_CASSETTE_MODE": "replay",
    "AUTOTHROTTLE_ENABLED": "false",
    "DOWNLOAD_DELAY": "0",
    "TELNETCONSOLE_ENABLED": "false",
}


def valid_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSONL file parsed; fails on a partial or invalid line."""
    data = path.read_bytes() if path.is_file() else b""
    assert not data or data.endswith(b"\n"), f"{path}: last line incomplete"
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]
