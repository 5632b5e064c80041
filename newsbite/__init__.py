"""newsbite: Scrapy spiders, pure extractors and pipelines for news sites."""

__version__ = "0.1.0"
