"""Triage rules: real-looking posts through the real pipeline, the blank fallback, phrases, previews."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import spacy

from curator.domain import Channel, Issue, Item, Role, Source, SourceKind, User
from curator.errors import CuratorError
from curator.nlp.pipeline import BLANK_WARNING, LoadedPipeline, load_pipeline
from curator.triage import service as service_mod
from curator.triage.model import (
    DeskSettings,
    PermissionDenied,
    RulesInvalid,
    TriageGroup,
    TriageInputs,
)
from curator.triage.rules import (
    NOT_ENGLISH,
    NOTHING,
    POS_UNAVAILABLE,
    TriageRules,
    WatchedTerm,
    decide,
    explain,
    extract_inputs,
    is_customer_item,
    match_phrases,
    parse_phrase,
    rule_problems,
    triage,
)
from curator.triage.service import RULES_KEY, DeskService
from curator.workspace import Workspace

URGENT, REPLY, NONE = TriageGroup.URGENT, TriageGroup.REPLY, TriageGroup.NONE
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOT = Issue(label="billing errors", hot_score=5.0, id="issue-billing")
COLD = Issue(label="compostable cups", hot_score=0.4, id="issue-cups")
ISSUES = {HOT.id: HOT, COLD.id: COLD}


@pytest.fixture(scope="module")
def trained() -> LoadedPipeline:
    pipe = load_pipeline()
    assert pipe.has_parser and pipe.has_lemmatizer, pipe.warning
    return pipe


def _item(text: str, *, reach: int | None = None, issue: str | None = None, item_id: str = "") -> Item:
    item = Item(source_id="src", title="", text=text, author_reach=reach, channel=Channel.X, issue_id=issue)
    if item_id:
        item.id = item_id
    return item


def _inputs(pipe: LoadedPipeline, text: str) -> TriageInputs:
    doc = next(iter(pipe.nlp.pipe([text], disable=["ner"])))
    return extract_inputs(doc)


# text, author reach, issue, expected group, reason phrases that must all be there
TABLE: list[tuple[str, int | None, str | None, TriageGroup, list[str]]] = [
    (
        "@northwind you charged me twice for the same order and nobody answers my emails. Where is my money?",
        None,
        None,
        URGENT,
        ["negative", "question", "complaint"],
    ),
    (
        "Got charged twice for one order and support is useless. Is anyone there?",
        None,
        HOT.id,
        URGENT,
        ["negative", "question", "complaint", "in hot issue 'billing errors'"],
    ),
    ("What are your opening hours on Sunday at the Leeds café?", None, None, REPLY, ["question"]),
    ("Is the Manchester café open on Christmas Eve", None, None, REPLY, ["question"]),
    ("How do I reset my password", None, None, REPLY, ["question"]),
    (
        "Does the Manchester café have step-free access? Bringing my grandmother in a wheelchair on Sunday.",
        None,
        None,
        REPLY,
        ["question"],
    ),
    (
        "I love the new Winter Ember blend, could you tell me which farms the beans come from",
        None,
        None,
        REPLY,
        ["question"],
    ),
    ("Best flat white in town, the Shoreditch team is amazing! ❤️", None, None, REPLY, ["praise"]),
    ("Thanks for the quick help yesterday, the replacement arrived today.", None, None, REPLY, ["praise"]),
    ("Love the new cups, well done!", 50_000, HOT.id, REPLY, ["praise"]),
    (
        "Sunday reading corner with a cinnamon bun and a flat white ☕📚 #slowliving",
        None,
        None,
        NONE,
        [NOTHING],
    ),
    ("Northwind opens its first café in Leeds next month.", None, None, NONE, [NOTHING]),
    (
        "Buy cheap followers 10K for $5 🔥🔥 real & active, DM now! #coffee",
        None,
        None,
        NONE,
        ["spam: 'dm now'", "spam: 'buy … follower'"],
    ),
    (
        "Check out my channel for FREE gift cards!!! click link in bio",
        None,
        None,
        NONE,
        ["spam: 'link in bio'"],
    ),
    (
        "Join our channel for crypto signals, 300% returns guaranteed!!! link in profile",
        None,
        None,
        NONE,
        ["spam: 'crypto signal'"],
    ),
    (
        "Great deals http://a.example/1 http://b.example/2 http://c.example/3",
        None,
        None,
        NONE,
        ["spam: 3 links"],
    ),
    (
        "My lawyer will be in touch. You took money from my account after I cancelled and I will sue.",
        None,
        None,
        URGENT,
        ["watched term 'lawyer'", "watched term 'sue'"],
    ),
    (
        "Data breach? I just got a phishing email with my order details in it!",
        None,
        None,
        URGENT,
        ["question", "watched term 'data breach'", "watched term 'phishing'"],
    ),
    (
        "Die App funktioniert seit dem Update nicht mehr. Dreimal abgebucht?! Bitte um Rückmeldung.",
        None,
        None,
        REPLY,
        ["question", "complaint", "request", NOT_ENGLISH],
    ),
    (
        "Is it just me or is the @northwindcoffee app completely broken after the update? Can't log in, "
        "can't order.",
        86_400,
        None,
        URGENT,
        ["negative", "question", "complaint", "reach 86,400"],
    ),
    (
        "My parcel still hasn't arrived after 9 days and tracking hasn't moved.",
        None,
        None,
        REPLY,
        ["complaint"],
    ),
    ("I never received my refund.", None, None, REPLY, ["complaint", "watched term 'refund'"]),
    (
        "Cancel my subscription please, I've asked three times.",
        None,
        None,
        REPLY,
        ["request", "watched term 'cancel'"],
    ),
    (
        "your app doesn't work and this is the third time I'm writing to you. Terrible service.",
        None,
        None,
        URGENT,
        ["negative", "complaint"],
    ),
    (
        "app still broken 😤 day 2 and not a single update from you. #fail",
        None,
        None,
        URGENT,
        ["negative", "complaint"],
    ),
    (
        "Hi Northwind, my order to Hamburg has been stuck for a week. Please call me back.",
        None,
        None,
        REPLY,
        ["complaint", "request"],
    ),
    (
        "The app keeps crashing when I pay. Any idea when this gets fixed?",
        None,
        HOT.id,
        URGENT,
        ["question", "complaint", "in hot issue 'billing errors'"],
    ),
    # A cold issue is no amplifier: a calm question stays "reply".
    ("The app keeps crashing when I pay. Any idea when this gets fixed?", None, COLD.id, REPLY, ["question"]),
]


@pytest.mark.parametrize(
    ("text", "reach", "issue", "group", "reasons"), TABLE, ids=[t[0][:40] for t in TABLE]
)
def test_real_looking_posts_get_their_group_and_reasons(
    trained: LoadedPipeline,
    text: str,
    reach: int | None,
    issue: str | None,
    group: TriageGroup,
    reasons: list[str],
) -> None:
    result = decide(_item(text, reach=reach, issue=issue), _inputs(trained, text), TriageRules(), ISSUES)
    assert result.group is group, explain(result, detailed=True)
    for reason in reasons:
        assert reason in result.reasons, explain(result, detailed=True)
    assert POS_UNAVAILABLE not in result.reasons


def test_the_table_covers_every_group() -> None:
    assert {row[3] for row in TABLE} == {URGENT, REPLY, NONE}
    assert len(TABLE) >= 25


def test_explanation_reads_as_one_line(trained: LoadedPipeline) -> None:
    text = "Why is my bill so high this month? This is ridiculous."
    result = triage(_item(text, issue=HOT.id), next(iter(trained.nlp.pipe([text]))), TriageRules(), ISSUES)
    assert explain(result) == "negative + question + in hot issue 'billing errors'"
    assert explain(result, detailed=True).startswith("negative + question + in hot issue 'billing errors' [")
    assert "question: 'Why is'" in result.evidence


def test_abuse_is_hidden_and_needs_no_reply(trained: LoadedPipeline) -> None:
    text = "You are all idiots and your baristas are morons."
    result = decide(_item(text), _inputs(trained, text), TriageRules(), {})
    assert (result.group, result.hide, result.abusive) == (NONE, True, True)
    assert result.reasons[:2] == ["abusive: 'idiot'", "abusive: 'moron'"]


def test_swearing_alone_is_not_abuse(trained: LoadedPipeline) -> None:
    text = "Where the hell is my damn refund? Still nothing after two weeks."
    result = decide(_item(text), _inputs(trained, text), TriageRules(), {})
    assert result.group is URGENT and not result.hide


def test_question_and_complaint_cues_come_from_patterns_not_keywords(trained: LoadedPipeline) -> None:
    # The same words, once asking and once not: word order and tags decide.
    asking = _inputs(trained, "Can you check my order")
    telling = _inputs(trained, "You can check my order")
    assert asking.question == ["'Can you'"]
    assert telling.question == []
    # "When I ordered…" starts with a wh-word but is not a question.
    assert _inputs(trained, "When I ordered at 8:05 the payment went through").question == []
    assert _inputs(trained, "The app doesn't work since Monday").complaint == ["'doesn't work'"]
    assert _inputs(trained, "The app works fine since Monday").complaint == []


def test_blank_pipeline_still_triages_and_says_patterns_were_basic() -> None:
    nlp = spacy.blank("en")
    for text, group in [
        ("@northwind you charged me twice and nobody answers. Where is my money?", URGENT),
        ("How do I reset my password", REPLY),
        ("My parcel still hasn't arrived after 9 days.", REPLY),
        ("Check out my channel for FREE gift cards!!! click link in bio", NONE),
    ]:
        inputs = extract_inputs(nlp(text))
        result = decide(_item(text), inputs, TriageRules(), {})
        assert not inputs.pos_patterns
        assert result.group is group, explain(result, detailed=True)
        assert POS_UNAVAILABLE in result.reasons
    parcel = extract_inputs(nlp("My parcel still hasn't arrived after 9 days."))
    assert "'hasn't arrived'" in parcel.complaint


def test_not_english_text_ignores_sentiment(trained: LoadedPipeline) -> None:
    # VADER reads German "Die" as the English verb; the rules must not.
    text = "Die Winter-Ember-Mischung ist wirklich gelungen: schokoladig, leicht würzig, kaum Säure."
    inputs = _inputs(trained, text)
    assert not inputs.english and inputs.sentiment < -0.15
    result = decide(_item(text), inputs, TriageRules(), {})
    assert result.group is NONE and "negative" not in result.reasons
    assert NOT_ENGLISH in result.reasons


def test_repeated_text_is_spam_but_short_common_questions_are_not(trained: LoadedPipeline) -> None:
    text = "Is the Manchester café open on Christmas Eve and on Boxing Day?"
    inputs = _inputs(trained, text)
    assert decide(_item(text), inputs, TriageRules(), {}, repeats=2).group is REPLY
    result = decide(_item(text), inputs, TriageRules(), {}, repeats=3)
    assert result.group is NONE and "spam: same text 3 times" in result.reasons
    # Links, handles and numbers do not make a copy new.
    assert _inputs(trained, text + " https://x.example/1 @bob 42").text_hash == inputs.text_hash
    short = "@northwind any update on my order?"
    assert decide(_item(short), _inputs(trained, short), TriageRules(), {}, repeats=5).group is REPLY


def test_watched_terms_force_groups_and_can_be_edited(trained: LoadedPipeline) -> None:
    text = "Is there oat milk in the Leeds café?"
    inputs = _inputs(trained, text)
    assert decide(_item(text), inputs, TriageRules(), {}).group is REPLY
    rules = TriageRules(watched_terms=[WatchedTerm("oat milk", TriageGroup.URGENT)])
    result = decide(_item(text), inputs, rules, {})
    assert result.group is URGENT and "watched term 'oat milk'" in result.reasons


def test_team_phrases_add_to_the_built_in_patterns(trained: LoadedPipeline) -> None:
    text = "the barista gave me decaf instead"
    inputs = _inputs(trained, text)
    assert decide(_item(text), inputs, TriageRules(), {}).group is NONE
    rules = TriageRules(extra_complaint_phrases=["gave|give me * instead"])
    result = decide(_item(text), inputs, rules, {})
    assert result.group is REPLY and "complaint: 'gave me … instead'" in result.evidence


def test_phrase_syntax() -> None:
    tokens = ["buy", "cheap", "real", "followers|follower", "now", "does", "n't", "work", "e", "-", "mail"]
    assert match_phrases(["buy * followers"], tokens) == ["buy * followers"]
    assert match_phrases(["buy * * * followers"], tokens) == [
        "buy * * * followers"
    ]  # a gap is up to two words
    assert match_phrases(["buy * follower"], tokens) == ["buy * follower"]  # lemma
    assert match_phrases(["follow*"], tokens) == ["follow*"]
    assert match_phrases(["doesn't work", "e-mail", "email"], tokens) == ["doesn't work", "e-mail"]
    assert match_phrases(["buy now"], tokens) == []
    with pytest.raises(RulesInvalid, match="has no word"):
        parse_phrase(" * ")


def test_rule_mistakes_are_listed_in_sentences() -> None:
    rules = TriageRules(negative_below=0.5, spam_repeats=1, watched_terms=[WatchedTerm("*", None)])
    problems = rule_problems(rules)
    assert len(problems) == 3
    assert any("negative threshold must be between -1 and 0" in p for p in problems)
    with pytest.raises(RulesInvalid) as caught:
        decide(_item("x"), TriageInputs(), rules, {})
    assert isinstance(caught.value, CuratorError)
    assert "Repeated text" in str(caught.value)


def test_which_items_are_customer_messages() -> None:
    settings = DeskSettings(own_handles=["northwindcoffee"], extra_source_ids=["blog-comments"])
    mentions = Source(
        title="Listening export", url="https://l.example/x.json", kind=SourceKind.MENTIONS, id="m"
    )
    feed = Source(title="Press", url="https://p.example/rss", channel=Channel.NEWS, id="p")

    def item(channel: Channel, source: str = "p", author: str = "@anna") -> Item:
        return Item(source_id=source, title="", text="hi", channel=channel, author=author)

    assert is_customer_item(item(Channel.X), None, settings)
    assert is_customer_item(item(Channel.EMAIL), None, settings)
    assert not is_customer_item(item(Channel.NEWS), feed, settings)
    assert not is_customer_item(item(Channel.BLOG), feed, settings)
    assert is_customer_item(item(Channel.BLOG, "blog-comments"), None, settings)
    assert is_customer_item(item(Channel.OTHER, "m"), mentions, settings)
    assert not is_customer_item(item(Channel.OTHER, "p"), feed, settings)
    assert not is_customer_item(item(Channel.X, author="@NorthwindCoffee"), None, settings)
    duplicate = item(Channel.X)
    duplicate.duplicate_of = "other"
    assert not is_customer_item(duplicate, None, settings)


# --------------------------------------------------------------------------- stored rules and preview
@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.open(tmp_path / "ws", create=True) as opened:
        yield opened


def test_rules_are_stored_in_the_workspace_config(ws: Workspace) -> None:
    rules = TriageRules(urgent_reach=2_000, watched_terms=[WatchedTerm("oat milk", TriageGroup.URGENT, 2.5)])
    ws.config.put(RULES_KEY, rules)
    assert ws.config.get_or_default(RULES_KEY, TriageRules) == rules
    assert TriageRules() == TriageRules()  # the default is a plain value


ADMIN = User("Lukas", roles=[Role.AGENT, Role.ADMIN], id="admin")
AGENT = User("Priya", roles=[Role.AGENT], id="agent")


def _store(ws: Workspace, rows: list[tuple[str, str, int | None]]) -> dict[str, Item]:
    items = {}
    for n, (key, text, reach) in enumerate(rows):
        when = T0 + timedelta(minutes=n)
        item = Item(
            source_id="mentions",
            title="",
            text=text,
            author=f"@{key}",
            author_reach=reach,
            channel=Channel.X,
            published_at=when,
            fetched_at=when,
        )
        item.id = key
        items[key] = item
    ws.items.save_many(items.values())
    return items


def test_preview_counts_the_items_a_rule_change_would_move(
    ws: Workspace, trained: LoadedPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.users.save_many([ADMIN, AGENT])
    _store(
        ws,
        [
            ("q1", "Is the Leeds café open on Sunday?", 5_000),
            ("q2", "How do I change my delivery address", 3_000),
            ("q3", "Do you sell decaf beans online?", 1_500),
            ("q4", "Can I bring my dog to the Shoreditch café?", 4_000),  # overridden below
            ("praise", "Best flat white in town, the Shoreditch team is amazing!", 5_000),
            ("small", "Is the Manchester café open on Christmas Eve?", 200),
            ("spam", "Check out my channel for FREE gift cards!!! click link in bio", 9_000),
        ],
    )
    clock = [T0 + timedelta(hours=1)]
    desk = DeskService(ws, clock=lambda: clock[0], pipeline=trained)
    assert desk.triage_new().triaged == 7
    desk.override("q4", TriageGroup.NONE, AGENT, "asked in the wrong place, answered in store")

    # Triaged inputs are stored, so a preview needs no spaCy run.
    def no_spacy(*_args: object, **_kwargs: object) -> TriageInputs:
        raise AssertionError("the preview ran spaCy")

    monkeypatch.setattr(service_mod, "extract_inputs", no_spacy)
    preview = desk.preview_rules(TriageRules(urgent_reach=1_000))
    assert preview.total == 7
    assert preview.counts == {(REPLY, URGENT): 3}
    assert sorted(m.item_id for m in preview.moves) == ["q1", "q2", "q3"]
    assert preview.kept_by_override == ["q4"]
    assert preview.computed_inputs == 0
    assert "reach 5,000" in next(m for m in preview.moves if m.item_id == "q1").new_reasons
    assert preview.sentence() == (
        "3 of 7 messages would move: 3 reply → urgent. 1 overridden message keeps the group a person chose."
    )
    # Nothing changed until saved.
    unsaved = desk.record("q1")
    assert unsaved is not None and unsaved.group is REPLY


def test_saving_rules_applies_them_but_not_to_overridden_items(
    ws: Workspace, trained: LoadedPipeline
) -> None:
    ws.users.save_many([ADMIN, AGENT])
    _store(
        ws,
        [
            ("q1", "Is the Leeds café open on Sunday?", 5_000),
            ("q4", "Can I bring my dog to the café?", 4_000),
        ],
    )
    desk = DeskService(ws, clock=lambda: T0 + timedelta(hours=1), pipeline=trained)
    desk.triage_new()
    desk.override("q4", TriageGroup.NONE, AGENT, "spam-like")
    with pytest.raises(PermissionDenied, match="only admins"):
        desk.save_rules(TriageRules(urgent_reach=1_000), AGENT)
    applied = desk.save_rules(TriageRules(urgent_reach=1_000), ADMIN)
    assert applied.counts == {(REPLY, URGENT): 1}
    q1, q4 = desk.record("q1"), desk.record("q4")
    assert q1 is not None and q4 is not None
    assert q1.group is URGENT and "reach 5,000" in q1.reasons
    assert q4.group is URGENT and q4.effective_group is NONE  # the rules' view is kept, the person's wins
    conv = desk.tables.conversations.get(q1.conversation_id)
    assert conv is not None and conv.group is URGENT
    assert desk.rules().urgent_reach == 1_000
    # A second preview of the same rules moves nothing.
    assert desk.preview_rules(TriageRules(urgent_reach=1_000)).moved == 0


def test_preview_computes_missing_inputs(ws: Workspace, trained: LoadedPipeline) -> None:
    _store(ws, [("q1", "Is the Leeds café open on Sunday?", 5_000)])
    preview = service_mod.preview_rules(ws, TriageRules(urgent_reach=1_000), pipeline=trained)
    assert (preview.computed_inputs, preview.moved) == (1, 1)


def test_invalid_rules_cannot_be_previewed(ws: Workspace) -> None:
    with pytest.raises(RulesInvalid, match="praise threshold"):
        service_mod.preview_rules(ws, TriageRules(praise_above=2.0))


def test_blank_pipeline_desk_reports_the_warning(ws: Workspace) -> None:
    blank = LoadedPipeline(nlp=spacy.blank("en"), name="blank:en", version="0", warning=BLANK_WARNING)
    _store(ws, [("q1", "How do I reset my password", None)])
    summary = DeskService(ws, clock=lambda: T0, pipeline=blank).triage_new()
    assert summary.triaged == 1 and summary.warning == BLANK_WARNING
    record = DeskService(ws, pipeline=blank).record("q1")
    assert record is not None and record.group is REPLY
    assert POS_UNAVAILABLE in record.reasons
