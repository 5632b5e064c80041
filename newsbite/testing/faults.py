"""Faults at fixed paths, `/_fault/<name>/...` on any host (DESIGN §10).

Each is deterministic and bounded: no fault holds a connection longer than its own limit,
and counted faults (429, 503) count per path, so every test gets its own sequence by choosing
its own path. Fault stories are valid News Corp story pages with their own 32-hex ids:
`FAULTS[name].path` is a story URL path on every simulated News Corp host.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qs

from newsbite.testing import markup, textgen
from newsbite.testing.sites import ACCESS_FREE, ACCESS_SUBSCRIBER, BY_NAME, SimPublisher, Story

HTML_UTF8 = "text/html; charset=utf-8"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + b"\x00\xff\xfe"
GZIP_BOMB_MB = 1024  # inflates to 1 GiB of spaces
HUGE_PAGE_BYTES = 20 * 1024 * 1024
NESTING = 10_000


@dataclass
class Reply:
    """What the server sends: a status, headers and a body (bytes, or chunks to stream)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterator[bytes] = b""
    chunk_delay: float = 0.0  # seconds between streamed chunks (slow drip)
    action: str | None = None  # "stall": headers then silence; "reset": RST mid-body
    limit: float = 0.0  # the most seconds a stall holds the connection


@dataclass
class Request:
    host: str  # as the client sent it, lower case, no port
    path: str  # without the query
    query: dict[str, list[str]]
    count: int  # how many times this path + query was asked, this one included
    seed: int

    def arg(self, name: str, default: float) -> float:
        try:
            return float(self.query.get(name, [default])[0])
        except ValueError:
            return default


@dataclass(frozen=True)
class Fault:
    name: str
    doc: str
    handler: Callable[[Request, SimPublisher], Reply]

    @property
    def story_id(self) -> str:
        return textgen.hex_digest("fault", self.name)

    @property
    def path(self) -> str:
        """A News Corp story URL path that answers with this fault."""
        return f"/_fault/{self.name}/{self.name}-story/news-story/{self.story_id}"


# --- the fault story ----------------------------------------------------------------------------


def fault_story(name: str, publisher: SimPublisher, seed: int, access: str = ACCESS_FREE) -> Story:
    rng = textgen.rng_for(seed, "fault", name)
    story_id = textgen.hex_digest("fault", name)
    path = f"/_fault/{name}/{name}-story/news-story/{story_id}"
    return Story(
        index=-1,
        local=-1,
        publisher=publisher.name,
        id=story_id,
        url=publisher.home + path,
        path=path,
        access=access,
        syndication=None,
        generation="2024",
        topics=(publisher.first_topic,),
        headline=textgen.headline(rng),
        section="_fault",
        published="2024-06-01T09:30:00+10:00",
    )


def story_page(req: Request, publisher: SimPublisher, name: str, **kw: Any) -> str:
    access = kw.pop("access", ACCESS_FREE)
    story = fault_story(name, publisher, req.seed, access)
    content = story.content(req.seed)
    return markup.newscorp_story(story, publisher, content, **kw)


def html(text: str | bytes, status: int = 200, content_type: str = HTML_UTF8) -> Reply:
    body = text.encode("utf-8") if isinstance(text, str) else text
    return Reply(status, {"Content-Type": content_type}, body)


# --- handlers -----------------------------------------------------------------------------------


def slow_drip(req: Request, pub: SimPublisher) -> Reply:
    body = story_page(req, pub, "slow-drip").encode()
    chunks = max(1, int(req.arg("chunks", 20)))
    size = -(-len(body) // chunks)
    parts = iter([body[i : i + size] for i in range(0, len(body), size)])
    reply = html(b"")
    reply.headers["Content-Length"] = str(len(body))
    reply.body, reply.chunk_delay = parts, req.arg("interval", 0.1)
    return reply


def stall(req: Request, pub: SimPublisher) -> Reply:
    reply = html(b"")
    reply.headers["Content-Length"] = "100000"
    reply.action, reply.limit = "stall", req.arg("seconds", 10)
    return reply


def reset(req: Request, pub: SimPublisher) -> Reply:
    body = story_page(req, pub, "reset").encode()
    reply = html(body[: len(body) // 2])
    reply.headers["Content-Length"] = str(len(body))
    reply.action = "reset"
    return reply


def retry_after(status: int) -> Callable[[Request, SimPublisher], Reply]:
    def handler(req: Request, pub: SimPublisher) -> Reply:
        succeed_on = int(req.arg("after", 3))
        if req.count >= succeed_on:
            return html(story_page(req, pub, str(status)))
        reply = html(f"<html><body><h1>{status}</h1><p>Try again later.</p></body></html>", status)
        reply.headers["Retry-After"] = str(int(req.arg("retry_after", 1)))
        return reply

    return handler


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, {"Location": location, "Content-Type": HTML_UTF8}, b"")


def redirect_loop(req: Request, pub: SimPublisher) -> Reply:
    # a -> b -> a ...: every hop is a different URL, so only REDIRECT_MAX_TIMES stops it
    hop = "b" if req.path.endswith("/a") else "a"
    base = req.path.rsplit("/", 1)[0] if req.path.endswith(("/a", "/b")) else req.path
    return redirect(f"{base}/{hop}")


def self_redirect(req: Request, pub: SimPublisher) -> Reply:
    return redirect(req.path, 301)


def offsite_redirect(req: Request, pub: SimPublisher) -> Reply:
    return redirect("https://offsite.invalid/elsewhere/news-story/" + "0" * 32)


@cache
def _bomb_parts() -> tuple[bytes, bytes, bytes, bytes]:
    """Raw deflate of 1 MiB of spaces, once: after the first block the compressor's window
    is all spaces, so every further MiB compresses to the same bytes (Z_SYNC_FLUSH)."""
    chunk = b" " * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(chunk) + comp.flush(zlib.Z_SYNC_FLUSH)
    repeat = comp.compress(chunk) + comp.flush(zlib.Z_SYNC_FLUSH)
    end = comp.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(GZIP_BOMB_MB):
        crc = zlib.crc32(chunk, crc)
    trailer = struct.pack("<II", crc, (GZIP_BOMB_MB << 20) & 0xFFFFFFFF)
    return first, repeat, end, trailer


def gzip_bomb_bytes() -> Iterator[bytes]:
    first, repeat, end, trailer = _bomb_parts()
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + first
    for _ in range(GZIP_BOMB_MB - 1):
        yield repeat
    yield end + trailer


def gzip_bomb(req: Request, pub: SimPublisher) -> Reply:
    first, repeat, end, trailer = _bomb_parts()
    size = 10 + len(first) + (GZIP_BOMB_MB - 1) * len(repeat) + len(end) + len(trailer)
    headers = {"Content-Type": HTML_UTF8, "Content-Encoding": "gzip", "Content-Length": str(size)}
    return Reply(200, headers, gzip_bomb_bytes())


def huge_page(req: Request, pub: SimPublisher) -> Reply:
    rng = textgen.rng_for(req.seed, "huge")
    filler = "\n".join(f"<p>{textgen.paragraph(rng)}</p>" for _ in range(200))
    repeats = HUGE_PAGE_BYTES // len(filler.encode()) + 1
    page = story_page(req, pub, "huge-page", extra_body=filler * repeats)
    return html(page)


def deep_nesting(req: Request, pub: SimPublisher) -> Reply:
    wrap = ("<div>" * NESTING, "</div>" * NESTING)
    return html(story_page(req, pub, "deep-nesting", wrap=wrap))


def png_as_html(req: Request, pub: SimPublisher) -> Reply:
    return html(PNG)


def wrong_content_type(req: Request, pub: SimPublisher) -> Reply:
    return html(
        story_page(req, pub, "wrong-content-type"), content_type="text/plain; charset=utf-8"
    )


def cp1252_story(req: Request, pub: SimPublisher, name: str) -> bytes:
    page = story_page(req, pub, name, charset_meta=False)
    # curly quotes, an en dash and é: bytes that differ between cp1252 and utf-8
    return page.replace("<p>", "<p>“Café” – ", 1).encode("cp1252")


def no_charset_cp1252(req: Request, pub: SimPublisher) -> Reply:
    return html(cp1252_story(req, pub, "no-charset-cp1252"), content_type="text/html")


def wrong_charset(req: Request, pub: SimPublisher) -> Reply:
    return html(cp1252_story(req, pub, "wrong-charset"), content_type=HTML_UTF8)


BOTWALL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>No Cookies | {title}</title></head>
<body>
  <h1>No Cookies</h1>
  <p>Please enable cookies in your browser settings to continue reading {title}.</p>
  <p class="reference">Reference ID: 0.{ref}</p>
</body>
</html>
"""


def botwall(req: Request, pub: SimPublisher) -> Reply:
    return html(BOTWALL_PAGE.format(title=pub.title, ref=textgen.hex_digest(req.path, length=12)))


JS_SHELL = """<!DOCTYPE html>
<html lang="en-AU"><head><meta charset="utf-8"><title>{title}</title>
<script src="/static/vendor.js" defer></script></head>
<body class="user-anonymous"><div id="app"></div>
<noscript>You need to enable JavaScript to read this story.</noscript>
<script>window.__STORY__ = {data};
document.addEventListener("DOMContentLoaded", function () {{
  var s = window.__STORY__, a = document.createElement("article");
  a.id = "story";
  a.innerHTML = "<h1 id='story-headline'></h1><div id='story-primary'></div>";
  a.querySelector("h1").textContent = s.headline;
  s.paragraphs.forEach(function (t) {{
    var p = document.createElement("p"); p.textContent = t;
    a.querySelector("#story-primary").appendChild(p);
  }});
  document.getElementById("app").appendChild(a);
}});</script></body></html>
"""


def js_shell(req: Request, pub: SimPublisher) -> Reply:
    story = fault_story("js-shell", pub, req.seed)
    content = story.content(req.seed)
    data = markup.json.dumps({"headline": story.headline, "paragraphs": content["paragraphs"]})
    return html(JS_SHELL.format(title=pub.title, data=data.replace("</", "<\\/")))


def bad_jsonld_type(req: Request, pub: SimPublisher) -> Reply:
    story = fault_story("bad-jsonld-type", pub, req.seed)
    content = story.content(req.seed)
    good = markup.newscorp_jsonld(story, pub, content)
    blocks = [
        {**good, "@type": 5},
        {**good, "@type": None},
        {**good, "@type": [{"@type": "NewsArticle"}, {"name": "x"}]},
    ]
    return html(markup.newscorp_story(story, pub, content, jsonld=blocks))


def bad_jsonld_position(req: Request, pub: SimPublisher) -> Reply:
    story = fault_story("bad-jsonld-position", pub, req.seed)
    content = story.content(req.seed)
    blocks = [
        markup.newscorp_jsonld(story, pub, content),
        markup.breadcrumbs_jsonld(story, pub, position="x"),
    ]
    return html(markup.newscorp_story(story, pub, content, jsonld=blocks))


def dated(name: str, value: str) -> Callable[[Request, SimPublisher], Reply]:
    def handler(req: Request, pub: SimPublisher) -> Reply:
        story = fault_story(name, pub, req.seed)
        content = story.content(req.seed)
        ld = markup.newscorp_jsonld(story, pub, content, datePublished=value, dateModified=...)
        page = markup.newscorp_story(story, pub, content, jsonld=[ld])
        if name == "future-date":  # the page's own date is the future one too
            page = page.replace(story.published, value)
        return html(page)

    return handler


def truncated_paywall(req: Request, pub: SimPublisher) -> Reply:
    story = fault_story("truncated-paywall", pub, req.seed, ACCESS_SUBSCRIBER)
    content = story.content(req.seed)
    ld = markup.newscorp_jsonld(
        story, pub, content, isAccessibleForFree=..., hasPart=...
    )  # no access flag at all: the body and the marker must say it
    return html(markup.newscorp_story(story, pub, content, jsonld=[ld], paywall_marker=True))


def javascript_image(req: Request, pub: SimPublisher) -> Reply:
    images = [
        {"src": "javascript:alert(1)", "caption": "A scripted image. Picture: AFP"},
        {"src": "data:image/png;base64,iVBORw0KGgo=", "caption": "An inline image. Picture: AAP"},
    ]
    return html(story_page(req, pub, "javascript-image", images=images))


URL_VARIANT_SUFFIXES = ("", "/", "/amp")


def url_variants(req: Request, pub: SimPublisher) -> Reply:
    # ?utm=, ?amp, /amp, a trailing slash, http or https, #fragment, an upper-case host: the
    # same page (the canonical link names the plain https URL).
    return html(story_page(req, pub, "url-variants"))


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "slow-drip",
            "story body trickles in ?chunks= (20) pieces every ?interval= (0.1) s",
            slow_drip,
        ),
        Fault(
            "stall",
            "headers (Content-Length 100000), no body until the client goes or ?seconds=10",
            stall,
        ),
        Fault("reset", "half the story, then the connection is reset (RST)", reset),
        Fault(
            "429",
            "429 with Retry-After: 1 until the ?after=-th (3rd) request of this path",
            retry_after(429),
        ),
        Fault(
            "503",
            "503 with Retry-After: 1 until the ?after=-th (3rd) request of this path",
            retry_after(503),
        ),
        Fault("redirect-loop", ".../a -> .../b -> .../a ... (302, never ends)", redirect_loop),
        Fault("self-redirect", "301 to its own URL", self_redirect),
        Fault("offsite-redirect", "302 to https://offsite.invalid/...", offsite_redirect),
        Fault("gzip-bomb", "~1 MB gzip on the wire inflating to 1 GiB of spaces", gzip_bomb),
        Fault("huge-page", "a 20 MB story page (valid story, huge filler)", huge_page),
        Fault("deep-nesting", "a story inside 10,000 nested divs", deep_nesting),
        Fault("png-as-html", "PNG bytes with Content-Type text/html", png_as_html),
        Fault("wrong-content-type", "a story page served as text/plain", wrong_content_type),
        Fault(
            "no-charset-cp1252",
            "cp1252 story bytes, no charset in header or meta",
            no_charset_cp1252,
        ),
        Fault("wrong-charset", "cp1252 story bytes, header says charset=utf-8", wrong_charset),
        Fault("botwall", '"No Cookies" bot wall page with HTTP 200', botwall),
        Fault("js-shell", "script-built page: empty div#app, the story in a JS blob", js_shell),
        Fault(
            "bad-jsonld-type",
            "JSON-LD @type 5, null and a list of objects (markup is valid)",
            bad_jsonld_type,
        ),
        Fault("bad-jsonld-position", 'BreadcrumbList position "x"', bad_jsonld_position),
        Fault(
            "relative-date",
            'JSON-LD datePublished "yesterday", #publish-date correct',
            dated("relative-date", "yesterday"),
        ),
        Fault(
            "future-date",
            "published 2999-01-01T00:00:00+10:00 (JSON-LD and #publish-date)",
            dated("future-date", "2999-01-01T00:00:00+10:00"),
        ),
        Fault(
            "truncated-paywall",
            "2 paragraphs + subscribe prompt marker, no JSON-LD access flag",
            truncated_paywall,
        ),
        Fault(
            "javascript-image", 'figure img src "javascript:..." and "data:..."', javascript_image
        ),
        Fault(
            "url-variants",
            "one story under ?utm=, ?amp, /amp, trailing /, http(s), #frag, HOST case",
            url_variants,
        ),
    )
}


def answer(path: str, query: str, host: str, count: int, seed: int) -> Reply | None:
    """The fault for `/_fault/<name>/...`, or None when `path` is no fault path."""
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != "_fault" or parts[2] not in FAULTS:
        return None
    publisher = BY_NAME["theaustralian"]
    from newsbite.testing.sites import PUBLISHERS  # host -> its own masthead when simulated

    bare = host[4:] if host.startswith("www.") else host
    publisher = next(
        (p for p in PUBLISHERS if bare in p.domains and p.kind == "newscorp_au"), publisher
    )
    request = Request(host, path, parse_qs(query, keep_blank_values=True), count, seed)
    return FAULTS[parts[2]].handler(request, publisher)
