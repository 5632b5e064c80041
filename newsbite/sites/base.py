"""A site is data: domains, start topics, URL patterns and the platform parser it uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SiteProfile:
    name: str
    domains: tuple[str, ...]
    platform: str
    topic_url: str
    default_topics: tuple[str, ...]
    story_url: re.Pattern[str]
    topic_path: re.Pattern[str]
    timezone: str = "UTC"
    language: str = "en"
    # Where a story without a structured publisher sits in the URL: /world/the-times/ etc.
    syndication_sections: dict[str, str] = field(default_factory=dict)
    render: str | None = None  # never | auto | always; None = NEWSBITE_RENDER decides

    def story_id(self, url: str) -> str | None:
        match = self.story_url.search(url)
        return match.group("id") if match else None

    def is_story(self, url: str) -> bool:
        return self.owns(url) and self.story_url.search(url) is not None

    def is_topic(self, url: str) -> bool:
        return self.owns(url) and self.topic_path.search(url) is not None

    def owns(self, url: str) -> bool:
        host = re.sub(r"^[a-z]+://", "", url).split("/", 1)[0].split(":", 1)[0].lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def topic_page(self, slug: str) -> str:
        return self.topic_url.format(slug=slug.strip().lower())
