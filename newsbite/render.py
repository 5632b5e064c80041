"""JavaScript rendering with scrapy-playwright, only when needed (issue 4, DESIGN §1).

* ``render_mode(settings, spidercls)``: ``NEWSBITE_RENDER`` = never | auto | always. A value
  given on the command line or in a spider's ``custom_settings`` wins; else the publisher entry's
  ``render`` (when it is set, i.e. not None); else the project setting (default ``auto``).
* ``RenderAddon`` (a Scrapy add-on, ``ADDONS``): installs the playwright download handler for
  http/https only when rendering is possible -- mode auto/always and a Chromium found -- and
  fills in ``PLAYWRIGHT_*`` defaults at add-on priority (project settings and ``-s`` override
  them). In auto without a browser it warns and leaves the crawl static; in always it stops
  the crawl at start with a clear message.
* ``LazyPlaywrightDownloadHandler``: scrapy-playwright 0.0.48 builds its handler eagerly (it
  inherits ``lazy = False`` from the HTTP/1.1 handler) and starts the Playwright driver (a Node
  process) on ``engine_started``; Chromium itself is launched only on the first playwright
  request. This subclass defers the driver too, so a crawl with no page to render starts no
  browser process at all; non-playwright requests go through the plain HTTP/1.1 handler.
* ``abort_heavy_resources``: the ``PLAYWRIGHT_ABORT_REQUEST`` predicate (images, fonts, media).
* ``detect_shell(sel)``: the static page lacks the story and scripts build it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from lxml import etree
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newsbite.extract.botwall import visible_text_length

logger = logging.getLogger(__name__)

MODES = ("never", "auto", "always")
DEFAULT_MODE = "auto"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
HANDLER = "newsbite.render.LazyPlaywrightDownloadHandler"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ABORTED_RESOURCE_TYPES = frozenset({"image", "font", "media"})
PLAYWRIGHT_DEFAULTS: dict[str, Any] = {
    "PLAYWRIGHT_BROWSER_TYPE": "chromium",
    "PLAYWRIGHT_MAX_CONTEXTS": 1,
    "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
    "PLAYWRIGHT_ABORT_REQUEST": "newsbite.render.abort_heavy_resources",
    "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
}


class RenderUnavailable(RuntimeError):
    """NEWSBITE_RENDER=always and no browser to render with."""


def normalise_mode(value: Any, where: str = "NEWSBITE_RENDER") -> str:
    mode = str(value or "").strip().lower() or DEFAULT_MODE
    if mode not in MODES:
        raise ValueError(f"{where} must be one of {', '.join(MODES)}, got {value!r}")
    return mode


def publisher_of(spidercls: Any) -> Any:
    """The registry's entry for the spider's name (None for a spider no entry names)."""
    from newsbite import publishers

    try:
        return publishers.get(getattr(spidercls, "name", None) or "")
    except KeyError:
        return None


def render_mode(settings: BaseSettings, spidercls: Any = None) -> str:
    explicit = (settings.getpriority("NEWSBITE_RENDER") or 0) >= SETTINGS_PRIORITIES["spider"]
    if not explicit:
        publisher = publisher_of(spidercls)
        publisher_mode = getattr(publisher, "render", None)
        if publisher_mode:
            return normalise_mode(publisher_mode, f"{publisher.name} publisher entry's render")
    return normalise_mode(settings.get("NEWSBITE_RENDER"))


def find_browser(settings: BaseSettings, environ: dict[str, str] | None = None) -> str | None:
    """The Chromium executable rendering would use, or None when there is none.

    PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"] if set, else NEWSBITE_CHROMIUM (setting or
    environment), else /usr/bin/chromium, else `chromium` on PATH. A remote browser
    (PLAYWRIGHT_CDP_URL / PLAYWRIGHT_CONNECT_URL) counts as available.
    """
    environ = os.environ if environ is None else environ
    if settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL"):
        return str(settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL"))
    launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") or {}
    candidates = [
        launch.get("executable_path"),
        settings.get("NEWSBITE_CHROMIUM") or environ.get("NEWSBITE_CHROMIUM"),
    ]
    if not any(candidates):
        candidates += [DEFAULT_CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")]
    for path in candidates:
        if path and Path(path).is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def rendering_installed(settings: BaseSettings) -> bool:
    """Whether http/https go through a scrapy-playwright handler in this crawl."""
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    return any(_is_playwright_handler(handlers.get(s)) for s in ("http", "https"))


def _is_playwright_handler(path: Any) -> bool:
    if not path:
        return False
    if not isinstance(path, str):
        path = f"{path.__module__}.{path.__qualname__}"
    return path == HANDLER or "scrapy_playwright" in path


def abort_heavy_resources(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: the story is text; images, fonts and media are not fetched."""
    return request.resource_type in ABORTED_RESOURCE_TYPES


# --- the add-on ---------------------------------------------------------------------------------


class RenderAddon:
    """Decides, before the crawl starts, whether this crawl can render at all."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        mode = render_mode(settings, self.crawler.spidercls)
        name = getattr(self.crawler.spidercls, "name", "?")
        settings.set("NEWSBITE_RENDER_EFFECTIVE", mode, "addon")
        if mode == "never":
            return
        browser = find_browser(settings)
        if browser is None:
            if mode == "always":
                raise RenderUnavailable(
                    f"NEWSBITE_RENDER=always for spider {name!r} but no Chromium was found "
                    f"(looked at PLAYWRIGHT_LAUNCH_OPTIONS executable_path, NEWSBITE_CHROMIUM, "
                    f"{DEFAULT_CHROMIUM}, chromium on PATH). Install Chromium, point "
                    f"NEWSBITE_CHROMIUM at it, or crawl with -s NEWSBITE_RENDER=auto|never."
                )
            logger.warning(
                "NEWSBITE_RENDER=auto but no Chromium was found (set NEWSBITE_CHROMIUM or "
                "PLAYWRIGHT_LAUNCH_OPTIONS executable_path): crawling static pages only; "
                "script-built pages will be flagged, not rendered"
            )
            settings.set("NEWSBITE_RENDER_EFFECTIVE", "static-only", "addon")
            return
        handlers = settings["DOWNLOAD_HANDLERS"]
        for scheme in ("http", "https"):
            # The add-on priority yields to a handler the project or -s set explicitly.
            handlers.set(scheme, HANDLER, "addon")
        for key, value in PLAYWRIGHT_DEFAULTS.items():
            settings.set(key, value, "addon")
        launch = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") or {})
        if not (settings.get("PLAYWRIGHT_CDP_URL") or settings.get("PLAYWRIGHT_CONNECT_URL")):
            launch.setdefault("executable_path", browser)
            launch.setdefault("headless", True)
            launch.setdefault("args", list(CHROMIUM_ARGS))
            prio = max(
                settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS") or 0, SETTINGS_PRIORITIES["addon"]
            )
            settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, prio)
        logger.info("rendering: %s (Chromium %s, started only if a page needs it)", mode, browser)


# --- the lazy handler ---------------------------------------------------------------------------

try:  # scrapy-playwright is a dependency, but keep the module importable without it
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
except ImportError:  # pragma: no cover
    ScrapyPlaywrightDownloadHandler = None  # type: ignore[assignment,misc]


if ScrapyPlaywrightDownloadHandler is not None:

    class LazyPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
        """scrapy-playwright's handler that starts Playwright on the first playwright request."""

        def __init__(self, crawler: Crawler) -> None:
            super().__init__(crawler)
            self._newsbite_launched = False
            self._newsbite_launch_lock = asyncio.Lock()

        # scrapy-playwright connects these to engine_started; here they do nothing.
        async def _maybe_launch_in_thread(self) -> None:
            return None

        def _engine_started(self):  # older Scrapy API
            return None

        async def _download_request(self, request, spider=None):
            if not self._newsbite_launched:
                async with self._newsbite_launch_lock:
                    if not self._newsbite_launched:
                        await self._maybe_future_from_coro(self._launch())
                        self._newsbite_launched = True
                        self.stats.set_value("newsbite/render/browser_started", True)
            return await super()._download_request(request, spider)


# --- shells ---------------------------------------------------------------------------------------

APP_ROOTS = "#root, #app, #__next, #__nuxt, [data-reactroot], [ng-app], #story-root"
# Where a story's paragraphs live when the static page holds them.
# The cheap substring test guards the class-token test: normalize-space() on the class of
# every element of every page was most of this walk's cost.
_STORY_CONTAINERS = etree.XPath(
    "/descendant::*[@id='story-body' or @id='story-primary' or self::article or self::main"
    " or (contains(@class, 'story-body')"
    " and contains(concat(' ', normalize-space(@class), ' '), ' story-body '))]"
)
_SCRIPTS = etree.XPath(
    "count(/descendant::script[not(@type) or @type='module' or contains(@type, 'javascript')])"
)
MIN_STORY_TEXT = 200  # characters of paragraph text that make a page not a shell
MAX_SHELL_TEXT = 600  # a page with more visible text than this is not a shell


def detect_shell(sel: Selector) -> str | None:
    """Why the static page looks like an empty shell that scripts fill in, or None.

    The page has (almost) no story text, and either an empty app root element or scripts.
    A small page without scripts is not a shell: rendering would not add anything.
    Linear in the page size, cheapest test first: the story container's paragraphs (stops as
    soon as there is enough text), then the visible text, then scripts and app roots.
    """
    root = sel.root
    if not isinstance(root, etree._Element):
        return None
    if story_text_at_least(root, MIN_STORY_TEXT):
        return None
    if visible_text_length(sel) > MAX_SHELL_TEXT:
        return None
    scripts = int(_SCRIPTS(root))
    if not scripts:
        return None
    for app in sel.css(APP_ROOTS):
        if not app.xpath("normalize-space(.)").get():
            key = app.attrib.get("id") or next(iter(app.attrib), "root")
            return f"empty-app-root:{key}"
    return f"script-built:{scripts}-scripts"


def story_text_at_least(root: etree._Element, wanted: int) -> bool:
    """Whether the story containers' <p> text reaches `wanted` characters; stops when it does.
    A container inside another is not counted twice."""
    outer: list[etree._Element] = []
    for container in _STORY_CONTAINERS(root):
        if not any(a in outer for a in container.iterancestors()):
            outer.append(container)
    total = 0
    for container in outer:
        for p in container.iter("p"):
            total += sum(len(t.strip()) for t in p.itertext())
            if total >= wanted:
                return True
    return False
