"""Test helpers: a crawler for the project's spider, and the pipelines chain without a reactor."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newsbite.spiders.base import PublisherSpider
from newsbite.spiders.publishers import SPIDERS

TheAustralianSpider = SPIDERS["theaustralian"]


def make_spider(settings: dict[str, Any] | None = None, **kwargs: Any) -> PublisherSpider:
    project = get_project_settings().copy_to_dict()
    crawler = get_crawler(TheAustralianSpider, {**project, **(settings or {})})
    spider = TheAustralianSpider.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


def html_response(url: str, body: bytes | str, encoding: str = "utf-8", **kw: Any) -> HtmlResponse:
    data = body.encode(encoding) if isinstance(body, str) else body
    return HtmlResponse(
        url,
        body=data,
        encoding=kw.pop("force_encoding", None) or encoding,
        request=Request(url),
        **kw,
    )


def run_pipelines(spider: PublisherSpider, item: Any) -> dict[str, Any] | None:
    """The project's ITEM_PIPELINES in order; None when one drops the item."""
    order = sorted(spider.settings.getdict("ITEM_PIPELINES").items(), key=lambda kv: kv[1])
    for path, _ in order:
        try:
            pipeline = load_object(path).from_crawler(spider.crawler)
        except NotConfigured:  # optional pipelines (incremental) switched off
            continue
        try:
            item = pipeline.process_item(item)
        except DropItem:
            return None
    return ItemAdapter(item).asdict()


def crawl_response(spider: PublisherSpider, response: Response, depth: int | None = None) -> list:
    return list(spider.parse_article(response, depth=depth))
