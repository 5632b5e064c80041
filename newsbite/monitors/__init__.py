"""Layout alarms (issue 13, DESIGN §11).

* ``measures``: what one written story counts towards (per-publisher coverage counters).
* ``checks``: the checks as pure functions of a crawl's stats, thresholds from the
  ``NEWSBITE_ALARM_*`` settings and the publisher entries' ``alarms``.
* ``suites``: the Spidermon monitors and actions run at the close of every crawl.

Nothing here is imported at crawl start except ``measures`` (by the coverage extension);
Spidermon loads ``suites`` from SPIDERMON_SPIDER_CLOSE_MONITORS.
"""
