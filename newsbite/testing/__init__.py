"""Development tools: the news-site simulator, test helpers. Imported only by tests,
benchmarks and tools, never by the crawler at run time (DESIGN §1, §10)."""

from newsbite.testing.faults import FAULTS
from newsbite.testing.simulator import Hit, Simulator, html_route

__all__ = ["FAULTS", "Hit", "Simulator", "html_route"]
