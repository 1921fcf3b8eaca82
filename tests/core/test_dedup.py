"""De-duplication: canonical URLs, content hashes, MinHash near-duplicates and the index.

``PAIRS`` below is the evidence for ``DEFAULT_THRESHOLD``: realistic pairs of
texts labelled as the same story or different stories;
``test_default_threshold_separates_the_labelled_pairs`` prints their exact and
estimated Jaccard similarities.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curator.domain import Item
from curator.ingest.dedup import (
    DEFAULT_THRESHOLD,
    MINHASH_SEED,
    NUM_PERM,
    SI_TRACKING_HOSTS,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    DuplicateIndex,
    canonical_url,
    content_hash,
    decode_minhash,
    minhash_of,
    minhash_signature,
    shingles,
)

# ------------------------------------------------------------------- labelled pairs

WIRE = (
    "Acme Bank said on Tuesday it would refund fees charged to about 40,000 customers after a software "
    "fault applied overdraft charges to accounts that were in credit. The error affected customers who "
    "used the bank's mobile app between March 1 and March 4, a spokeswoman said, adding that all refunds "
    'would be paid automatically within five working days. "We are sorry for the worry this has caused '
    'and no customer will be out of pocket," chief executive Maria Lopez said in a statement. The '
    "Financial Conduct Authority said it was aware of the issue and was in contact with the bank. Acme "
    "Bank has about 2.3 million current-account customers in Britain. Consumer group Which? urged "
    "affected customers to check their statements and to complain if the refund did not arrive."
)
WIRE_SYNDICATED = (
    "Acme Bank said Tuesday it will refund fees charged to around 40,000 customers after a software "
    "glitch applied overdraft charges to accounts that were in credit. The error hit customers who "
    "used the bank's mobile app between 1 and 4 March, a spokeswoman said, adding that all refunds "
    'would be paid automatically within five working days. "We are sorry for the worry this has caused '
    'and no customer will be out of pocket," chief executive Maria Lopez said in a statement. The '
    "Financial Conduct Authority said it was aware of the issue and was in contact with the bank. Acme "
    "Bank has some 2.3 million current-account customers in the UK. Consumer group Which? urged "
    "affected customers to check their statements and to complain if the refund did not arrive. "
    "Acme Bank shares were down 1.2% in London trading on Tuesday afternoon."
)
RELEASE = (
    "LONDON, 5 March 2024 - Acme Telecom today announced that its fibre broadband network now reaches "
    "two million homes across the North of England, six months ahead of plan. Customers in Leeds, "
    'Sheffield and Newcastle can now order speeds of up to 1.6 Gbps from GBP 28 a month. "Reaching two '
    'million homes early shows what our engineers can do," said Priya Shah, chief operating officer. '
    "The company plans to connect a further 500,000 homes by the end of the year, focusing on rural "
    "areas in Cumbria and North Yorkshire where connections are slowest. About Acme Telecom: Acme "
    "Telecom provides broadband, mobile and TV services to 3.1 million customers in the UK. Media "
    "contact: press@acme-telecom.example, +44 20 7946 0000."
)
RELEASE_TRIMMED = (
    "Acme Telecom today announced that its fibre broadband network now reaches two million homes "
    "across the North of England, six months ahead of plan. Customers in Leeds, Sheffield and "
    'Newcastle can now order speeds of up to 1.6 Gbps from GBP 28 a month. "Reaching two million '
    'homes early shows what our engineers can do," said Priya Shah, chief operating officer. The '
    "company plans to connect a further 500,000 homes by the end of the year."
)
TWEET = (
    "Three days without internet and @AcmeTelecom support keeps telling me an engineer is on the way. "
    "Nobody came. Again. Paying for a service I don't get #AcmeFail https://t.co/a1B2c3"
)
RETWEET = (
    "RT @jdoe_84: Three days without internet and @AcmeTelecom support keeps telling me an engineer is "
    "on the way. Nobody came. Again. Paying for a service I don't get #AcmeFail https://t.co/x9Y8z7"
)
QUOTE_TWEET = (
    'Same here, a whole week last month 👇 "Three days without internet and @AcmeTelecom support keeps '
    "telling me an engineer is on the way. Nobody came. Again. Paying for a service I don't get #AcmeFail\""
)
REVIEW = (
    "Ordered a sofa in January, paid in full, delivery date moved four times. Customer service hung up "
    "on me twice and the chat bot just loops. Finally arrived with a torn cushion and the driver refused "
    "to wait while I checked it. Never again, avoid Acme Home."
)
REVIEW_IN_FORUM = (
    "Posted this on Trustpilot yesterday, copying it here in case anyone from Acme reads this board: "
    "Ordered a sofa in January, paid in full, delivery date moved four times. Customer service hung up "
    "on me twice and the chat bot just loops. Finally arrived with a torn cushion and the driver refused "
    "to wait while I checked it. Never again, avoid Acme Home. Has anyone managed to get a refund?"
)
OUTAGE_MONDAY = (
    "Acme Bank customers were unable to log in to the mobile app for most of Monday morning. The bank said "
    "the outage was caused by a failed update to its login servers and that service was restored shortly "
    "after noon. More than 12,000 problems were reported on Downdetector at the peak. Acme Bank "
    "apologised for the inconvenience and said no customer data had been affected."
)
OUTAGE_WEDNESDAY = (
    "For the second time this week, Acme Bank's mobile app stopped working on Wednesday evening, leaving "
    "customers unable to make payments or check balances. Downdetector showed around 8,000 reports. The "
    "bank apologised for the inconvenience, blamed a problem with a third-party payment provider and said "
    "it was working to restore service as quickly as possible."
)
COMPLAINT_A = (
    "My parcel from @AcmeHome has been stuck at the Birmingham depot for a week. Tracking says out for "
    "delivery every morning and nothing turns up. Nobody answers the phone. #AcmeHome"
)
COMPLAINT_B = (
    "Ordered a table from @AcmeHome two weeks ago, tracking still says the parcel is at the depot and "
    "customer service keep telling me to wait another 48 hours. Ridiculous. #AcmeHome"
)
SHARES_UP = (
    "Shares of Acme Corp rose 3.2% to $41.10 in early trading on Monday after the company reported "
    "quarterly revenue above analyst expectations, helped by strong demand for its cloud products."
)
SHARES_DOWN = (
    "Shares of Acme Corp fell 1.8% to $39.75 in early trading on Thursday after the company cut its "
    "full-year revenue forecast, citing weaker demand from small business customers."
)
BOILERPLATE = (
    " About Acme Retail: Acme Retail operates 412 stores and a leading online shop in the UK and "
    "Ireland, employing more than 18,000 colleagues. Media contact: press@acme-retail.example."
)
STORE_RELEASE = (
    "Acme Retail today opened its first store in Leeds city centre, creating 85 jobs. The 2,400 square "
    "metre store on Briggate includes a cafe, a click-and-collect point and a repair counter for small "
    "electricals." + BOILERPLATE
)
CFO_RELEASE = (
    "Acme Retail today announced the appointment of Daniel Okafor as chief financial officer, effective "
    "1 June. He joins from a listed logistics group, where he led its finance team through two "
    "acquisitions." + BOILERPLATE
)
HASHTAG_LOVE = (
    "Loving the new #AcmeSummer flavour, mango and lime is perfect for the beach 🍹 well done @AcmeDrinks"
)
HASHTAG_HATE = (
    "The new #AcmeSummer flavour tastes like cough syrup, honestly what were you thinking @AcmeDrinks"
)

SAME = "same story"
DIFFERENT = "different stories"
PAIRS: list[tuple[str, str, str, str]] = [
    ("wire story syndicated: other wording, extra sentence", SAME, WIRE, WIRE_SYNDICATED),
    ("press release trimmed by an outlet", SAME, RELEASE, RELEASE_TRIMMED),
    ("tweet retweeted in an export", SAME, TWEET, RETWEET),
    ("tweet quoted with a comment", SAME, TWEET, QUOTE_TWEET),
    ("review pasted into a forum post", SAME, REVIEW, REVIEW_IN_FORUM),
    ("two app outages of the same bank", DIFFERENT, OUTAGE_MONDAY, OUTAGE_WEDNESDAY),
    ("two delivery complaints, same brand", DIFFERENT, COMPLAINT_A, COMPLAINT_B),
    ("two templated share-price notes", DIFFERENT, SHARES_UP, SHARES_DOWN),
    ("two press releases with the same boilerplate", DIFFERENT, STORE_RELEASE, CFO_RELEASE),
    ("two tweets with the campaign hashtag", DIFFERENT, HASHTAG_LOVE, HASHTAG_HATE),
]


# ------------------------------------------------------------------ canonical URLs

CANONICAL_CASES = [
    # scheme and host lower-cased, default port dropped, path case kept
    ("HTTPS://News.Example.COM:443/World/Story-1", "https://news.example.com/World/Story-1"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    # fragment dropped, trailing slash dropped except on the root, empty path is the root
    ("https://example.com/a/b/#comments", "https://example.com/a/b"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/", "https://example.com/"),
    # tracking parameters dropped (any case), the rest sorted by name, repeated names keep their order
    (
        "https://example.com/p?utm_source=x&UTM_Medium=y&b=2&a=1&fbclid=Z&gclid=1&a=0",
        "https://example.com/p?a=1&a=0&b=2",
    ),
    ("https://example.com/p?mc_cid=1&mc_eid=2&_hsenc=3&_hsmi=4&mkt_tok=5", "https://example.com/p"),
    (
        "https://example.com/p?ref=tw&ref_src=twsrc&spm=a.b&igshid=q&yclid=1&dclid=2&msclkid=3",
        "https://example.com/p",
    ),
    ("https://example.com/p?id=7&utm_campaign=spring", "https://example.com/p?id=7"),
    # si is a tracker on YouTube-like hosts only
    ("https://youtu.be/dQw4w9WgXcQ?si=abc123&t=42", "https://youtu.be/dQw4w9WgXcQ?t=42"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=abc", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("https://example.com/search?si=12", "https://example.com/search?si=12"),
    # values keep their encoding; user info keeps its case; IPv6 literal kept
    ("https://example.com/q?s=caf%C3%A9+au+lait", "https://example.com/q?s=caf%C3%A9+au+lait"),
    ("https://User:PW@Example.com/x", "https://User:PW@example.com/x"),
    ("http://[2001:DB8::1]:80/x/", "http://[2001:db8::1]/x"),
    # garbage in: returned as is, stripped
    ("  not a url  ", "not a url"),
    ("mailto:press@example.com", "mailto:press@example.com"),
    ("/relative/path?utm_source=x", "/relative/path?utm_source=x"),
    ("http://example.com:notaport/x", "http://example.com:notaport/x"),
    ("", ""),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL_CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


def test_tracking_list_is_a_module_constant() -> None:
    for name in ("fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_hsenc", "_hsmi"):
        assert name in TRACKING_PARAMS
    for name in ("mkt_tok", "yclid", "ref_src", "ref", "spm"):
        assert name in TRACKING_PARAMS
    assert "utm_" in TRACKING_PREFIXES
    assert "youtube.com" in SI_TRACKING_HOSTS


_hosts = st.sampled_from(["Example.com", "news.example.co.uk", "youtu.be", "WWW.YouTube.com", "[::1]", "h"])
_segments = st.lists(st.text(alphabet="aZ09-_.~%/", max_size=6), max_size=4)
_params = st.lists(
    st.tuples(
        st.sampled_from(["utm_source", "UTM_x", "si", "ref", "a", "b", "B", "q", "", "%20x"]),
        st.text(alphabet="az09%+=&?#", max_size=5),
    ),
    max_size=5,
)


@st.composite
def urlish(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "HTTPS", "ftp", "Http"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":21", ":"]))
    path = "/".join(draw(_segments))
    query = "&".join(f"{k}={v}" for k, v in draw(_params))
    fragment = draw(st.sampled_from(["", "#top", "#"]))
    space = draw(st.sampled_from(["", " ", "\t"]))
    return f"{space}{scheme}://{draw(_hosts)}{port}/{path}{'?' + query if query else ''}{fragment}{space}"


@given(st.one_of(urlish(), st.text()))
@settings(max_examples=400, deadline=None)
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(urlish())
@settings(max_examples=200, deadline=None)
def test_canonical_url_leaves_no_tracking_parameter(url: str) -> None:
    result = canonical_url(url)
    assert result.startswith(("http://", "https://", "ftp://"))
    assert "#" not in result
    names = [part.partition("=")[0].lower() for part in result.partition("?")[2].split("&") if part]
    assert not [n for n in names if n.startswith("utm_") or n in TRACKING_PARAMS]
    host = result.split("/")[2]
    assert host == host.lower()
    default = {"http": ":80", "https": ":443", "ftp": ":21"}[result.partition(":")[0]]
    assert not host.endswith(default)


# -------------------------------------------------------------------- content hash


def test_content_hash_ignores_case_whitespace_punctuation_and_links() -> None:
    base = content_hash(
        "Acme recalls kettles", "Acme Home is recalling 12,000 kettles after reports of fires."
    )
    variants = [
        ("ACME recalls kettles", "Acme  Home is recalling\n12,000 kettles after reports of fires!"),
        ("Acme recalls kettles:", "acme home is recalling 12 000 kettles -- after reports of fires"),
        (
            "Acme recalls kettles",
            "Acme Home is recalling 12,000 kettles after reports of fires. https://t.co/x1",
        ),
    ]
    for title, text in variants:
        assert content_hash(title, text) == base
    assert content_hash("Acme recalls kettles", "Acme Home is recalling 12,000 toasters.") != base
    assert re.fullmatch(r"[0-9a-f]{32}", base)
    assert content_hash("", "") == ""
    assert content_hash(" ", "!!! ...") == ""


# ------------------------------------------------------------------------ MinHash

LONG = "The bank said the outage was caused by a failed update to its login servers on Monday."


def test_minhash_signature_round_trip_and_short_texts() -> None:
    encoded = minhash_signature(LONG)
    assert encoded and encoded.isascii() and len(encoded) < 400
    sketch = decode_minhash(encoded)
    assert len(sketch) == NUM_PERM and sketch.seed == MINHASH_SEED
    fresh = minhash_of(LONG)
    assert fresh is not None
    assert sketch.jaccard(fresh) == 1.0
    assert list(sketch.hashvalues) == list(fresh.hashvalues)
    assert minhash_signature("seven words are not enough to compare") == ""
    assert minhash_signature("") == ""
    with pytest.raises(ValueError, match="not a MinHash signature"):
        decode_minhash("definitely not base64!")
    with pytest.raises(ValueError, match="not a MinHash signature"):
        decode_minhash(encoded[:20])


def test_minhash_signature_is_stable_across_processes() -> None:
    code = (
        "from curator.ingest.dedup import minhash_signature; import sys; "
        f"sys.stdout.write(minhash_signature({LONG!r}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, timeout=60
    ).stdout
    assert other == minhash_signature(LONG)


def test_default_threshold_separates_the_labelled_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    rows = []
    for label, kind, a, b in PAIRS:
        sa, sb = set(shingles(a)), set(shingles(b))
        exact = len(sa & sb) / len(sa | sb)
        ma, mb = minhash_of(a), minhash_of(b)
        assert ma is not None and mb is not None
        estimate = float(ma.jaccard(mb))
        rows.append((label, kind, exact, estimate))
    with capsys.disabled():
        print(f"\nnear-duplicate evidence (threshold {DEFAULT_THRESHOLD}):")
        for label, kind, exact, estimate in rows:
            print(f"  {label:<52} {kind:<17} exact {exact:.2f}  estimated {estimate:.2f}")
    same = [estimate for _, kind, _, estimate in rows if kind == SAME]
    different = [estimate for _, kind, _, estimate in rows if kind == DIFFERENT]
    assert min(same) >= DEFAULT_THRESHOLD > max(different)
    # Margins of at least one standard error (about 0.06 at 64 permutations) on both sides.
    assert min(same) - DEFAULT_THRESHOLD >= 0.06
    assert DEFAULT_THRESHOLD - max(different) >= 0.06


# -------------------------------------------------------------------------- index


def _item(source: str, text: str, title: str = "", url: str = "", item_id: str | None = None) -> Item:
    item = Item(source_id=source, title=title, text=text, url=url)
    if item_id:
        item.id = item_id
    return item


@pytest.mark.parametrize(("label", "kind", "a", "b"), PAIRS, ids=[p[0] for p in PAIRS])
def test_index_on_labelled_pairs(label: str, kind: str, a: str, b: str) -> None:
    index = DuplicateIndex()
    first = _item("wire", a, title="First headline")
    index.add(first)
    second = _item("reprint", b, title="Another headline")
    assert index.find(second) == (first.id if kind == SAME else None), label


def test_same_source_repeats_are_not_duplicates() -> None:
    index = DuplicateIndex()
    original = _item("feed-a", WIRE, url="https://example.com/story?utm_source=rss")
    index.add(original)
    assert index.find(_item("feed-a", WIRE_SYNDICATED)) is None
    assert index.find(_item("feed-a", WIRE, url="https://example.com/story")) is None
    assert index.find(_item("feed-b", WIRE_SYNDICATED)) == original.id


def test_exact_matches_by_url_and_content_hash() -> None:
    index = DuplicateIndex()
    article = _item(
        "press", "Short teaser.", title="Acme recalls kettles", url="https://news.example/k?utm_medium=x"
    )
    index.add(article)
    tweet = _item("x-export", "Acme recalls kettles (thread below)", url="https://news.example/k/#top")
    assert index.find(tweet) == article.id
    same_words = _item("forum", "ACME recalls kettles -- short teaser!!", title="")
    assert index.find(same_words) == article.id
    # A bare home page links many unrelated items: not evidence of anything.
    index.add(_item("press", "Our quarterly results are out now for everyone.", url="https://acme.example/"))
    assert (
        index.find(_item("blog", "Completely different words here today.", url="https://acme.example"))
        is None
    )


def test_short_texts_are_only_matched_exactly() -> None:
    index = DuplicateIndex()
    short = _item("x", "Acme app is down again today!!")
    index.add(short)
    assert short.minhash == "" and minhash_signature(short.text) == ""
    assert index.find(_item("facebook", "acme app is DOWN again today")) == short.id
    assert index.find(_item("facebook", "Acme app is down again this morning")) is None
    # Very short texts are not a story: "Thanks!" on two networks stays two items.
    index.add(_item("x", "Thanks!"))
    assert index.find(_item("facebook", "thanks")) is None


def test_index_resolves_to_the_copy_shown_and_classify() -> None:
    index = DuplicateIndex()
    first = _item("wire", WIRE)
    assert index.classify(first) is None
    second = _item("reprint", WIRE_SYNDICATED)
    assert index.classify(second) == first.id
    assert second.duplicate_of is None  # classify leaves the item alone
    # A third copy that is closest to the second still points at the one shown.
    third = _item("blog", WIRE_SYNDICATED + " Our view: this keeps happening.")
    assert index.find(third) == first.id
    # A copy from the first item's own source points at the other source's copy instead.
    again = _item("wire", WIRE_SYNDICATED + " Updated with the share price.")
    assert index.find(again) == second.id
    # Re-querying an indexed item never reports it as a duplicate of its own copies.
    assert index.find(first) is None
    assert len(index) == 2 and first.id in index


def test_add_is_idempotent_and_bad_signatures_are_recomputed() -> None:
    index = DuplicateIndex()
    item = _item("wire", WIRE)
    item.minhash = "garbage"
    index.add(item)
    index.add(item)
    assert len(index) == 1
    other = _item("reprint", WIRE_SYNDICATED)
    other.minhash = minhash_signature(other.text, num_perm=32)  # another size: recomputed
    assert index.find(other) == item.id
    with pytest.raises(ValueError, match="threshold"):
        DuplicateIndex(threshold=0)


def test_ten_thousand_items(capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(3000)]
    originals = [_item(f"feed-{i % 40}", " ".join(rng.choices(vocabulary, k=40))) for i in range(9_900)]
    copies = []
    for original in rng.sample(originals, 100):
        words = original.text.split()
        for position in rng.sample(range(len(words)), 2):
            words[position] = rng.choice(vocabulary)
        copies.append((original, _item("syndication", " ".join(words))))
    for item in originals + [c for _, c in copies]:
        item.minhash = minhash_signature(item.text)
    index = DuplicateIndex()
    start = time.perf_counter()
    false_positives = sum(index.classify(item) is not None for item in originals)
    found = sum(index.classify(copy) == original.id for original, copy in copies)
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\nDuplicateIndex: 10,000 items indexed and queried in {elapsed:.2f} s")
    assert found == 100
    assert false_positives == 0
