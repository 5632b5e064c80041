"""Errors that end a run with one clear line instead of a traceback."""

from __future__ import annotations


class UsageError(ValueError):
    """Wrong spider arguments or settings: one line saying what is wrong and what is accepted.
    Raised before any request; `scrapy crawl` exits with exitcodes.USAGE."""
