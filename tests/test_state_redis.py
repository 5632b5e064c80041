"""The Redis state backend against a real redis-server: the store interface, and the atomic
claim that keeps two workers from both writing one story."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from newsbite.state import open_store
from newsbite.state.redis import RedisStateStore, split_uri
from newsbite.state.store import StateStore, StoryState
from tests.redis_support import redis_server  # noqa: F401  (fixture)


def state(story_id: str = "a" * 32, version: int = 1, **kw) -> StoryState:
    fields = {
        "site": "theaustralian",
        "id": story_id,
        "content_hash": f"hash-{version}",
        "version": version,
        "first_seen": "2024-05-01T00:00:00+00:00",
        "last_seen": "2024-05-01T00:00:00+00:00",
        "canonical_url": None,
        "modified": None,
    }
    fields.update(kw)
    return StoryState(**fields)


@pytest.fixture
def store(redis_server):  # noqa: F811
    with open_store(redis_server.url) as opened:
        yield opened


def test_open_store_picks_the_redis_backend_by_scheme(store):
    assert isinstance(store, RedisStateStore)
    assert isinstance(store, StateStore)


def test_every_abstract_method_is_implemented():
    assert not getattr(RedisStateStore, "__abstractmethods__", frozenset())


def test_put_then_get_round_trips_every_field_including_nulls(store):
    written = state(canonical_url="https://www.theaustralian.com.au/x", modified=None)
    assert store.get("theaustralian", written.id) is None
    assert store.put(written) == written
    assert store.get("theaustralian", written.id) == written
    assert store.get("othersite", written.id) is None


def test_an_older_version_never_replaces_a_newer_one(store):
    store.put(state(version=2, content_hash="new", last_seen="2024-05-03T00:00:00+00:00"))
    kept = store.put(state(version=1, content_hash="old", last_seen="2024-05-04T00:00:00+00:00"))
    assert (kept.version, kept.content_hash) == (2, "new")
    assert store.get("theaustralian", "a" * 32).content_hash == "new"


def test_a_newer_version_keeps_first_seen_and_moves_last_seen_forward_only(store):
    store.put(state(first_seen="2024-05-01T00:00:00+00:00", last_seen="2024-05-09T00:00:00+00:00"))
    stored = store.put(
        state(
            version=2,
            first_seen="2024-05-08T00:00:00+00:00",
            last_seen="2024-05-05T00:00:00+00:00",
            modified="2024-05-05T10:00:00+10:00",
        )
    )
    assert stored.version == 2
    assert stored.first_seen == "2024-05-01T00:00:00+00:00"
    assert stored.last_seen == "2024-05-09T00:00:00+00:00"
    assert stored.modified == "2024-05-05T10:00:00+10:00"


def test_touch_moves_known_stories_forward_and_counts_them(store):
    store.put(state("1" * 32, last_seen="2024-05-01T00:00:00+00:00"))
    store.put(state("2" * 32, last_seen="2024-05-09T00:00:00+00:00"))
    moved = store.touch(
        "theaustralian", ["1" * 32, "2" * 32, "3" * 32], "2024-05-05T00:00:00+00:00"
    )
    assert moved == 1  # the second is already later, the third unknown
    assert store.get("theaustralian", "1" * 32).last_seen == "2024-05-05T00:00:00+00:00"
    assert store.get("theaustralian", "2" * 32).last_seen == "2024-05-09T00:00:00+00:00"
    assert store.touch("theaustralian", [], "2024-05-05T00:00:00+00:00") == 0


def test_get_many_and_count_per_site_and_in_all(store):
    for n in range(3):
        store.put(state(str(n) * 32))
    store.put(state("9" * 32, site="heraldsun"))
    found = store.get_many("theaustralian", ["0" * 32, "2" * 32, "7" * 32, "0" * 32])
    assert sorted(found) == ["0" * 32, "2" * 32]
    assert store.count("theaustralian") == 3
    assert store.count("heraldsun") == 1
    assert store.count() == 4
    assert store.get_many("theaustralian", []) == {}


def test_a_prefix_in_the_uri_keeps_two_projects_apart(redis_server):  # noqa: F811
    assert split_uri("redis://h:1/2?prefix=other&db=2") == ("redis://h:1/2?db=2", "other")
    with open_store(redis_server.url + "?prefix=one") as one:
        with open_store(redis_server.url + "?prefix=two") as two:
            one.put(state())
            assert two.get("theaustralian", "a" * 32) is None
            assert two.count() == 0 and one.count() == 1


def test_claim_racing_threads_exactly_one_wins(redis_server):  # noqa: F811
    stores = [RedisStateStore.from_uri(redis_server.url) for _ in range(16)]
    start = threading.Barrier(len(stores))
    wins: list[str] = []
    lock = threading.Lock()

    def race(n: int) -> None:
        start.wait()
        if stores[n].claim("theaustralian", "a" * 32, 1, f"worker-{n}"):
            with lock:
                wins.append(f"worker-{n}")

    threads = [threading.Thread(target=race, args=(n,)) for n in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(wins) == 1, wins
    # The winner may ask again (a retry of its own write); nobody else may.
    winner = int(wins[0].split("-")[1])
    assert stores[winner].claim("theaustralian", "a" * 32, 1, wins[0])
    assert not stores[(winner + 1) % 16].claim("theaustralian", "a" * 32, 1, "someone-else")
    for s in stores:
        s.close()


def _claim_all(url: str, owner: str, ids: list[str], out) -> None:
    store = RedisStateStore.from_uri(url)
    out.put((owner, [i for i in ids if store.claim("theaustralian", i, 1, owner)]))
    store.close()


def test_claim_racing_processes_each_story_has_exactly_one_winner(redis_server):  # noqa: F811
    ids = [f"{n:032x}" for n in range(200)]
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_claim_all, args=(redis_server.url, f"p{n}", ids, out)) for n in range(4)
    ]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    won = [i for owned in results.values() for i in owned]
    assert sorted(won) == sorted(ids)  # every story claimed, none twice


def test_a_written_version_cannot_be_claimed_again_but_the_next_one_can(store):
    assert store.claim("theaustralian", "a" * 32, 1, "w1")
    store.put(state(version=1))  # w1 wrote it: the claim is fulfilled and freed
    assert not store.claim("theaustralian", "a" * 32, 1, "w2")
    assert not store.claim("theaustralian", "a" * 32, 1, "w1")
    assert store.claim("theaustralian", "a" * 32, 2, "w2")  # the story changed
    assert not store.claim("theaustralian", "a" * 32, 2, "w3")


def test_the_claim_of_a_worker_that_died_before_writing_expires(store):
    store.claim_ttl = 1
    assert store.claim("theaustralian", "a" * 32, 1, "dead")
    assert not store.claim("theaustralian", "a" * 32, 1, "alive")
    time.sleep(1.1)
    assert store.claim("theaustralian", "a" * 32, 1, "alive")


def test_run_history_newest_first_per_spider_and_arguments(store):
    store.record_run("theaustralian", '{"topics": "isis"}', 10, "2024-05-01T00:00:00+00:00")
    store.record_run("theaustralian", '{"topics": "isis"}', 12, "2024-05-03T00:00:00+00:00")
    store.record_run("theaustralian", '{"topics": "isis"}', 11, "2024-05-02T00:00:00+00:00")
    store.record_run("theaustralian", '{"topics": "other"}', 99, "2024-05-04T00:00:00+00:00")
    runs = store.recent_runs("theaustralian", '{"topics": "isis"}', limit=2)
    assert [(r.items, r.finished_at[:10]) for r in runs] == [(12, "2024-05-03"), (11, "2024-05-02")]
    assert runs[0].spider == "theaustralian" and runs[0].args_key == '{"topics": "isis"}'
    assert store.recent_runs("heraldsun", '{"topics": "isis"}') == []
