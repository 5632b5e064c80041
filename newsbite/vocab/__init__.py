"""Vocabularies are data (JSON files beside this module), read as package data."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


@cache
def load_vocab(name: str, path: str | None = None) -> dict[str, Any]:
    """A vocabulary by name (`chrome`, `credits`, `bylines`), or from an explicit file."""
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text("utf-8"))
