"""Bundled fixtures served live by URL: what a replay of each fixture answers, over HTTP.

pages/pages.json is read as `scrapy fixture` builds the synthetic cassette from it; a fixture
without pages/ is read from its cassette.yaml. A crawl against the simulator and a replay of
the same fixture then see the same bytes (DESIGN §7, §10).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from newsbite.fixtures import FIXTURES_ROOT, iter_fixture_dirs, page_responses

Response = tuple[int, dict[str, str], bytes]


def url_key(url: str) -> str:
    """host + path + query, host in lower case: how the simulator looks fixture URLs up."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{(parts.hostname or '').lower()}{parts.path or '/'}{query}"


def pages_json_responses(fixture_dir: Path) -> list[tuple[str, Response]]:
    """(url, response) of pages/pages.json, encoded and gzipped as the cassette builder does."""
    served = page_responses(fixture_dir)
    return [(url, (status, headers, body)) for url, status, headers, body in served]


def cassette_responses(fixture_dir: Path) -> list[tuple[str, Response]]:
    from newsbite.middlewares.cassette import load_cassette

    out = []
    for request, response in load_cassette(fixture_dir / "cassette.yaml").data:
        headers = {k: v[-1] if isinstance(v, list) else v for k, v in response["headers"].items()}
        body = response["body"]["string"]
        body = body.encode("utf-8") if isinstance(body, str) else body
        out.append((request.uri, (int(response["status"]["code"]), headers, body)))
    return out


def fixture_index(root: str | Path | None = None) -> dict[str, Response]:
    """Every bundled fixture's responses by url_key; the first fixture (sorted) wins a URL."""
    index: dict[str, Response] = {}
    for fixture_dir in iter_fixture_dirs(Path(root) if root else FIXTURES_ROOT):
        if (fixture_dir / "pages" / "pages.json").is_file():
            responses = pages_json_responses(fixture_dir)
        elif (fixture_dir / "cassette.yaml").is_file():
            responses = cassette_responses(fixture_dir)
        else:
            continue
        for url, response in responses:
            index.setdefault(url_key(url), response)
    return index
