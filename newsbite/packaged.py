"""Files the spiders need at run time, found the same way from a checkout, a wheel or an egg.

Vocabularies and the schema are package data (``importlib.resources``). Bundled fixtures live at
the top of the repository (``fixtures/``) and are packaged as ``newsbite._fixtures`` (see
pyproject's ``package-dir``). Inside a zipped egg (Scrapyd) they are not files, and vcrpy loads
cassettes from paths, so they are extracted once into a cache folder keyed by the egg.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import newsbite

# Packaged as newsbite._fixtures, but read as a folder of the newsbite package: it has no
# __init__.py, and zipimport (an egg) cannot import a namespace package.
FIXTURES_FOLDER = "_fixtures"


def checkout_fixtures_dir() -> Path:
    return Path(newsbite.__file__).resolve().parent.parent / "fixtures"


def packaged_fixtures() -> Traversable | None:
    root = resources.files("newsbite").joinpath(FIXTURES_FOLDER)
    return root if root.is_dir() else None


def fixtures_dir(setting: str | os.PathLike[str] | None = None) -> Path:
    """NEWSBITE_FIXTURES_DIR if given, else the checkout's fixtures/, else the packaged copy."""
    if setting:
        return Path(setting)
    checkout = checkout_fixtures_dir()
    if checkout.is_dir():
        return checkout
    packaged = packaged_fixtures()
    if packaged is None:
        return checkout  # nothing bundled: callers report "no cassettes under ..."
    if isinstance(packaged, Path):  # an installed wheel or an editable install: real files
        return packaged
    return _extracted(packaged)


def _extracted(root: Traversable) -> Path:
    """Copy a zipped resource tree to a cache folder once per egg (atomic rename)."""
    origin = Path(newsbite.__file__).resolve().parent.parent  # the .egg file
    try:
        stamp = f"{origin}:{origin.stat().st_mtime_ns}:{origin.stat().st_size}"
    except OSError:
        stamp = str(origin)
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"newsbite-fixtures-{key}"
    if cache.is_dir():
        return cache
    tmp = Path(tempfile.mkdtemp(prefix=cache.name + ".", dir=cache.parent))
    _copy_tree(root, tmp)
    try:
        tmp.rename(cache)
    except OSError:  # another process won the race
        shutil.rmtree(tmp, ignore_errors=True)
    return cache


def _copy_tree(src: Traversable, dest: Path) -> None:
    for entry in src.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            (dest / entry.name).mkdir()
            _copy_tree(entry, dest / entry.name)
        else:
            (dest / entry.name).write_bytes(entry.read_bytes())
