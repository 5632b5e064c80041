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
RETRY_TIMES = 2
COOKIES_ENABLED = True

DOWNLOADER_MIDDLEWARES = {
    # A shell page (script-built story) is asked again through Playwright, once.
    "newsbite.middlewares.render.RenderMiddleware": 570,
    # Sees decoded bodies (after HttpCompression at 590): walls are retried, then reported.
    "newsbite.middlewares.botwall.BotWallMiddleware": 580,
    # The subscriber's own cookies, only to their own domains, never stored.
    "newsbite.middlewares.session.SessionCookiesMiddleware": 710,
    # Closest to the downloader: replay stands in for the network and recording
    # sees wire bytes (gzip stays gzip); HttpCompression, redirects and retries run as live.
    "newsbite.middlewares.cassette.CassetteMiddleware": 950,
    # NotConfigured unless NEWSBITE_PACE > 0: a wait before each request, replayed ones included.
    "newsbite.middlewares.pace.PaceMiddleware": 949,
}
SPIDER_MIDDLEWARES = {
    # Items fetched with a subscriber's session say so (paywall.session).
    "newsbite.middlewares.session.SessionItemsMiddleware": 50,
    # Drops story requests the listing shows unchanged (id + modified), before download.
    "newsbite.middlewares.incremental.SkipUnchangedMiddleware": 550,
}
# Installs scrapy-playwright's handler only when rendering may be needed and a browser exists.
ADDONS = {"newsbite.render.RenderAddon": 0}

ITEM_PIPELINES = {
    # The one chain (newsbite.process): chrome, captions, bylines, syndication, paywall,
    # validation; the same code `newsbite extract` runs, with its counts added to the stats.
    "newsbite.pipelines.process.ProcessPipeline": 100,
    # NotConfigured unless NEWSBITE_INCREMENTAL: new/changed stories only, state on item_scraped.
    "newsbite.pipelines.incremental.IncrementalPipeline": 900,
}

EXTENSIONS = {
    "newsbite.extensions.summary.CrawlSummary": 500,
    # With JOBDIR: resume a stopped crawl, start afresh after a finished one, one crawl at once.
    "newsbite.extensions.jobdir.ResumableJobDir": 0,
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

NEWSBITE_RENDER = "auto"  # never | auto | always; -s / custom_settings beat the site profile
NEWSBITE_BOTWALL_RETRIES = 2
NEWSBITE_BOTWALL_BACKOFF = 5.0  # seconds, doubled per retry
NEWSBITE_BOTWALL_BACKOFF_MAX = 60.0
NEWSBITE_BOTWALL_MAX_RATIO = 0.5  # more walls than this among answers: stop (reason botwall_ratio)
NEWSBITE_BOTWALL_MIN_RESPONSES = 10  # ...once this many answers have come back
NEWSBITE_COOKIES_FILE = ""  # a subscriber's Netscape cookies.txt (or env NEWSBITE_COOKIES_FILE)
NEWSBITE_SESSION_COOKIES = ""  # or env; '{"domain": "a=b"}' or 'domain: a=b; c=d | domain2: ...'

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
