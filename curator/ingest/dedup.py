"""One story heard twice: canonical URLs, content hashes and MinHash near-duplicates.

A story reaches a newsroom many times: the wire copy and its syndicated
reprints, the article and the tweet quoting it, the review and the forum post
that pastes it. Curator stores every copy (each source keeps its items) and
shows one; ``Item.duplicate_of`` names the one shown. This module decides
what counts as "the same story" with three tests, cheapest first:

1. the same canonical URL (tracking parameters, fragments and other noise
   removed, see :func:`canonical_url`);
2. the same content hash (case, whitespace, punctuation and links ignored,
   see :func:`content_hash`);
3. a near-duplicate text: MinHash signatures over word 3-shingles, looked up
   with datasketch's ``MinHashLSH`` and confirmed by the estimated Jaccard
   similarity (see :data:`DEFAULT_THRESHOLD` for how the threshold was chosen).

Only items from *different* sources are duplicates here; a source repeating
itself is the same item, which the caller recognises by its stable id.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import unquote_plus, urlsplit

import numpy as np
from datasketch import LeanMinHash, MinHash

from curator.domain import Item

__all__ = [
    "DEFAULT_PORTS",
    "DEFAULT_THRESHOLD",
    "MINHASH_SEED",
    "MIN_EXACT_WORDS",
    "MIN_WORDS",
    "NUM_PERM",
    "SHINGLE_WORDS",
    "SI_TRACKING_HOSTS",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "DuplicateIndex",
    "canonical_url",
    "content_hash",
    "decode_minhash",
    "encode_minhash",
    "minhash_of",
    "minhash_signature",
    "normalise_text",
    "shingles",
]

# --------------------------------------------------------------------- URLs

#: Query parameters that only say who sent the reader, never which page it is.
#: Compared case-insensitively. Kept deliberately short: a parameter missing
#: here costs a missed duplicate, one wrongly listed merges two pages.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "yclid",
        "ref_src",
        "ref",
        "spm",
    }
)

#: Parameter-name prefixes that are tracking whatever follows (``utm_source``, ``utm_medium`` ...).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

#: Hosts (and their subdomains) where ``si`` is a share-tracking token, not content. Elsewhere ``si``
#: can mean something (a language, a search index), so it is only dropped here.
SI_TRACKING_HOSTS: tuple[str, ...] = ("youtube.com", "youtu.be", "youtube-nocookie.com", "spotify.com")

#: Ports that say nothing because the scheme implies them.
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443, "ftp": 21}


def _host_matches(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _is_tracking(name: str, host: str) -> bool:
    key = unquote_plus(name).strip().lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    return key == "si" and _host_matches(host, SI_TRACKING_HOSTS)


def canonical_url(url: str) -> str:
    """The form of ``url`` used to recognise the same page behind different links.

    Lower-cases the scheme and host, drops the scheme's default port, the
    fragment and the tracking parameters (:data:`TRACKING_PARAMS`,
    :data:`TRACKING_PREFIXES`, and ``si`` on :data:`SI_TRACKING_HOSTS`), sorts
    the remaining parameters by name (keeping the order of repeated names,
    which some sites give meaning to) and keeps their original encoding, so a
    value never changes meaning. The path keeps its case, because servers
    treat ``/News`` and ``/news`` as different pages.

    Trailing slash: removed on every path except the root (``/a/`` becomes
    ``/a``). Sites serve both forms for the same article far more often than
    two different pages that differ only by the slash, and a wrongly merged
    pair only hides a copy (both stay stored), while a missed pair shows the
    story twice. An empty path becomes ``/``.

    The result is only a comparison key; Curator still opens the URL it was
    given. Anything that is not an absolute URL with a host is returned
    unchanged except for surrounding whitespace. The function is idempotent.

    Args:
        url: Any string; typically a link from a feed entry or an export row.

    Returns:
        The canonical URL, or ``url.strip()`` when it cannot be understood.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    host = parts.hostname
    if not parts.scheme or not host:
        return text
    scheme = parts.scheme.lower()
    if ":" in host:  # IPv6 literal: urlsplit removed the brackets
        host = f"[{host}]"
    userinfo, at, _ = parts.netloc.rpartition("@")
    netloc = f"{userinfo}{at}{host}"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = parts.path.rstrip("/") or "/"
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p.partition("=")[0], host)]
    # A stable sort by name keeps repeated names (a=2&a=1) in the order the site chose.
    kept.sort(key=lambda p: unquote_plus(p.partition("=")[0]))
    query = "&".join(kept)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def _is_site_root(canonical: str) -> bool:
    """Whether a canonical URL is a bare home page, which many unrelated items link to."""
    parts = urlsplit(canonical)
    return parts.path in ("", "/") and not parts.query


# ------------------------------------------------------------ text and hash

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NON_WORD_RE = re.compile(r"[\W_]+")


def normalise_text(text: str) -> str:
    """Text reduced to what a reader would call "the same words".

    Links are removed (a reshare carries a fresh short link), the text is
    NFKC-normalised and case-folded, and every run of punctuation, symbols
    and whitespace becomes one space.
    """
    text = _URL_RE.sub(" ", unicodedata.normalize("NFKC", text))
    return _NON_WORD_RE.sub(" ", text.casefold()).strip()


def content_hash(title: str, text: str) -> str:
    """A hash that is equal for the same words, whatever the spacing, case or punctuation.

    The title and the text are hashed together, so an item whose headline is
    repeated as its first line hashes like one that only has the text.

    Returns:
        32 hex digits (BLAKE2b-128), or ``""`` when there are no words at all,
        so that empty items never count as duplicates of one another.
    """
    normalised = normalise_text(f"{title}\n{text}")
    if not normalised:
        return ""
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).hexdigest()


# ------------------------------------------------------------------ MinHash

#: Permutations per signature: 64 keeps a signature at 360 characters and an estimate within about
#: ±0.06 (one standard error at J=0.5), enough to tell copies (J>0.6) from different stories (J<0.2).
NUM_PERM = 64

#: Fixed seed of the permutations. Part of the stored format: signatures made with another seed cannot
#: be compared, so :func:`decode_minhash` checks it and the index recomputes such signatures.
MINHASH_SEED = 20240305

#: Texts with fewer words than this get no signature: a handful of shingles gives a Jaccard estimate
#: too noisy to trust, so short texts are only matched exactly (URL or content hash).
MIN_WORDS = 8

#: Texts with fewer words than this are not matched by content hash either: "Thanks!" said on two
#: networks is not one story.
MIN_EXACT_WORDS = 3

#: Shingle size in words. Three words keep word order (unlike single words, which make every two
#: texts about the same brand look alike) while one edited word only breaks three shingles.
SHINGLE_WORDS = 3

#: Default estimated-Jaccard threshold (word 3-shingles, 64 permutations) from which two texts from
#: different sources are one story. Chosen on the labelled pairs in ``tests/core/test_dedup.py``
#: (``PAIRS``; the test prints the table). Copies - a syndicated wire story reworded in places with an
#: added sentence, a press release trimmed by an outlet, a retweet, a quote tweet, a review pasted into
#: a forum post - have an exact Jaccard of 0.60 to 0.90 (estimates 0.56 to 0.94). Different stories
#: about the same brand and topic - two outages of one bank's app, two delivery complaints, two
#: templated share-price notes, two tweets with one campaign hashtag, and the hardest case, two press
#: releases ending in the same 30-word boilerplate - have 0.00 to 0.30 (estimates 0.00 to 0.34).
#: Re-estimating every pair with 300 other seeds, 0.45 misclassifies the worst pair on either side in
#: 0.7% of seeds; 0.40 wrongly merges the boilerplate pair in 3.7%, 0.50 misses the wire copy in 3.7%.
#: The 0.7 first proposed would miss three of the five copies: rewording one word in ten, or adding a
#: comment around a short text, already costs a third of the shingles.
DEFAULT_THRESHOLD = 0.45


def shingles(text: str, size: int = SHINGLE_WORDS) -> list[str]:
    """The distinct word ``size``-grams of the normalised text, in first-seen order."""
    words = normalise_text(text).split()
    grams = (" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    return list(dict.fromkeys(grams))


@functools.lru_cache(maxsize=8)
def _template(num_perm: int) -> MinHash:
    # Generating permutations costs far more than hashing a text; make them once per size.
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED)


def minhash_of(text: str, num_perm: int = NUM_PERM) -> LeanMinHash | None:
    """The MinHash of a text's word 3-shingles, or None when the text is too short to compare.

    Stable across processes and machines: the permutations come from
    :data:`MINHASH_SEED` and shingles are hashed with CRC-32 (C speed, a good
    spread for 32-bit MinHash; datasketch's SHA-1 default cost a Python call
    per shingle and was a fifth of ingest time), never with Python's
    randomised ``hash()``.
    """
    if len(normalise_text(text).split()) < MIN_WORDS:
        return None
    template = _template(num_perm)
    sketch = MinHash(
        num_perm=num_perm,
        seed=MINHASH_SEED,
        hashfunc=zlib.crc32,
        permutations=template.permutations,
        scheme=template.scheme,
    )
    sketch.update_batch(s.encode("utf-8") for s in shingles(text))
    return LeanMinHash(sketch)


def encode_minhash(sketch: LeanMinHash) -> str:
    """A signature as text for ``Item.minhash``.

    Base64 of datasketch's own portable LeanMinHash layout in little-endian
    byte order, which records the seed, the number of permutations and the
    permutation scheme next to the hash values, so a reader can tell whether
    two stored signatures are comparable.
    """
    buffer = bytearray(sketch.bytesize(byteorder="<"))
    sketch.serialize(buffer, byteorder="<")
    return base64.b64encode(bytes(buffer)).decode("ascii")


def decode_minhash(encoded: str) -> LeanMinHash:
    """The sketch stored by :func:`encode_minhash`.

    Raises:
        ValueError: the text is not a signature (damaged, or from another
            encoding), so the caller can recompute it from the item's text.
    """
    try:
        raw = base64.b64decode(encoded.encode("ascii"), validate=True)
        sketch = LeanMinHash.deserialize(raw, byteorder="<")
    except (binascii.Error, UnicodeEncodeError, ValueError, struct.error) as exc:
        raise ValueError(f"not a MinHash signature: {exc}") from exc
    if not isinstance(sketch, LeanMinHash):  # pragma: no cover - datasketch contract
        raise ValueError("not a MinHash signature")
    return sketch


def minhash_signature(text: str, num_perm: int = NUM_PERM) -> str:
    """The encoded signature to store in ``Item.minhash``; ``""`` for texts under :data:`MIN_WORDS` words."""
    sketch = minhash_of(text, num_perm)
    return encode_minhash(sketch) if sketch is not None else ""


# -------------------------------------------------------------------- index


def _url_key(item: Item) -> str:
    key = item.canonical_url or (canonical_url(item.url) if item.url else "")
    # Many unrelated items link to a site's home page; that says nothing about the story.
    return "" if not key or _is_site_root(key) else key


def _hash_key(item: Item) -> str:
    # Counting words needs the normalised text; only short texts can fall under the minimum.
    short = len(item.title) + len(item.text) < 40 * MIN_EXACT_WORDS
    if short and len(normalise_text(f"{item.title}\n{item.text}").split()) < MIN_EXACT_WORDS:
        return ""
    return item.content_hash or content_hash(item.title, item.text)


class _Keys(NamedTuple):
    url: str
    hash: str
    sketch: LeanMinHash | None


@dataclass(slots=True)
class _Entry:
    source_id: str
    root: str  # the item shown for this story (itself unless it is a duplicate)
    order: int


class DuplicateIndex:
    """Finds, among items already seen, the one a new item from another source repeats.

    Everything lives in memory: exact matches in dictionaries, near-duplicates
    in an LSH band index tuned to favour recall (21 bands of 3 rows: a pair
    at J=0.5 becomes a candidate with probability 0.94, at J=0.6 with 0.99),
    every candidate then confirmed with the estimated Jaccard similarity.

    The bands are ours, not datasketch's ``MinHashLSH``: that keeps a Python
    set per bucket and band (21 per item), and the garbage collector walks
    every one of them on each full collection, while holding the GIL. With
    30,000 items indexed those pauses reached 300 ms and froze the window
    during a fetch. Here buckets and signatures are bytes, str and tuples
    in plain dicts, which the collector does not track at all, and an item
    costs about 1.5 KB instead of 8 KB. datasketch still makes the MinHash.

    When an indexed item is itself a duplicate, :meth:`find` answers with the
    item *it* points to, so ``duplicate_of`` always names the copy shown
    rather than building chains.

    Args:
        threshold: Estimated Jaccard similarity of word 3-shingles from which
            two texts are one story; see :data:`DEFAULT_THRESHOLD`.
        num_perm: Permutations per signature. Items whose stored signature
            has another size (or seed) are re-signed from their text.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = NUM_PERM) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        if num_perm < BANDS * ROWS:
            raise ValueError(f"num_perm must be at least {BANDS * ROWS} for {BANDS} bands of {ROWS} rows")
        # bucket key (band number + that band's hash values) -> one id, or a tuple of ids
        self._buckets: dict[bytes, str | tuple[str, ...]] = {}
        self._entries: dict[str, _Entry] = {}
        self._sketches: dict[str, bytes] = {}  # hash values, as bytes
        self._by_url: dict[str, dict[str, str]] = {}
        self._by_hash: dict[str, dict[str, str]] = {}
        self._last: tuple[Item, tuple[str, ...], _Keys] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._entries

    # ---------------------------------------------------------------- keys
    def _keys(self, item: Item) -> _Keys:
        """The item's URL key, hash key and sketch; remembered for the last item (find, then add)."""
        state = (item.title, item.text, item.url, item.canonical_url, item.content_hash, item.minhash)
        if self._last is not None and self._last[0] is item and self._last[1] == state:
            return self._last[2]
        keys = _Keys(_url_key(item), _hash_key(item), self._sketch(item))
        self._last = (item, state, keys)
        return keys

    def _sketch(self, item: Item) -> LeanMinHash | None:
        if item.minhash:
            try:
                sketch = decode_minhash(item.minhash)
            except ValueError:
                sketch = None
            if sketch is not None and len(sketch) == self.num_perm and sketch.seed == MINHASH_SEED:
                return sketch
        return minhash_of(item.text, self.num_perm)

    # -------------------------------------------------------------- public
    def find(self, item: Item) -> str | None:
        """The id of the indexed item, from another source, that ``item`` repeats; None if it is new.

        Tried in order: the same canonical URL, the same content hash, then
        the most similar near-duplicate at or above the threshold (ties go to
        the item indexed first). Texts too short for a signature are only
        matched exactly.
        """
        return self._find(item, self._keys(item))

    def add(self, item: Item) -> None:
        """Index ``item`` so later items can be recognised as repeating it.

        Adding an id twice changes nothing (a re-fetched item keeps its first
        entry). If ``item.duplicate_of`` names an indexed item, later matches
        on this item resolve to that one.
        """
        if item.id not in self._entries:
            self._add(item, self._keys(item), item.duplicate_of)

    def classify(self, item: Item) -> str | None:
        """:meth:`find`, then :meth:`add`; returns what the caller should store in ``duplicate_of``.

        The item itself is not modified.
        """
        keys = self._keys(item)
        found = self._find(item, keys)
        self._add(item, keys, found)
        return found

    # ----------------------------------------------------------- internals
    def _find(self, item: Item, keys: _Keys) -> str | None:
        candidates: list[str] = []
        for key, table in ((keys.url, self._by_url), (keys.hash, self._by_hash)):
            if key and key in table:
                candidates.extend(table[key].values())
        sketch = keys.sketch
        if sketch is not None:
            near: list[tuple[float, int, str]] = []
            values = sketch.hashvalues
            for key in self._candidates(values):
                entry = self._entries[key]
                if entry.source_id == item.source_id or key == item.id:
                    continue
                other = np.frombuffer(self._sketches[key], dtype=values.dtype)
                similarity = float(np.count_nonzero(values == other)) / len(values)
                if similarity >= self.threshold:
                    near.append((-similarity, entry.order, key))
            candidates.extend(key for _, _, key in sorted(near))
        for candidate in candidates:
            entry = self._entries[candidate]
            if candidate == item.id or entry.source_id == item.source_id or entry.root == item.id:
                continue
            root = self._entries.get(entry.root)
            if root is None or root.source_id == item.source_id:
                # The shown copy is unknown here, or it is ours: point at the other source's copy.
                return candidate
            return entry.root
        return None

    def _add(self, item: Item, keys: _Keys, duplicate_of: str | None) -> None:
        if item.id in self._entries:
            return
        self._entries[item.id] = _Entry(item.source_id, duplicate_of or item.id, len(self._entries))
        for key, table in ((keys.url, self._by_url), (keys.hash, self._by_hash)):
            if key:
                table.setdefault(key, {}).setdefault(item.source_id, item.id)
        if keys.sketch is not None:
            values = keys.sketch.hashvalues
            self._sketches[item.id] = values.tobytes()
            for band in _band_keys(values):
                present = self._buckets.get(band)
                if present is None:
                    self._buckets[band] = item.id
                elif isinstance(present, str):
                    self._buckets[band] = (present, item.id)
                else:
                    self._buckets[band] = (*present, item.id)

    def _candidates(self, values: np.ndarray[Any, Any]) -> list[str]:
        """Ids sharing at least one band with these hash values, each once, oldest first."""
        seen: dict[str, None] = {}
        for key in _band_keys(values):
            present = self._buckets.get(key)
            if present is None:
                continue
            for item_id in (present,) if isinstance(present, str) else present:
                seen[item_id] = None
        return list(seen)


#: LSH banding: 21 bands of 3 rows of the 64 hash values.
BANDS, ROWS = 21, 3


def _band_keys(values: np.ndarray[Any, Any]) -> list[bytes]:
    raw = values[: BANDS * ROWS].tobytes()
    width = values.itemsize * ROWS
    return [bytes((band,)) + raw[band * width : (band + 1) * width] for band in range(BANDS)]
