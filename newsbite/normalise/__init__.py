"""Pure normalisers the pipelines apply: chrome, captions, bylines, credits. No Scrapy here."""
