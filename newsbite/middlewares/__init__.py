"""Downloader middlewares: cassette record/replay, bot-wall detection."""
