"""Site profiles by name."""

from newsbite.sites.base import SiteProfile
from newsbite.sites.theaustralian import THE_AUSTRALIAN

PROFILES: dict[str, SiteProfile] = {p.name: p for p in (THE_AUSTRALIAN,)}


def get_profile(name: str) -> SiteProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"no site profile named {name!r}; known: {sorted(PROFILES)}") from None
