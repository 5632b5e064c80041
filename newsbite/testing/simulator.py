"""The news-site simulator: one local HTTP server for tests, benchmarks and scale-out runs.

    python -m newsbite.testing.simulator --stories N --port P [--latency MS] [--seed S]
        [--topics T] [--page-size K] [--fixtures] [--publishers a,b]

prints one line (its address and the NEWSBITE_HOST_MAP value that routes every simulated
publisher to it) and serves until killed. From Python:

    with Simulator(stories=1000, latency_ms=50) as sim:
        settings = {"NEWSBITE_HOST_MAP": sim.host_map()}
        sim.catalogue("theaustralian")   # every generated story: url, id, access, topics ...

What answers a request, first match wins: the route table (`routes`, one-off responses for a
test, by path or by full URL), bundled fixtures by URL (`fixtures=True`), faults
(`/_fault/<name>/...`, see faults.FAULTS), then the generated site of the Host header (an
unknown host gets the first simulated publisher). Generated pages are built per request from
(seed, index); nothing is stored (DESIGN §10).
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import select
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from newsbite.testing import faults, markup
from newsbite.testing.faults import Reply
from newsbite.testing.fixture_pages import fixture_index, url_key
from newsbite.testing.sites import BY_NAME, NEWSCORP, PUBLISHERS, SimPublisher, SiteModel

Route = tuple[int, dict[str, str], bytes]
RouteValue = Route | Reply | Callable[[int], "Route | Reply"]
SITEMAP_SIZE = 1000  # URLs per news sitemap
RSS_SIZE = 50


@dataclass(frozen=True)
class Hit:
    """One request as the server saw it."""

    host: str  # the Host header, lower case, without the port
    path: str  # path and query, as sent
    headers: dict[str, str]
    time: float  # time.monotonic() on arrival
    method: str = "GET"


def html_route(body: bytes | str, status: int = 200) -> Route:
    """A one-off HTML response for the route table."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return (status, {"Content-Type": "text/html; charset=utf-8"}, data)


class Simulator:
    """The simulated sites on 127.0.0.1, served from a background thread (a context manager)."""

    def __init__(
        self,
        stories: int = 100,
        *,
        latency_ms: float = 0,
        seed: int = 0,
        topics: int = 40,
        page_size: int = 20,
        routes: dict[str, RouteValue] | None = None,
        fixtures: bool = False,
        publishers: tuple[str, ...] | list[str] | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        chosen = tuple(BY_NAME[n] for n in publishers) if publishers else PUBLISHERS
        self.model = SiteModel(stories, seed, topics, page_size, chosen)
        self.latency = latency_ms / 1000
        self.routes: dict[str, RouteValue] = dict(routes or {})
        self.fixtures = fixture_index() if fixtures else {}
        self.hits: list[Hit] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._bind = (host, port)
        self._httpd: _Server | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Simulator:
        self._httpd = _Server(self._bind, _handler_for(self))
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._stopping.set()
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        self._httpd = _Server(self._bind, _handler_for(self))
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    # -- addresses ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the simulator is not running")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """`path` on this server, reached directly (no host map)."""
        return f"http://{host}:{self.port}{path}"

    def host_map(self) -> str:
        """The NEWSBITE_HOST_MAP value routing every simulated publisher domain here."""
        return ",".join(f"{d}=127.0.0.1:{self.port}" for d in self.model.hosts())

    def fault_url(self, name: str, host: str = "www.theaustralian.com.au") -> str:
        """The real-looking story URL of fault `name` (reached through the host map)."""
        return f"https://{host}{faults.FAULTS[name].path}"

    # -- the catalogue -----------------------------------------------------------------------
    def catalogue(self, publisher: str | None = None) -> list[Any]:
        return self.model.catalogue(publisher)

    def story(self, index: int) -> Any:
        return self.model.story(index)

    # -- what was asked ----------------------------------------------------------------------
    def count(self, path: str) -> int:
        """How many requests asked for `path` (path and query, as sent)."""
        return sum(1 for h in self.hits if h.path == path)

    def _record(self, hit: Hit) -> int:
        with self._lock:
            self.hits.append(hit)
            self._counts[hit.host + hit.path] = n = self._counts.get(hit.host + hit.path, 0) + 1
        return n

    # -- answering ---------------------------------------------------------------------------
    def answer(self, host: str, target: str, count: int) -> Reply:
        """The reply to GET `target` (path and query) on `host`."""
        parts = urlsplit(target)
        route = self.routes.get(f"{host}{target}", self.routes.get(target))
        if route is None:
            route = self.routes.get(
                f"https://{host}{target}", self.routes.get(f"http://{host}{target}")
            )
        if route is not None:
            if callable(route):
                route = route(count)
            return route if isinstance(route, Reply) else Reply(*route)
        fixture = self.fixtures.get(url_key(f"https://{host}{target}"))
        if fixture is not None:
            return Reply(*fixture)
        fault = faults.answer(parts.path, parts.query, host, count, self.model.seed)
        if fault is not None:
            return fault
        publisher = self.model.publisher_for_host(host) or self.model.publishers[0]
        return self._generated(publisher, host, parts.path, parse_qs(parts.query))

    def _generated(
        self, pub: SimPublisher, host: str, path: str, query: dict[str, list[str]]
    ) -> Reply:
        model = self.model
        # News Corp links always name www.<domain>; The Times answers on both of its hosts.
        home = (
            pub.home
            if pub.kind == NEWSCORP
            else f"https://www.{_bare(host) if _bare(host) in pub.domains else pub.domains[0]}"
        )
        if path == "/robots.txt":
            return _text(markup.robots_txt(home), "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            pages = -(-model.count(pub) // SITEMAP_SIZE)
            # the first news sitemap is listed gzipped: both forms are served for every one
            locs = [
                f"{home}/sitemaps/news-{k}.xml" + (".gz" if k == 1 else "")
                for k in range(1, pages + 1)
            ]
            return _text(markup.sitemap_index(locs), "application/xml")
        if path.startswith("/sitemaps/news-"):
            return self._sitemap(pub, home, path)
        topic_prefix = "/topics/" if pub.kind == NEWSCORP else "/topic/"
        if path.startswith(topic_prefix):
            return self._topic(pub, host, path[len(topic_prefix) :], query)
        if path.endswith("/rss") and path.count("/") == 2:
            return self._rss(pub, home, path.split("/")[1])
        story = model.story_for_path(pub, path)
        if story is not None:
            content = story.content(model.seed)
            if pub.kind != NEWSCORP:
                page = markup.times_story(story, pub, content, _www(home))
            elif story.generation == "2015":
                page = markup.newscorp_story_2015(story, pub, content)
            else:
                page = markup.newscorp_story(story, pub, content)
            return _text(page)
        if path == "/":
            first = pub.first_topic
            return _text(
                f'<html><body><a href="{home}{topic_prefix}{first}">{first}</a></body></html>'
            )
        return _text("<html><body><h1>Not found</h1></body></html>", status=404)

    def _sitemap(self, pub: SimPublisher, home: str, path: str) -> Reply:
        name = path[len("/sitemaps/news-") :]
        zipped = name.endswith(".xml.gz")
        number = name.removesuffix(".gz").removesuffix(".xml")
        if not number.isdigit() or not name.endswith((".xml", ".xml.gz")):
            return _text("not found", status=404)
        start = (int(number) - 1) * SITEMAP_SIZE
        end = min(start + SITEMAP_SIZE, self.model.count(pub))
        if start < 0 or start >= end:
            return _text("not found", status=404)
        stories = [self.model.local_story(pub, j) for j in range(start, end)]
        language = "en-GB" if pub.kind != NEWSCORP else "en"
        xml = markup.news_sitemap(pub.title, stories, home, language).encode()
        if zipped:
            return Reply(200, {"Content-Type": "application/x-gzip"}, gzip.compress(xml, mtime=0))
        return Reply(200, {"Content-Type": "application/xml"}, xml)

    def _topic(self, pub: SimPublisher, host: str, slug: str, query: dict[str, list[str]]) -> Reply:
        names = self.model.topic_names(pub)
        page_arg = query.get("page", ["1"])[0]
        if slug not in names or not page_arg.isdigit() or int(page_arg) < 1:
            return _text("<html><body><h1>Not found</h1></body></html>", status=404)
        page = int(page_arg)
        stories, more = self.model.topic_stories(pub, names.index(slug), page)
        if page > 1 and not stories:
            return _text("<html><body><h1>Not found</h1></body></html>", status=404)
        if pub.kind == NEWSCORP:
            return _text(markup.newscorp_topic_page(pub, slug, page, stories, more))
        return _text(markup.times_topic_page(_www(host), slug, page, stories, more))

    def _rss(self, pub: SimPublisher, home: str, section: str) -> Reply:
        if section not in self.model.sections[pub.name]:
            return _text("not found", status=404)
        found = []
        for j in range(self.model.count(pub)):  # newest first; stops after RSS_SIZE
            story = self.model.local_story(pub, j)
            if story.section == section:
                found.append(story)
                if len(found) == RSS_SIZE:
                    break
        return _text(markup.rss(home, pub.title, section, found, home), "application/rss+xml")


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _www(host_or_home: str) -> str:
    host = host_or_home.split("://", 1)[-1]
    return host if host.startswith("www.") else f"www.{host}"


def _text(text: str, content_type: str = "text/html; charset=utf-8", status: int = 200) -> Reply:
    return Reply(status, {"Content-Type": content_type}, text.encode("utf-8"))


# --- the HTTP server ----------------------------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # many crawler connections at once


def _handler_for(sim: Simulator) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy's HTTP/1.1 client expects

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            host = (self.headers.get("Host") or "").split(":")[0].lower().rstrip(".")
            hit = Hit(host, self.path, dict(self.headers.items()), time.monotonic(), "GET")
            count = sim._record(hit)
            if sim.latency:
                time.sleep(sim.latency)  # in this connection's own thread: never serialised
            try:
                reply = sim.answer(host, self.path, count)
            except Exception as exc:  # a simulator bug must show as a 500, not a hang
                reply = _text(f"simulator error: {exc!r}", "text/plain", 500)
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout test)

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            headers = dict(reply.headers)
            if isinstance(reply.body, bytes):
                headers.setdefault("Content-Length", str(len(reply.body)))
            elif "Content-Length" not in headers:
                headers["Connection"] = "close"
                self.close_connection = True
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if reply.action == "stall":
                self._stall(reply.limit)
                return
            chunks: Iterator[bytes] = (
                iter([reply.body]) if isinstance(reply.body, bytes) else reply.body
            )
            for chunk in chunks:
                self.wfile.write(chunk)
                if reply.chunk_delay:
                    self.wfile.flush()
                    if sim._stopping.wait(reply.chunk_delay):
                        break
            self.wfile.flush()
            if reply.action == "reset":
                self._reset()

        def _stall(self, limit: float) -> None:
            """Say nothing more until the client closes, the limit passes or the server stops."""
            self.wfile.flush()
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline and not sim._stopping.is_set():
                readable, _, _ = select.select([self.connection], [], [], 0.1)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    break  # the client hung up
            self.close_connection = True

        def _reset(self) -> None:
            # SO_LINGER 0: close() sends RST instead of FIN, mid-body
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        def log_message(self, *args: Any) -> None:  # quiet: tests read hits, not logs
            pass

    return Handler


# --- the command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsbite.testing.simulator", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--stories", type=int, required=True, help="stories over all publishers")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--latency", type=float, default=0, help="milliseconds before each answer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--topics", type=int, default=40, help="topics per publisher")
    parser.add_argument("--page-size", type=int, default=20, help="stories per topic page")
    parser.add_argument("--fixtures", action="store_true", help="serve bundled fixtures by URL")
    parser.add_argument("--publishers", default="", help="comma-separated names (default: all)")
    args = parser.parse_args(argv)
    names = [n for n in args.publishers.split(",") if n]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown publishers {unknown}; known: {', '.join(BY_NAME)}")
    sim = Simulator(
        args.stories,
        latency_ms=args.latency,
        seed=args.seed,
        topics=args.topics,
        page_size=args.page_size,
        fixtures=args.fixtures,
        publishers=names or None,
        port=args.port,
    )
    sim._httpd = _Server(sim._bind, _handler_for(sim))
    print(f"{sim.base_url} NEWSBITE_HOST_MAP={sim.host_map()}", flush=True)
    try:
        sim._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim._httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
