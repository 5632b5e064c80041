"""One spider per publisher entry: `scrapy list` shows every name in the registry.

The classes are made here from the entries, so adding a publisher adds its spider with no
code. Scrapy's spider loader finds them as classes of this module.
"""

from __future__ import annotations

from newsbite.publishers import Publisher, all_publishers
from newsbite.spiders.base import PublisherSpider


def spider_for(publisher: Publisher) -> type[PublisherSpider]:
    """The spider class of one publisher entry."""
    class_name = "".join(part.capitalize() for part in publisher.name.split("_")) + "Spider"
    return type(
        class_name,
        (PublisherSpider,),
        {
            "name": publisher.name,
            "publisher": publisher,
            "__module__": __name__,
            "__doc__": f"{publisher.title}: scrapy crawl {publisher.name} [-a ...]",
        },
    )


SPIDERS = {publisher.name: spider_for(publisher) for publisher in all_publishers()}
globals().update({cls.__name__: cls for cls in SPIDERS.values()})
