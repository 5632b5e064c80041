"""Decide, per request, whether a page goes through headless Chromium (issue 4).

``NEWSBITE_RENDER`` (see ``newsbite.render.render_mode``):

* ``never``  -- static only; a script-built page is flagged (stat + warning), never rendered;
* ``auto``   -- static first; a page answer that lacks the story and looks script-built
  (classified once by ``newsbite.classify``, or the spider's ``needs_rendering(response)``
  hook when it has one) is asked again, once, with ``meta["playwright"]`` and ``dont_filter``;
* ``always`` -- every page request (not robots.txt) carries ``meta["playwright"]``.

Priority 570: below the bot-wall middleware (580), whose process_response runs first, so a
challenge page is never rendered (a browser that runs challenge scripts would be a way round
the wall), and below HttpCompressionMiddleware (590), so bodies are decoded.

In cassette replay the recorded (rendered) answer stands in for the browser, so auto/always
stay on there even when no browser is installed.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse

from newsbite.classify import SHELL, classification_of, is_page_request
from newsbite.render import RenderUnavailable, render_mode, rendering_installed

logger = logging.getLogger(__name__)

META_RENDER = "newsbite_render"  # why this request is rendered: "always" | "auto:<signal>"


def was_rendered(request: Request, response: Response) -> bool:
    return "playwright" in (response.flags or []) or bool(request.meta.get("playwright"))


class RenderMiddleware:
    def __init__(self, crawler: Crawler, mode: str, can_render: bool) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.mode = mode
        self.can_render = can_render
        s = crawler.settings
        self.goto_kwargs: dict[str, Any] = {
            "wait_until": s.get("NEWSBITE_RENDER_WAIT_UNTIL") or "networkidle",
        }
        self.flagged_warned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderMiddleware:
        s = crawler.settings
        mode = render_mode(s, crawler.spidercls)
        replay = str(s.get("NEWSBITE_CASSETTE_MODE") or "none").lower() == "replay"
        can_render = rendering_installed(s) or replay
        if mode == "always" and not can_render:
            raise RenderUnavailable(
                "NEWSBITE_RENDER=always but no playwright download handler is installed for "
                "http/https: enable newsbite.render.RenderAddon in ADDONS (it installs one when "
                "Chromium is found) or crawl with -s NEWSBITE_RENDER=auto|never."
            )
        if mode == "auto" and not can_render and s.get("NEWSBITE_RENDER_EFFECTIVE") is None:
            logger.warning(
                "NEWSBITE_RENDER=auto without a playwright download handler: static only"
            )
        crawler.stats.set_value("newsbite/render/mode", mode if can_render else f"{mode}/static")
        return cls(crawler, mode, can_render)

    def render_request(self, request: Request, reason: str) -> None:
        request.meta["playwright"] = True
        request.meta[META_RENDER] = reason
        goto = dict(self.goto_kwargs)
        goto.update(request.meta.get("playwright_page_goto_kwargs") or {})
        request.meta["playwright_page_goto_kwargs"] = goto

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if (
            self.mode == "always"
            and self.can_render
            and not request.meta.get("playwright")
            and is_page_request(request)
        ):
            self.render_request(request, "always")
            self.stats.inc_value("newsbite/render/requests/always")
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response | Request:
        if (
            self.mode == "always"
            or not isinstance(response, TextResponse)
            or response.status != 200
            or not is_page_request(request)
        ):
            return response
        rendered = was_rendered(request, response)
        if rendered or request.meta.get(META_RENDER):
            if rendered:
                self.stats.inc_value("newsbite/render/rendered")
            return response
        signal = self.shell_signal(response, spider or self.crawler.spider)
        if signal is None:
            return response
        self.stats.inc_value("newsbite/render/shell")
        self.stats.inc_value(f"newsbite/render/shell/{signal.split(':', 1)[0]}")
        if self.mode == "auto" and self.can_render:
            logger.info("script-built page (%s), rendering it: %s", signal, request.url)
            retry = request.copy()
            retry.dont_filter = True
            self.render_request(retry, f"auto:{signal}")
            self.stats.inc_value("newsbite/render/requests/auto")
            return retry
        # never, or auto without a browser: keep the static page, flagged.
        self.stats.inc_value("newsbite/render/not_rendered")
        logger.warning(
            "script-built page (%s) not rendered (NEWSBITE_RENDER=%s%s): %s",
            signal,
            self.mode,
            ", no browser" if self.mode == "auto" else "",
            request.url,
        )
        response.flags.append(f"shell:{signal}")
        return response

    def shell_signal(self, response: TextResponse, spider: Spider | None) -> str | None:
        hook = getattr(spider, "needs_rendering", None)
        if callable(hook):
            verdict = hook(response)
            if verdict is not None:
                return (verdict if isinstance(verdict, str) else "spider") if verdict else None
        # Classified once (newsbite.classify): a wall is never a shell, so never rendered.
        found = classification_of(response, self.stats)
        return found.signal if found.verdict == SHELL else None
