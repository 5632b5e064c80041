"""Redis state backend: the incremental state shared by every worker of a distributed crawl.

``redis://host:6379/0`` (``rediss://`` for TLS; ``?prefix=name`` to share one Redis between
projects, default ``newsbite``). Imported only when such a URI is opened (store.py registers a
lazy factory), so a one-machine crawl never imports redis.

Layout, per site: one hash ``<prefix>:state:<site>`` mapping story id -> the StoryState as JSON,
so ``get_many`` is one HMGET and ``count`` one HLEN. Every write is a Lua script, i.e. one
atomic step on the server, which is what makes many workers safe at once:

* ``put`` keeps the stored version when it is newer, keeps ``first_seen`` and moves
  ``last_seen`` forward only (the SQLite backend's rule, as one script);
* ``claim`` is the check-and-set a worker makes *before* it writes a story: it wins only when
  the store holds an older version (or none) and no other worker holds a live claim on that
  version (``SET NX`` with an expiry, so a claim of a worker that died is freed). Two workers
  therefore never both write "new" (or the same "changed" version) for one story.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis

from newsbite.state.store import RunRecord, StateStore, StoryState

DEFAULT_PREFIX = "newsbite"
DEFAULT_CLAIM_TTL = 600  # seconds a claim lives if its worker dies before writing the story
RUNS_KEPT = 200  # run records kept per (spider, arguments): the alarm reads the last few
_FIELDS = tuple(StoryState.__dataclass_fields__)

# KEYS[1] site hash; ARGV[1] id, ARGV[2] state JSON, ARGV[3] claim key prefix.
# Returns the stored JSON afterwards. cjson keeps null as null, so optional fields survive.
_PUT = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
local new = cjson.decode(ARGV[2])
if old then
  local cur = cjson.decode(old)
  if tonumber(new.version) < tonumber(cur.version) then
    return old
  end
  new.first_seen = cur.first_seen
  if cur.last_seen > new.last_seen then new.last_seen = cur.last_seen end
end
local encoded = cjson.encode(new)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
redis.call('DEL', ARGV[3] .. new.version)
return encoded
"""

# KEYS[1] site hash; ARGV[1] seen_at, ARGV[2..] ids. Returns how many moved forward.
_TOUCH = """
local n = 0
for i = 2, #ARGV do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if old then
    local cur = cjson.decode(old)
    if cur.last_seen < ARGV[1] then
      cur.last_seen = ARGV[1]
      redis.call('HSET', KEYS[1], ARGV[i], cjson.encode(cur))
      n = n + 1
    end
  end
end
return n
"""

# KEYS[1] site hash, KEYS[2] claim key; ARGV[1] id, ARGV[2] version, ARGV[3] owner, ARGV[4] ttl.
# 1 = this owner may write the version; 0 = stored already or claimed by another live owner.
_CLAIM = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and tonumber(cjson.decode(old).version) >= tonumber(ARGV[2]) then
  return 0
end
if redis.call('SET', KEYS[2], ARGV[3], 'NX', 'EX', tonumber(ARGV[4])) then
  return 1
end
if redis.call('GET', KEYS[2]) == ARGV[3] then
  return 1
end
return 0
"""


def split_uri(uri: str) -> tuple[str, str]:
    """``redis://h:1/0?prefix=x`` -> (``redis://h:1/0``, ``x``): redis-py does not know prefix."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((v for k, v in query if k == "prefix"), "") or DEFAULT_PREFIX
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


def _decode(raw: Any) -> StoryState | None:
    if raw is None:
        return None
    data = json.loads(raw)
    return StoryState(**{name: data.get(name) for name in _FIELDS})


class RedisStateStore(StateStore):
    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        uri: str = "",
        claim_ttl: int = DEFAULT_CLAIM_TTL,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.uri = uri or f"redis (prefix {prefix})"
        self.claim_ttl = claim_ttl
        self._put = client.register_script(_PUT)
        self._touch = client.register_script(_TOUCH)
        self._claim = client.register_script(_CLAIM)

    @classmethod
    def from_uri(cls, uri: str) -> RedisStateStore:
        url, prefix = split_uri(uri)
        client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=30)
        return cls(client, prefix=prefix, uri=uri)

    # -- keys -----------------------------------------------------------------------------
    def site_key(self, site: str) -> str:
        return f"{self.prefix}:state:{site}"

    def claim_key(self, site: str, story_id: str) -> str:
        """Without the version: the put script appends it to free the claim it fulfils."""
        return f"{self.prefix}:claim:{site}:{story_id}:"

    # -- the interface --------------------------------------------------------------------
    def get(self, site: str, story_id: str) -> StoryState | None:
        return _decode(self.client.hget(self.site_key(site), story_id))

    def get_many(self, site: str, story_ids: Iterable[str]) -> dict[str, StoryState]:
        ids = list(dict.fromkeys(story_ids))
        if not ids:
            return {}
        found: dict[str, StoryState] = {}
        for story_id, raw in zip(ids, self.client.hmget(self.site_key(site), ids), strict=True):
            state = _decode(raw)
            if state is not None:
                found[story_id] = state
        return found

    def put(self, state: StoryState) -> StoryState:
        payload = json.dumps({name: getattr(state, name) for name in _FIELDS})
        stored = self._put(
            keys=[self.site_key(state.site)],
            args=[state.id, payload, self.claim_key(state.site, state.id)],
        )
        result = _decode(stored)
        assert result is not None
        return result

    def touch(self, site: str, story_ids: Iterable[str], seen_at: str) -> int:
        ids = list(dict.fromkeys(story_ids))
        if not ids:
            return 0
        return int(self._touch(keys=[self.site_key(site)], args=[seen_at, *ids]))

    def count(self, site: str | None = None) -> int:
        if site is not None:
            return int(self.client.hlen(self.site_key(site)))
        pattern = f"{self.prefix}:state:*"
        return sum(int(self.client.hlen(key)) for key in self.client.scan_iter(pattern))

    def claim(self, site: str, story_id: str, version: int, owner: str) -> bool:
        """Atomically: may ``owner`` write ``version`` of this story? Exactly one caller wins
        per version; the winner's ``put`` frees the claim, a dead winner's claim expires."""
        won = self._claim(
            keys=[self.site_key(site), self.claim_key(site, story_id) + str(version)],
            args=[story_id, version, owner, self.claim_ttl],
        )
        return bool(won)

    # -- run history (the item-count alarm) ------------------------------------------------
    def runs_key(self, spider: str, args_key: str) -> str:
        digest = hashlib.sha1(args_key.encode("utf-8")).hexdigest()  # arguments can be long
        return f"{self.prefix}:runs:{spider}:{digest}"

    def record_run(self, spider: str, args_key: str, items: int, finished_at: str) -> None:
        record = {"spider": spider, "args_key": args_key, "items": int(items)}
        record["finished_at"] = finished_at
        key = self.runs_key(spider, args_key)
        with self.client.pipeline(transaction=True) as pipe:  # MULTI: push and trim together
            pipe.lpush(key, json.dumps(record))
            pipe.ltrim(key, 0, RUNS_KEPT - 1)
            pipe.execute()

    def recent_runs(self, spider: str, args_key: str, limit: int = 5) -> list[RunRecord]:
        raw = self.client.lrange(self.runs_key(spider, args_key), 0, RUNS_KEPT - 1)
        runs = [RunRecord(**json.loads(r)) for r in raw]
        # Workers finish in any order; newest first by the time each run finished.
        runs.sort(key=lambda r: r.finished_at, reverse=True)
        return runs[: max(0, int(limit))]

    def close(self) -> None:
        self.client.close()
