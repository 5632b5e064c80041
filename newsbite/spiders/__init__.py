"""Spiders: one thin module per site on top of spiders.base.NewsSpider."""
