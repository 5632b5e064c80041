"""A real redis-server for tests: a free loopback port, a temporary folder, no persistence.

    with RedisServer.start(tmp_path) as server:
        server.url          # redis://127.0.0.1:PORT/0
        server.client()     # a redis.Redis on it

`redis_server` is a pytest fixture over it. Without a redis-server binary the test is skipped
on a developer machine and fails under CI (env CI set), where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

START_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str:
    """The redis-server path; skip (developer) or fail (CI) when there is none."""
    path = shutil.which("redis-server")
    if path:
        return path
    message = "redis-server is not installed (apt-get install redis-server)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError  # unreachable


@dataclass
class RedisServer:
    port: int
    folder: Path
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10)

    @classmethod
    def launch(cls, folder: Path) -> RedisServer:
        binary = redis_server_binary()
        folder.mkdir(parents=True, exist_ok=True)
        last_error = ""
        for _ in range(3):  # a free port can be taken between the check and the bind
            port = free_port()
            log = folder / f"redis-{port}.log"
            proc = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(folder),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--logfile",
                    str(log),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            server = cls(port, folder, proc)
            if server.wait_ready():
                return server
            server.stop()
            last_error = log.read_text(errors="replace")[-500:] if log.exists() else ""
        raise RuntimeError(f"redis-server did not start: {last_error}")

    def wait_ready(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        client = self.client()
        try:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    return False
                try:
                    if client.ping():
                        return True
                except redis.ConnectionError:
                    time.sleep(0.05)
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer.launch(tmp_path / "redis")
    try:
        yield server
    finally:
        server.stop()


# -- crawl workers (tests/test_scaleout.py, benchmarks/scaleout.py) ---------------------------

ROOT = Path(__file__).resolve().parent.parent


def worker_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker process: the project's settings, this Redis."""
    env = dict(os.environ)
    env.update(
        SCRAPY_SETTINGS_MODULE="newsbite.settings",
        NEWSBITE_REDIS_URL=redis_url,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    env.update(extra)
    return env


def crawl_command(spider: str, settings: dict[str, object], args: dict[str, str]) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for name, value in args.items():
        command += ["-a", f"{name}={value}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


@dataclass
class Worker:
    """One `scrapy crawl` process; its log is kept beside its output."""

    name: str
    proc: subprocess.Popen
    log: Path

    @classmethod
    def start(
        cls,
        name: str,
        folder: Path,
        redis_url: str,
        spider: str,
        settings: dict[str, object],
        args: dict[str, str] | None = None,
    ) -> Worker:
        log = folder / f"{name}.log"
        handle = log.open("ab")
        proc = subprocess.Popen(
            crawl_command(spider, settings, args or {}),
            cwd=folder,
            env=worker_env(redis_url),
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()
        return cls(name, proc, log)

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.proc.kill()
            self.proc.wait(timeout=10)
            message = f"{self.name} did not exit in {timeout:.0f} s: {self.tail()}"
            raise AssertionError(message) from exc

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def feed_files(folder: Path, spider: str) -> list[Path]:
    """The per-worker default feeds: output/<spider>/<time>-<host>-<pid>.jsonl."""
    return sorted((folder / "output" / spider).glob("*.jsonl"))


def read_ids(path: Path) -> list[str]:
    import json

    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["id"] for line in f if line.strip()]
