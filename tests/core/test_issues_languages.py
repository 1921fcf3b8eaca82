"""Hot issues in other languages: German and French items group by content words, not grammar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from curator.domain import Channel, Item, utcnow
from curator.issues.service import AnalysisService, terms_of
from curator.nlp.analysis import ItemAnalysis
from curator.nlp.languages import LANGUAGES, stop_words
from curator.workspace import Workspace

# Two German and two French stories. Within a language the stories share their
# function words ("die", "ist", "nicht", "und", "der" / "je", "pas", "le", "mon",
# "ne") far more than any content word, so grouping on function words would
# merge them; grouping on content words keeps four issues.
STORIES: dict[str, tuple[str, list[str]]] = {
    "paket": (
        "de",
        [
            "Die Lieferung ist wieder nicht angekommen und das Paket ist verschwunden.",
            "Mein Paket ist nicht da, die Lieferung hängt seit Tagen fest.",
            "Wo ist mein Paket? Die Lieferung ist schon wieder zu spät.",
            "Lieferung verspätet, das Paket ist noch immer nicht bei mir.",
        ],
    ),
    "kaffeemaschine": (
        "de",
        [
            "Die Kaffeemaschine ist kaputt und der Kundendienst antwortet nicht.",
            "Meine Kaffeemaschine ist nach zwei Wochen kaputt, der Kundendienst ist nicht erreichbar.",
            "Der Kundendienst hilft nicht, die Kaffeemaschine bleibt kaputt.",
            "Kaffeemaschine schon wieder kaputt und kein Kundendienst, das ist nicht gut.",
        ],
    ),
    "application": (
        "fr",
        [
            "L'application plante encore et je ne peux pas me connecter.",
            "Impossible de me connecter, l'application plante depuis la mise à jour.",
            "L'application plante dès que je veux me connecter à mon profil.",
            "Encore une fois l'application plante, pas moyen de se connecter.",
        ],
    ),
    "remboursement": (
        "fr",
        [
            "Le remboursement n'est toujours pas arrivé sur mon compte bancaire.",
            "J'attends mon remboursement depuis trois semaines et le virement n'arrive pas.",
            "Toujours pas de remboursement, le virement ne vient pas sur mon compte.",
            "Mon remboursement est en retard et le virement ne vient toujours pas.",
        ],
    ),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root: Path = tmp_path_factory.mktemp("languages") / "ws"
    now = utcnow()
    with Workspace.open(root, create=True) as ws:
        ws.items.save_many(
            Item(
                source_id="src",
                title="",
                text=text,
                channel=Channel.X,
                published_at=now - timedelta(minutes=10 * n + k),
                id=f"{story}-{n}",
            )
            for k, (story, (_, texts)) in enumerate(STORIES.items())
            for n, text in enumerate(texts)
        )
        AnalysisService(ws).analyse(now=now)
        yield ws


def test_each_story_is_one_issue_of_its_own(workspace: Workspace) -> None:
    items = {item.id: item for item in workspace.items.list()}
    found = {}
    for story, (_, texts) in STORIES.items():
        issue_ids = {items[f"{story}-{n}"].issue_id for n in range(len(texts))}
        assert len(issue_ids) == 1 and None not in issue_ids, (story, issue_ids)
        found[story] = issue_ids.pop()
    assert len(set(found.values())) == len(STORIES), found  # never merged on shared grammar


def test_items_are_told_apart_by_language_and_keep_only_content_words(workspace: Workspace) -> None:
    for item in workspace.items.list():
        story = item.id.rsplit("-", 1)[0]
        language = STORIES[story][0]
        analysis = ItemAnalysis.from_doc(item.analysis)
        assert analysis.language == language, (item.text, analysis.language)
        terms = terms_of(analysis)
        assert terms, item.text
        for term in terms:
            words = term.split("_")
            assert words[0] not in stop_words(language) and words[-1] not in stop_words(language), term
        assert story in terms  # the content word the story is about


def test_no_label_is_made_of_stop_words(workspace: Workspace) -> None:
    stops = frozenset().union(*(stop_words(lang) for lang in LANGUAGES if lang != "en"))
    live = [issue for issue in workspace.issues.list() if issue.merged_into is None and issue.item_count]
    assert len(live) == len(STORIES)
    for issue in live:
        assert issue.keyphrases, issue
        for phrase in issue.keyphrases:
            words = phrase.split()
            assert words[0] not in stops and words[-1] not in stops, (issue.label, phrase)
    labels = " ".join(issue.label for issue in live)
    for story in STORIES:
        assert story in labels, labels


def test_old_analyses_without_a_language_are_filtered_too() -> None:
    # Stored before languages were told apart: German text said "" and kept its function words.
    old = ItemAnalysis(
        lemmas=["die", "lieferung", "ist", "nicht", "angekommen", "und", "das", "paket", "fehlt"],
        noun_chunks=["die lieferung", "das paket"],
        hashtags=["nicht", "paketchaos"],
        language="",
    )
    assert terms_of(old) == ["lieferung", "angekommen", "paket", "fehlt", "paketchaos"]
