from newsbite.sites.theaustralian import THE_AUSTRALIAN
from newsbite.spiders.base import NewsSpider


class TheAustralianSpider(NewsSpider):
    """The Australian: `scrapy crawl theaustralian [-a topics=isis,newspoll | -a urls=...]`."""

    name = "theaustralian"
    profile = THE_AUSTRALIAN
