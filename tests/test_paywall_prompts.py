"""Issue 11: a story cut short by the paywall is `subscriber`, and subscriber prompt lines are
chrome as a class, wherever they sit in the body. Story sentences that mention subscribers stay.

Prompt wordings are invented in the publishers' style or quoted from the prompts of the team's
corpus pages (short UI strings); story text is invented.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector

from newsbite.normalise.chrome import ChromeMatcher
from newsbite.normalise.paywall import (
    PAGE_PROMPT,
    PromptMatcher,
    classify,
    ends_mid_sentence,
    is_subscribe_prompt,
    page_prompt_evidence,
)

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "fixtures/theaustralian/paywall-statuses/pages"
SEED_PAGE = ROOT / "fixtures/theaustralian/isis-leader-does-a-runner/pages/story.html"

PROMPTS = [
    "This story is for subscribers only.",
    "This story is for subscribers",
    "This article is only available to subscribers.",
    "This content is exclusive to subscribers",
    "This story is reserved for our paying subscribers.",
    "Subscribers only",
    "Subscriber-only content",
    "Exclusive subscriber content",
    "Premium subscriber story",
    "For subscribers only",
    "Subscribe to continue reading",
    "Subscribe to continue reading.",
    "SUBSCRIBE TO CONTINUE READING",
    "Subscribe now to keep reading",
    "Subscribe to The Australian to continue reading",
    "Subscribe to The Daily Telegraph to keep reading this story",
    "Subscribe today for $1 a week to continue reading",
    "Subscribe to continue reading, or log in if you are already a subscriber.",
    "This story is for subscribers only. Subscribe to continue reading, or log in if you are "
    "already a subscriber.",
    "Subscribe to continue reading. Already a subscriber? Log in",
    "Already a subscriber? Log in",
    "Already a subscriber? Sign in",
    "Already a subscriber?Log in",
    "Already subscribed? Log in here.",
    "Already a subscriber",
    "If you’re seeing this message but you’re already a subscriber, you can log in for "
    "immediate access to this story.",
    "Log in to continue reading",
    "Sign in to read the full article",
    "Log in or subscribe to continue reading",
    "Login to unlock this story",
    "To continue reading, subscribe or log in",
    "To keep reading, please log in.",
    "Continue reading with a subscription",
    "Continue reading for $1 a week",
    "Unlock this story",
    "Unlock this article for just $1 a week",
    "Unlock the full story now by subscribing",
    "Subscribe to read the full story",
    "Subscribe or log in to read the rest of this article",
    "To read the full story, please subscribe.",
    "To view the full story, please subscribe to The Haitian Times.",
    "Subscribe now to access Herald Sun.",
    "Subscribe now to our eNATION edition for the full story.",
    "Subscribe now for just $1 per week",
    "Want to keep reading? Subscribe now",
    "Want to read more? Subscribe today | Log in",
    "» Subscribe to continue reading «",
]

STORY_SENTENCES = [
    "Subscribers to the newsletter were told on Monday that the service would close.",
    "The minister said people should subscribe to the plan to keep reading widely.",
    "Already a subscriber to the theory, he said the plan would fail.",
    "The story is available to subscribers of Foxtel from Friday.",
    "She said she would continue reading the report before deciding.",
    "Log in details for the portal were stolen, police said.",
    "Unlock the potential of the regions, the minister said.",
    "Subscribers only learned of the change on Friday.",
    "The council wants residents to subscribe to text alerts.",
    "“Subscribe to continue reading,” the pop-up said, and readers complained.",
    "Readers wrote in. " * 20 + "Already a subscriber? Log in",  # long: story, not a prompt
    # Page furniture that is not a paywall: newsletter promos and bare buttons.
    "Subscribe to email updates",
    "Subscribe To Our Newsletter",
    "Subscribe and support 162 years of independent journalism",
    "Log in",
    "Subscribe",
    "Get unlimited access for $1 a week",
    "",
]


@pytest.mark.parametrize("line", PROMPTS)
def test_prompt_wordings_are_prompts(line):
    assert is_subscribe_prompt(line) is True


@pytest.mark.parametrize("line", STORY_SENTENCES)
def test_story_sentences_and_other_furniture_are_not_prompts(line):
    assert is_subscribe_prompt(line) is False


STORY = [
    f"Paragraph {i} of an invented story about regional road funding, with quotes, figures and "
    "the names of the people who said them."
    for i in range(8)
]
CHROME = ChromeMatcher.default()


@pytest.mark.parametrize("prompt", PROMPTS[::4])
@pytest.mark.parametrize(
    "where",
    ["first", "middle", "last", "trailing run"],
)
def test_prompts_are_removed_as_chrome_wherever_they_sit(prompt, where):
    story = STORY[:3]
    body = {
        "first": [prompt, *story],
        "middle": [story[0], prompt, *story[1:]],
        "last": [*story, prompt],
        "trailing run": [*story, prompt, "Already a subscriber? Log in", "Subscribe"],
    }[where]
    kept, removed = CHROME.split(body)
    assert kept == story
    assert prompt in removed


def test_story_sentences_about_subscribers_stay_in_the_body():
    body = [*STORY[:2], *STORY_SENTENCES[:10]]
    kept, removed = CHROME.split(body)
    assert kept == body and removed == []


def test_a_chrome_vocabulary_can_turn_prompts_off():
    matcher = ChromeMatcher.from_vocab({"phrases": [], "subscriber_prompts": False})
    assert matcher.split(["Subscribe to continue reading"]) == (
        ["Subscribe to continue reading"],
        [],
    )


def test_prompt_vocabulary_placeholders_expand_but_quantifiers_stay():
    matcher = PromptMatcher.from_vocab(
        {"parts": {"who": "(?:members|subscribers)"}, "prompt": ["for {who} only"], "action": []}
    )
    assert matcher.matches("For members only.")
    assert not matcher.matches("For everyone only.")
    assert PromptMatcher.from_vocab({"prompt": ["a{2}"]}).matches("aa")


# --- classification -------------------------------------------------------------------------------

CUT = STORY[:2]


@pytest.mark.parametrize("prompt", PROMPTS[::3])
def test_a_truncated_body_with_any_prompt_wording_is_subscriber(prompt):
    for body, removed in (([*CUT, prompt], []), (CUT, [prompt]), ([prompt, *CUT], [])):
        result = classify(body, [], removed=removed)
        assert result["status"] == "subscriber", (body, removed)
        assert "body:subscribe-prompt" in result["evidence"]
        assert "no-paywall-signal" not in result["evidence"]


def test_a_trailing_run_of_prompts_is_not_counted_as_story():
    body = [
        *CUT,
        "This story is for subscribers.",
        "Subscribe to The Australian to continue reading",
    ]
    result = classify(body, ["jsonld:isAccessibleForFree=true"])
    assert result["status"] == "subscriber"
    assert "body:short(2p," in " ".join(result["evidence"])
    assert "contradiction:declared-free-but-body-cut" in result["evidence"]


def test_a_truncated_body_without_any_marker_is_still_free():
    result = classify(CUT, [])
    assert result["status"] == "free"
    assert "no-paywall-signal" in result["evidence"]


def test_a_full_length_preview_cut_mid_sentence_at_a_prompt_is_subscriber():
    preview = [*STORY[:6], "The minister said the package would fund projects in"]
    result = classify(preview, ["jsonld:isAccessibleForFree=true"], removed=[PROMPTS[0]])
    assert result["status"] == "subscriber"
    assert "body:ends-mid-sentence" in result["evidence"]
    # The same full body ending on a sentence, declared free: the prompt alone does not cut it.
    whole = classify(STORY, ["jsonld:isAccessibleForFree=true"], removed=[PROMPTS[0]])
    assert whole["status"] == "free"


def test_a_prompt_elsewhere_in_the_page_marks_a_cut_body_only():
    cut = classify(CUT, [PAGE_PROMPT])
    assert cut["status"] == "subscriber"
    assert PAGE_PROMPT in cut["evidence"]
    whole = classify(STORY, [PAGE_PROMPT])  # a site-wide banner on a whole free story
    assert whole["status"] == "free"
    assert classify([], [PAGE_PROMPT])["status"] == "subscriber"


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("The package funds 212 projects.", False),
        ("“People were angry.”", False),
        ("Is it enough?", False),
        ("He said (and meant it).", False),
        ("The package funds 212 projects in", True),
        ("The package funds 212 projects, including", True),
        ("The package funds…", True),
        ("The package funds...", True),
    ],
)
def test_ends_mid_sentence(paragraph, expected):
    assert ends_mid_sentence(paragraph) is expected


# --- prompts outside the body -------------------------------------------------------------------


def test_page_prompt_found_after_the_story_container():
    sel = Selector(text=(PAGES / "subscriber-truncated.html").read_text("utf-8"))
    assert page_prompt_evidence(sel) == [PAGE_PROMPT]


@pytest.mark.parametrize("page", [PAGES / "free.html", SEED_PAGE])
def test_no_page_prompt_on_free_pages_with_login_buttons_in_the_header(page):
    # The seed page's header has "Log in" and "Subscribe" links; its comments say "Register".
    assert page_prompt_evidence(Selector(text=page.read_text("utf-8"))) == []


@pytest.mark.parametrize(
    "markup, found",
    [
        ("<div class='x'><p>Story.</p></div><div><span>Unlock this story</span></div>", True),
        ("<section><h3>Already a subscriber? Log in</h3></section>", True),
        ("<header><p>Subscribe to continue reading</p></header>", False),
        ("<nav><li>This story is for subscribers</li></nav>", False),
        ("<footer><p>Subscribe to continue reading</p></footer>", False),
        ("<aside><p>Subscribe to continue reading</p></aside>", False),
        ("<script>var t = 'Subscribe to continue reading';</script>", False),
        ("<p>Subscribers to the newsletter were told on Monday.</p>", False),
        ("<div role='banner'><p>Subscribe to continue reading</p></div>", False),
        ("<div role='navigation'><span>Unlock this story</span></div>", False),
        ("<template><p>Subscribe to continue reading</p></template>", False),
        ("<p><!-- Subscribe to continue reading --></p>", False),
        # A line-like element holding a state script: the script's text is not its line ...
        ("<div><script>window.s = {'cta': 'Unlock this story'};</script></div>", False),
        # ... and the visible line beside a large one is still read.
        ("<div><script>var x = '" + "y" * 50_000 + "';</script>Unlock this story</div>", True),
        # Deep in the content, after the story container, as real pages print it.
        (
            "<main><div><div><section><div><p>Story.</p></div><div><strong>"
            "Subscribe to continue reading</strong></div></section></div></div></main>",
            True,
        ),
        # Longer than a prompt line (300 characters): story text, whatever it mentions.
        ("<p>Subscribe to continue reading " + "and more words " * 25 + "</p>", False),
    ],
)
def test_page_prompt_evidence_skips_furniture(markup, found):
    sel = Selector(text=f"<html><body>{markup}</body></html>")
    assert (page_prompt_evidence(sel) == [PAGE_PROMPT]) is found


@pytest.mark.parametrize(
    "closing, cut",
    [
        ("LAURIE OAKES IS THE NINE NETWORK POLITICAL EDITOR", False),  # a tagline in capitals
        ("JANE CITIZEN IS A SENIOR WRITER", False),
        ("The minister said the plan would", True),
        ("Residents were told to expect\u2026", True),
        ("It ended there.", False),
    ],
)
def test_a_closing_tagline_in_capitals_is_not_a_cut(closing, cut):
    from newsbite.normalise.paywall import ends_mid_sentence

    assert ends_mid_sentence(closing) is cut


def test_one_alternation_gives_each_pattern_list_its_own_verdict():
    # The matcher folds its pattern lists into one regex each: any line a single pattern
    # accepts must be accepted, and story text none accepts must stay refused.
    matcher = PromptMatcher.default()
    for line in [*PROMPTS, *STORY_SENTENCES, "Log in", "Subscribe now", "$1 a week"]:
        folded = " ".join(line.casefold().split()).rstrip(".?!")
        one_by_one = any(p.fullmatch(folded) for p in matcher.prompts)
        assert bool(matcher._any_prompt.fullmatch(folded)) is one_by_one, line
        one_by_one = any(p.fullmatch(folded) for p in matcher.actions)
        assert bool(matcher._any_action.fullmatch(folded)) is one_by_one, line
