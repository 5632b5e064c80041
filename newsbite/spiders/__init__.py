"""Spiders: one per publisher entry (made in `publishers`), and `news` for any site."""
