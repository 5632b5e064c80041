"""Development tools: the news-site simulator, test helpers. Imported only by tests,
benchmarks and tools, never by the crawler at run time (DESIGN §1, §10)."""

from __future__ import annotations

from typing import Any

__all__ = ["FAULTS", "Hit", "Simulator", "html_route"]


def __getattr__(name: str) -> Any:
    # Lazy: `python -m newsbite.testing.simulator` must not find its own module imported
    # by the package first (runpy warns, and the module would run twice over).
    if name == "FAULTS":
        from newsbite.testing.faults import FAULTS

        return FAULTS
    if name in {"Hit", "Simulator", "html_route"}:
        from newsbite.testing import simulator

        return getattr(simulator, name)
    raise AttributeError(f"module 'newsbite.testing' has no attribute {name!r}")
