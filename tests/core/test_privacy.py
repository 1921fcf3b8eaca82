"""Personal-data masking: regex kinds, tricky look-alikes, names via NER, merging."""

from __future__ import annotations

import pytest
import spacy

from curator.nlp.pipeline import LoadedPipeline, load_pipeline
from curator.nlp.privacy import Finding, mask_personal_data


@pytest.fixture(scope="module")
def blank() -> LoadedPipeline:
    """A pipeline without NER, so only the regexes run (fast, deterministic)."""
    return LoadedPipeline(nlp=spacy.blank("en"), name="blank:en", version="test")


@pytest.fixture(scope="module")
def trained() -> LoadedPipeline:
    pipe = load_pipeline()
    if not pipe.has_ner:
        pytest.fail(f"the pinned trained model should be installed: {pipe.warning}")
    return pipe


BRAND = ("northwindcoffee",)

# (text, expected masked text)
CASES: list[tuple[str, str | None]] = [
    # positives
    ("Mail me at jonas.weber@example.com please", "Mail me at [email] please"),
    ("write to support+orders@mail.example.co.uk.", "write to [email]."),
    ("Call +49 30 1234567 today", "Call [phone] today"),
    ("UK office: 020 7946 0958", "UK office: [phone]"),
    ("US line (555) 123-4567 anytime", "US line [phone] anytime"),
    ("mobile 0151-23456789", "mobile [phone]"),
    ("or 555-123-4567", "or [phone]"),
    ("+1 (555) 123-4567", "[phone]"),
    ("+44 20 7946 0958", "[phone]"),
    ("ring 0044 20 7946 0958", "ring [phone]"),
    ("+49 (0)30 1234567", "[phone]"),
    ("Festnetz 030/1234567", "Festnetz [phone]"),
    ("tel. 089 12345678.", "tel. [phone]."),
    ("thanks @northwindcoffee and @jonas_w!", "thanks @northwindcoffee and @[handle]!"),
    ("@NorthwindCoffee my cup leaked", "@NorthwindCoffee my cup leaked"),
    ("u/coffee_lover99 said so", "u/[handle] said so"),
    ("card 4111 1111 1111 1111 was charged", "card [card] was charged"),
    ("card 4111-1111-1111-1111", "card [card]"),
    ("IBAN DE89 3704 0044 0532 0130 00 please refund", "IBAN [iban] please refund"),
    ("my email is a@b.co, phone 0170 1234567", "my email is [email], phone [phone]"),
    # tricky negatives
    ("Delivered 2026-11-23 at 10:30", "Delivered 2026-11-23 at 10:30"),
    ("ordered on 23.11.2026 and 03.11.2026", "ordered on 23.11.2026 and 03.11.2026"),
    ("on 03/11/2026 between 12:30-14:00", "on 03/11/2026 between 12:30-14:00"),
    ("costs €12.50 or $1,299.00 or 19.99 EUR", "costs €12.50 or $1,299.00 or 19.99 EUR"),
    ("order #12345 is late", "order #12345 is late"),
    ("order 0012345 is late", "order 0012345 is late"),
    ("a fan since 1999, from 2019-2024", "a fan since 1999, from 2019-2024"),
    ("app version 5.2.1 and v0.10.2", "app version 5.2.1 and v0.10.2"),
    ("see https://example.com/orders/0151234567?ref=0201234567", None),
    ("card 4111 1111 1111 1112 fails Luhn", "card 4111 1111 1111 1112 fails Luhn"),
    ("ticket 1234567890123 is open", "ticket 1234567890123 is open"),
    ("IBAN DE89 3704 0044 0532 0130 01 has a bad checksum", None),
    ("ref 20261123, 2.5 kg for 19.99", "ref 20261123, 2.5 kg for 19.99"),
    ("#latte is the best #coffee2026", "#latte is the best #coffee2026"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_regex_masking_table(blank: LoadedPipeline, text: str, expected: str | None) -> None:
    result = mask_personal_data(text, pipeline=blank, keep_handles=BRAND)
    # None means "unchanged": written so for cases whose point is that nothing is masked.
    assert result.masked == (text if expected is None else expected)
    assert (result.findings == []) == (result.masked == text)
    assert result.names_checked is False


def test_findings_point_at_original_spans(blank: LoadedPipeline) -> None:
    text = "Mail jo@example.com or call 020 7946 0958"
    result = mask_personal_data(text, pipeline=blank)
    assert result.findings == [Finding("email", 5, 19), Finding("phone", 28, 41)]
    assert [text[f.start : f.end] for f in result.findings] == ["jo@example.com", "020 7946 0958"]


def test_keep_handles_accepts_at_sign_and_any_case(blank: LoadedPipeline) -> None:
    result = mask_personal_data("@NorthWind and @someone", pipeline=blank, keep_handles=("@northwind",))
    assert result.masked == "@NorthWind and @[handle]"


def test_person_names_masked_with_trained_model(trained: LoadedPipeline) -> None:
    result = mask_personal_data("Jonas Weber wrote to us", pipeline=trained)
    assert result.masked == "[name] wrote to us"
    assert result.names_checked is True
    assert result.findings == [Finding("person", 0, 11)]


def test_names_and_regexes_together(trained: LoadedPipeline) -> None:
    text = "Hi, I am Maria Schmidt, reach me at maria.schmidt@example.org or +49 30 1234567."
    result = mask_personal_data(text, pipeline=trained)
    assert result.masked == "Hi, I am [name], reach me at [email] or [phone]."
    assert [f.kind for f in result.findings] == ["person", "email", "phone"]


def test_precomputed_doc_is_used(trained: LoadedPipeline) -> None:
    text = "Jonas Weber wrote to us"
    doc = trained.nlp(text)
    assert mask_personal_data(text, doc=doc, pipeline=trained).masked == "[name] wrote to us"
    with pytest.raises(ValueError, match="not a document of the text"):
        mask_personal_data("something else", doc=doc)


def test_overlapping_findings_are_merged() -> None:
    # A person entity spanning a handle must not produce two replacements.
    nlp = spacy.blank("en")
    text = "ping @jonas_weber now"
    doc = nlp(text)
    doc.ents = [doc.char_span(5, 17, label="PERSON")]
    result = mask_personal_data(text, doc=doc)
    assert result.masked == "ping @[handle] now"
    assert result.findings == [Finding("handle", 5, 17)]
    assert result.names_checked is True


def test_without_ner_the_result_says_names_were_not_checked(blank: LoadedPipeline) -> None:
    result = mask_personal_data("Jonas Weber wrote to us", pipeline=blank)
    assert result.masked == "Jonas Weber wrote to us"
    assert result.names_checked is False
