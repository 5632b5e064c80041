"""Scrapy settings for newsbite. Polite by default: robots.txt, AutoThrottle, honest UA."""

BOT_NAME = "newsbite"
SPIDER_MODULES = ["newsbite.spiders"]
NEWSPIDER_MODULE = "newsbite.spiders"
COMMANDS_MODULE = "newsbite.commands"

USER_AGENT = "newsbite/0.1 (+https://github.com/newsbite/newsbite; research crawler)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
REDIRECT_MAX_TIMES = 5
# News pages are well under a megabyte; 32 MiB leaves room for a 20 MB live blog and stops a
# gzip bomb early (Scrapy's default is 1 GiB). A publisher entry's download_maxsize overrides it
# per request; refusals are counted as newsbite/failed/too_large.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# One story, one fingerprint (newsbite.fingerprint): URL variants of a story are one request.
REQUEST_FINGERPRINTER_CLASS = "newsbite.fingerprint.StoryFingerprinter"
# Outputs of one response handled one at a time. A story page yields one item (listings and
# sitemaps only requests) and every pipeline is synchronous, so parallel item processing buys
# nothing, while Scrapy's default (100) starts 100 asyncio worker tasks for every response:
# measured, a third of a bare spider's CPU per page (issue 12).
CONCURRENT_ITEMS = 1
# Scrapy re-reads and re-parses a callback's source to warn about `return value` in generators
# whenever its weak cache has dropped the bound method (~1 ms each, hundreds of times a crawl).
# newsbite's callbacks are its own code: tests/test_spider.py makes the same check once.
WARN_ON_GENERATOR_RETURN_VALUE = False
RETRY_TIMES = 2
COOKIES_ENABLED = True

DOWNLOADER_MIDDLEWARES = {
    # A shell page (script-built story) is asked again through Playwright, once.
    "newsbite.middlewares.render.RenderMiddleware": 570,
    # Each response classified once (wall, shell, binary, too deep, readable), in a thread
    # when large; the bot-wall and render middlewares and the spider read the result.
    "newsbite.classify.ClassifyMiddleware": 585,
    # Sees decoded bodies (after HttpCompression at 590): walls are retried, then reported.
    "newsbite.middlewares.botwall.BotWallMiddleware": 580,
    # The subscriber's own cookies, only to their own domains, never stored.
    "newsbite.middlewares.session.SessionCookiesMiddleware": 710,
    # Closest to the downloader: replay stands in for the network and recording
    # sees wire bytes (gzip stays gzip); HttpCompression, redirects and retries run as live.
    "newsbite.middlewares.cassette.CassetteMiddleware": 950,
    # NotConfigured unless NEWSBITE_PACE > 0: a wait before each request, replayed ones included.
    "newsbite.middlewares.pace.PaceMiddleware": 949,
    # NotConfigured unless NEWSBITE_HOST_MAP: publisher hosts served by a local simulator.
    "newsbite.middlewares.hostmap.HostMapMiddleware": 960,
    # Loops, self-redirects and offsite hops: a stat and a WARNING each (Scrapy's: DEBUG only).
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newsbite.middlewares.redirects.NewsRedirectMiddleware": 600,
    # Retry-After on 429/503 honoured (capped by NEWSBITE_RETRY_AFTER_MAX) before RetryMiddleware.
    "newsbite.middlewares.retryafter.RetryAfterMiddleware": 555,
}
SPIDER_MIDDLEWARES = {
    # Items fetched with a subscriber's session say so (paywall.session).
    "newsbite.middlewares.session.SessionItemsMiddleware": 50,
    # Drops story requests the listing shows unchanged (id + modified), before download.
    "newsbite.middlewares.incremental.SkipUnchangedMiddleware": 550,
}
# Installs scrapy-playwright's handler only when rendering may be needed and a browser exists.
ADDONS = {
    # First: every NEWSBITE_* setting is checked (one line, exit 2) before anything is built.
    "newsbite.config.ConfigAddon": -100,
    "newsbite.render.RenderAddon": 0,
    # Nothing unless NEWSBITE_REDIS_URL (or REDIS_URL): scrapy-redis frontier, Redis state.
    "newsbite.distributed.DistributedAddon": 10,
}

ITEM_PIPELINES = {
    # The one chain (newsbite.process): chrome, captions, bylines, syndication, paywall,
    # validation; the same code `newsbite extract` runs, with its counts added to the stats.
    "newsbite.pipelines.process.ProcessPipeline": 100,
    # same_story_as: a story whose body copies one seen earlier in the crawl (MinHash LSH);
    # NotConfigured when NEWSBITE_LINK_COPIES is false.
    "newsbite.pipelines.linking.LinkingPipeline": 850,
    # NotConfigured unless NEWSBITE_INCREMENTAL: new/changed stories only, state on item_scraped.
    "newsbite.pipelines.incremental.IncrementalPipeline": 900,
    # Last: a story id is written at most once per crawl (and per JOBDIR job across resumes).
    "newsbite.pipelines.incremental.WrittenOncePipeline": 950,
}

EXTENSIONS = {
    # Per-publisher coverage counters and example URLs per skip/drop/failure reason.
    "newsbite.extensions.coverage.CoverageCollector": 100,
    # Layout alarms at close (newsbite.monitors): before CrawlSummary (500), whose stats file
    # then holds the exit reason they set.
    # The crawl report at close, before Spidermon records this run in the history it reads.
    "newsbite.report.crawl.CrawlReport": 440,
    "spidermon.contrib.scrapy.extensions.Spidermon": 450,
    "newsbite.extensions.summary.CrawlSummary": 500,
    # A crawl with start sources that wrote nothing and skipped nothing: reason no_items (exit 5).
    "newsbite.extensions.noitems.NoItemsCheck": 510,
    # NotConfigured unless stderr is a terminal: a live line of pages/stories/skips/errors.
    "newsbite.extensions.progress.ProgressLine": 520,
    # With JOBDIR: resume a stopped crawl, start afresh after a finished one, one crawl at once.
    "newsbite.extensions.jobdir.ResumableJobDir": 0,
    # A feed that cannot be written stops the crawl (feed_error, exit 3) and commits nothing.
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newsbite.feeds.CheckedFeedExporter": 0,
}

# Output goes through FEEDS. Scrapy adds -o/-O feeds to FEEDS from settings, so the default
# feed is not set here: spiders add NEWSBITE_DEFAULT_FEED only when no feed was asked for.
NEWSBITE_DEFAULT_FEED = "output/%(name)s/%(time)s.jsonl"
FEED_EXPORT_ENCODING = "utf-8"
# Local feeds write whole lines only, at once: a killed crawl never leaves half a JSON line.
FEED_STORAGES = {
    "": "newsbite.feeds.LineAtomicFileFeedStorage",
    "file": "newsbite.feeds.LineAtomicFileFeedStorage",
}

# newsbite's own settings
NEWSBITE_CASSETTE_MODE = "none"  # none | record | replay
NEWSBITE_CASSETTE = ""  # one cassette file; empty in replay = every bundled fixture of the site
NEWSBITE_CASSETTE_SAVE_EVERY = (
    25  # record: save every N interactions, so an interrupted recording keeps them
)
NEWSBITE_FIXTURES_DIR = ""  # empty = the fixtures/ folder beside the package
NEWSBITE_STATS_FILE = ""  # also write the final stats as JSON here
NEWSBITE_TOPIC_DEPTH = 1  # how many "Read related topics" hops a topic crawl follows
NEWSBITE_MAX_TOPIC_PAGES = 20  # pagination bound per topic
NEWSBITE_INCREMENTAL = False  # scheduled runs set it: emit only new or changed stories
NEWSBITE_STATE_URI = ""  # sqlite:////abs/x.sqlite or a path; "" = <data dir>/newsbite/state.sqlite
NEWSBITE_STATE_FULL = False  # like -a full=true: emit every story, still versioned and recorded
NEWSBITE_FEED_FSYNC = False  # fsync the feed after every line (power-loss durability)
NEWSBITE_PACE = 0  # seconds to wait before each request, replay included (tests, benchmarks)
NEWSBITE_HOST_MAP = ""  # "domain=127.0.0.1:PORT,...": route hosts to a local simulator (tests)
NEWSBITE_MAX_PAGE_BYTES = 8 * 1024 * 1024  # a story page over this is skipped (too_large)
NEWSBITE_THREAD_PARSE_BYTES = 1_000_000  # pages larger than this are classified off the reactor
NEWSBITE_RETRY_AFTER_MAX = 60.0  # seconds: a longer Retry-After is not retried early

# Scale-out (issue 14, DESIGN §12; README "Scaling out"): all off without a Redis URL.
NEWSBITE_REDIS_URL = ""  # redis://host:6379/0 (or env NEWSBITE_REDIS_URL / REDIS_URL)
NEWSBITE_REDIS_ROLE = ""  # "" or seed: push start requests and work; worker: only take work
NEWSBITE_IDLE_CLOSE = 60  # seconds of an empty shared frontier before a worker closes; 0 = never
NEWSBITE_WORKER_TTL = 30  # a worker silent this long is dead: its in-flight requests are requeued
NEWSBITE_IDLE_POLL = 1.0  # seconds between looks at the shared frontier while idle
NEWSBITE_REDIS_RELIABLE = True  # popped requests stay in an in-flight set until done
NEWSBITE_REDIS_ITEMS = False  # also push items to the Redis list newsbite:<spider>:items

NEWSBITE_RENDER = "auto"  # never | auto | always; -s / custom_settings beat the site profile
NEWSBITE_BOTWALL_RETRIES = 2
NEWSBITE_BOTWALL_BACKOFF = 5.0  # seconds, doubled per retry
NEWSBITE_BOTWALL_BACKOFF_MAX = 60.0
NEWSBITE_BOTWALL_MAX_RATIO = 0.5  # more walls than this among answers: stop (reason botwall_ratio)
NEWSBITE_BOTWALL_MIN_RESPONSES = 10  # ...once this many answers have come back
NEWSBITE_COOKIES_FILE = ""  # a subscriber's Netscape cookies.txt (or env NEWSBITE_COOKIES_FILE)
NEWSBITE_SESSION_COOKIES = ""  # or env; '{"domain": "a=b"}' or 'domain: a=b; c=d | domain2: ...'

# Monitoring (issue 13, DESIGN §11): Spidermon runs the layout alarms at the close of every
# crawl; a failed one logs an ERROR, sets newsbite/exit_reason = layout_alarm (exit status 6)
# and shows red in the report. A publisher entry's `alarms` overrides these defaults.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["newsbite.monitors.suites.LayoutAlarmSuite"]
NEWSBITE_ALARM_MIN_ITEMS = 5  # fewer stories (per publisher / per crawl): ratios not judged
NEWSBITE_ALARM_HEADLINE = 0.95  # floors: share of a publisher's stories with...  a headline
NEWSBITE_ALARM_BODY = 0.9  # a body of 3+ paragraphs
NEWSBITE_ALARM_AUTHORS = 0.5  # at least one author (agency copy has none)
NEWSBITE_ALARM_DATED = 0.9  # a published date with a UTC offset
NEWSBITE_ALARM_TOPICS = 0.5  # at least one topic
NEWSBITE_ALARM_CAPTIONS = 0.7  # a caption for every image (of stories with images)
NEWSBITE_ALARM_FALLBACK = 0.2  # ceilings: share parsed by the generic fallback
NEWSBITE_ALARM_ERRORS = 0.1  # failed requests / requests
NEWSBITE_ALARM_DROPS = 0.2  # dropped stories / stories
NEWSBITE_ALARM_BOTWALL = 0.2  # bot walls / responses
NEWSBITE_ALARM_CASSETTE_MISS = 0.05  # replay misses / replayed requests
NEWSBITE_ALARM_ITEM_DROP = 0.8  # this much fewer stories than the median of recent runs
NEWSBITE_ALARM_RECENT_RUNS = 5  # runs of the same spider and arguments kept in mind
NEWSBITE_ALARM_MIN_RUNS = 3  # earlier runs needed before the item count is judged
NEWSBITE_REPORT = True  # write the HTML crawl report beside each local feed
NEWSBITE_REPORT_FILE = ""  # or here (also when the feed is not a local file)
NEWSBITE_REPORT_EXAMPLES = 3  # example URLs kept per skip, drop and failure reason
NEWSBITE_PROGRESS = True  # a live progress line when stderr is a terminal (never in cron/Scrapyd)
NEWSBITE_EXPECT_ITEMS = True  # false: a crawl that writes nothing is not exit 5 (no_items)
NEWSBITE_LINK_COPIES = True  # same_story_as for near-duplicate bodies within a crawl
NEWSBITE_LINK_WINDOW = 10_000  # stories the copy linker compares against (~3 kB each); 0 = all

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
