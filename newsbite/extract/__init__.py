"""Pure extractors: (url, parsel.Selector) -> fields. No Scrapy objects here.

Platform parsers live one module (or package) per platform, one class per markup generation
(see newsbite.publishers.base.ArticleParser); `generic` reads pages no platform parser knows.
Which parser reads a page is decided in newsbite.process.extract_fields.
"""
