"""Issue 5: new / changed / unchanged decisions, the before-download skip, and requests that
survive JOBDIR serialisation."""

from __future__ import annotations

import asyncio
import pickle

import pytest
from conftest import FIXTURES, SEED_URL
from helpers import html_response, make_spider
from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.request import request_from_dict

from newsbite.extensions.jobdir import FINISHED_MARKER, JobDirInUse, ResumableJobDir
from newsbite.items import Article
from newsbite.middlewares.incremental import SkipUnchangedMiddleware
from newsbite.pipelines.incremental import IncrementalPipeline, Unchanged
from newsbite.state import StoryState, content_hash

STORY_ID = "4df04eb09060ea88508cbb81762e88cf"


def article(body: list[str] | None = None, **kw) -> Article:
    return Article(
        url=SEED_URL,
        site="theaustralian",
        id=STORY_ID,
        headline="Jihadists irate",
        standfirst="The leader ran.",
        body=body or ["One.", "Two."],
        modified="2019-03-03T10:00:00+11:00",
        scraped_at="2026-01-01T00:00:00+00:00",
        **kw,
    )


def run(tmp_path, **kwargs):
    """A new crawl ("run") over the same state file: (spider, pipeline)."""
    settings = {"NEWSBITE_INCREMENTAL": True, "NEWSBITE_STATE_URI": str(tmp_path / "s.sqlite")}
    spider = make_spider(settings, **kwargs)
    return spider, IncrementalPipeline.from_crawler(spider.crawler)


def written(pipeline, item):
    """Through the pipeline and the feed: item_scraped commits it."""
    out = pipeline.process_item(item)
    pipeline.item_scraped(out)
    return out


def stats(spider) -> dict:
    return spider.crawler.stats.get_stats()


def test_off_unless_enabled():
    spider = make_spider({"NEWSBITE_INCREMENTAL": False})
    with pytest.raises(NotConfigured):
        IncrementalPipeline.from_crawler(spider.crawler)
    with pytest.raises(NotConfigured):
        SkipUnchangedMiddleware.from_crawler(spider.crawler)


def test_new_then_unchanged_then_changed(tmp_path):
    spider, pipeline = run(tmp_path)
    first = written(pipeline, article())
    assert (first.version, first.first_seen) == (1, pipeline.state.run_at)
    assert first.last_seen == first.first_seen
    assert stats(spider)["newsbite/incremental/new"] == 1

    spider2, pipeline2 = run(tmp_path)
    with pytest.raises(Unchanged) as dropped:
        pipeline2.process_item(article())
    assert isinstance(dropped.value, DropItem) and dropped.value.log_level == "DEBUG"
    assert STORY_ID in str(dropped.value) and "unchanged" in str(dropped.value)
    s2 = stats(spider2)
    assert s2["newsbite/unchanged"] == 1 and s2["newsbite/unchanged/after_download"] == 1
    assert not any(k.startswith("newsbite/dropped") for k in s2)
    # Only the content counts: a new scrape time or word count is not a change.
    spider3, pipeline3 = run(tmp_path)
    with pytest.raises(Unchanged):
        pipeline3.process_item(article(word_count=7, body=["One.", "  Two. "]))

    spider4, pipeline4 = run(tmp_path)
    changed = written(pipeline4, article(body=["One.", "Two.", "A correction."]))
    assert changed.version == 2
    assert changed.first_seen == first.first_seen
    assert changed.last_seen == pipeline4.state.run_at
    assert stats(spider4)["newsbite/incremental/changed"] == 1
    stored = pipeline4.state.store.get("theaustralian", STORY_ID)
    assert (stored.version, stored.content_hash) == (2, content_hash(changed.__dict__))


def test_state_is_committed_only_when_the_item_is_written(tmp_path):
    spider, pipeline = run(tmp_path)
    pipeline.process_item(article())  # decided, but never reaches item_scraped (a stop, a drop)
    assert pipeline.state.store.get("theaustralian", STORY_ID) is None
    _, again = run(tmp_path)
    assert again.process_item(article()).version == 1  # so the next run emits it


def test_same_story_twice_in_one_run_is_written_once(tmp_path):
    spider, pipeline = run(tmp_path)
    pipeline.process_item(article())
    with pytest.raises(Unchanged):
        pipeline.process_item(article())
    assert stats(spider)["newsbite/unchanged/same_run"] == 1


def test_the_run_remembers_each_story_as_two_small_ints(tmp_path):
    spider, pipeline = run(tmp_path)
    pipeline.process_item(article())
    # Another body for the same id in the same run is no repeat: it goes on, not same_run.
    assert pipeline.process_item(article(body=["Other.", "Text."])).id == STORY_ID
    other = Article(**{**article().__dict__, "id": "another-story"})
    pipeline.process_item(other)
    assert "newsbite/unchanged/same_run" not in stats(spider)
    remembered = pipeline.state.this_run
    assert len(remembered) == 2
    assert all(isinstance(k, int) and isinstance(v, int) for k, v in remembered.items())


def test_full_true_emits_unchanged_stories_with_their_recorded_version(tmp_path):
    _, pipeline = run(tmp_path)
    written(pipeline, article())
    _, changed = run(tmp_path)
    written(changed, article(body=["Changed."]))
    spider, full = run(tmp_path, full="true")
    item = written(full, article(body=["Changed."]))
    assert item.version == 2
    assert stats(spider)["newsbite/incremental/unchanged_emitted"] == 1


# -- before download -------------------------------------------------------------------------------


def listed(story_id: str = STORY_ID, modified: str | None = "2019-03-03T10:00:00+11:00") -> Request:
    return Request(SEED_URL, meta={"newsbite_story": {"id": story_id, "modified": modified}})


def test_listing_with_an_unchanged_modified_date_skips_the_download(tmp_path):
    _, pipeline = run(tmp_path)
    written(pipeline, article())
    spider, _ = run(tmp_path)
    mw = SkipUnchangedMiddleware.from_crawler(spider.crawler)
    same_time_other_zone = listed(modified="2019-03-02T23:00:00+00:00")
    later = listed(modified="2019-03-04T08:00:00+11:00")
    unknown = listed(story_id="f" * 32)
    no_date = listed(modified=None)
    plain = Request("https://www.theaustralian.com.au/topics/isis")
    out = list(
        mw.process_spider_output(
            None, [same_time_other_zone, later, unknown, no_date, plain, {"an": "item"}]
        )
    )
    assert out == [later, unknown, no_date, plain, {"an": "item"}]
    assert stats(spider)["newsbite/unchanged/before_download"] == 1

    async def collect(items):
        async def gen():
            for i in items:
                yield i

        return [x async for x in mw.process_spider_output_async(None, gen())]

    assert asyncio.run(collect([listed(), later])) == [later]
    full_spider, _ = run(tmp_path, full="true")
    full_mw = SkipUnchangedMiddleware.from_crawler(full_spider.crawler)
    assert list(full_mw.process_spider_output(None, [listed()])) != []


def test_a_story_on_several_listings_is_skipped_each_time_and_counted_once(tmp_path):
    _, pipeline = run(tmp_path)
    written(pipeline, article())
    spider, pipeline = run(tmp_path)
    mw = SkipUnchangedMiddleware.from_crawler(spider.crawler)
    assert list(mw.process_spider_output(None, [listed(), listed()])) == []
    # ...and reached again where its related topics are followed: fetched, still counted once
    with pytest.raises(DropItem):
        pipeline.process_item(article())
    assert stats(spider)["newsbite/unchanged"] == 1
    assert stats(spider)["newsbite/unchanged/before_download"] == 1
    assert "newsbite/unchanged/after_download" not in stats(spider)


def test_stories_whose_related_topics_are_followed_are_always_fetched():
    spider = make_spider({"NEWSBITE_TOPIC_DEPTH": 1})
    modified = "2019-03-03T10:00:00+11:00"
    at_start = spider.story_request(SEED_URL, depth=0, modified=modified)
    at_last_hop = spider.story_request(SEED_URL, depth=1, modified=modified)
    assert at_start.meta["newsbite_story"] == {"id": STORY_ID, "modified": None}
    assert at_last_hop.meta["newsbite_story"] == {"id": STORY_ID, "modified": modified}


# -- JOBDIR --------------------------------------------------------------------------------------


def test_requests_survive_jobdir_serialisation():
    spider = make_spider()
    topic = (FIXTURES / "theaustralian/topic-isis/pages/topic-isis-1.html").read_text("utf-8")
    url = "https://www.theaustralian.com.au/topics/isis"
    requests = list(spider.parse_listing(html_response(url, topic), topic="isis", depth=0, page=1))
    assert requests
    for request in requests:
        restored = request_from_dict(
            pickle.loads(pickle.dumps(request.to_dict(spider=spider))), spider=spider
        )
        assert restored.callback == request.callback and restored.errback == request.errback
        assert restored.cb_kwargs == request.cb_kwargs and restored.meta == request.meta
    story = next(r for r in requests if "/news-story/" in r.url)
    assert story.meta["newsbite_story"]["id"] == story.url.rsplit("/", 1)[-1]


def jobdir_ext(spider) -> ResumableJobDir:
    """The crawler's own instance (EXTENSIONS), else one built here."""
    for ext in getattr(getattr(spider.crawler, "extensions", None), "middlewares", ()):
        if isinstance(ext, ResumableJobDir):
            return ext
    return ResumableJobDir.from_crawler(spider.crawler)


def test_jobdir_resumes_after_a_stop_and_starts_afresh_after_a_finish(tmp_path):
    jobdir = tmp_path / "job"
    spider = make_spider({"JOBDIR": str(jobdir)})
    ext = jobdir_ext(spider)
    (jobdir / "requests.queue").mkdir()
    (jobdir / "requests.seen").write_text("fp\n")
    with pytest.raises(JobDirInUse):  # a second crawl on the same JOBDIR
        jobdir_ext(make_spider({"JOBDIR": str(jobdir)}))
    ext.spider_closed(reason="shutdown")
    ext.engine_stopped()

    resumed = make_spider({"JOBDIR": str(jobdir)})
    ext2 = jobdir_ext(resumed)
    assert stats(resumed)["newsbite/jobdir/resumed"] == 1
    assert (jobdir / "requests.seen").exists()
    ext2.spider_closed(reason="finished")
    ext2.engine_stopped()
    assert (jobdir / FINISHED_MARKER).exists()

    fresh = make_spider({"JOBDIR": str(jobdir)})
    jobdir_ext(fresh).engine_stopped()
    assert stats(fresh)["newsbite/jobdir/fresh"] == 1
    assert not (jobdir / "requests.seen").exists() and not (jobdir / "requests.queue").exists()


def test_story_state_is_plain_data():
    s = StoryState(site="a", id="b", content_hash="c", version=1, first_seen="x", last_seen="x")
    assert s.seen("y").last_seen == "y" and s.last_seen == "x"
