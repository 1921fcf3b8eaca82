"""Hot-issue clustering benchmark on three labelled public short-text story sets.

Run (one line):
    .venv/bin/python -m pytest tests/bench/bench_issues.py -o python_files='bench_*.py'
    -s -q -p no:cacheprovider

Each set runs in a fresh subprocess (``python -m tests.bench.bench_issues <set>``)
so the reported peak RSS is that set's own: VmHWM from /proc/self/status of the
child process (it includes the interpreter, numpy/scipy/sklearn imports and the
data). Documents arrive in 10 batches in file order, tokens are the whitespace
split of the pre-lemmatised text, ``consolidate()`` runs at the end; unclustered
items count as singletons in the metrics. One set of default parameters serves
all three sets.

Goals (issue brief): googlenews_ts NMI >= 0.95, ARI >= 0.85, <= 20 s, <= 600 MB;
googlenews_t NMI >= 0.88, ARI >= 0.72; tweet_gsdmm NMI >= 0.90, ARI >= 0.80.
The batch peer (TF-IDF + average-linkage agglomerative, one threshold) is
measured in the same run on googlenews_t.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[3] / "shared" / "bench-data" / "clustering"
REPO = Path(__file__).resolve().parents[2]
N_BATCHES = 10

GOALS: dict[str, dict[str, float]] = {
    "googlenews_ts": {"nmi": 0.95, "ari": 0.85, "time": 20.0, "rss": 600.0},
    "googlenews_t": {"nmi": 0.88, "ari": 0.72},
    "tweet_gsdmm": {"nmi": 0.90, "ari": 0.80},
}
# Peer cut: cosine distance 0.93 (similarity 0.07). On googlenews_t: 0.90 -> NMI 0.854 ARI 0.612,
# 0.93 -> 0.861 / 0.679, 0.95 -> 0.859 / 0.681; 0.93 has the best NMI at about the best ARI.
PEER_DISTANCE = 0.93
PEER_SET = "googlenews_t"


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _load(name: str) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(row["label"])
    return texts, labels


def _predicted(assign: dict[str, str | None], n: int) -> list[int]:
    """Issue ids -> ints; every unclustered item is its own singleton."""
    ids: dict[str, int] = {}
    out = []
    for j in range(n):
        iid = assign[str(j)]
        out.append(ids.setdefault(iid, len(ids)) if iid is not None else -1 - j)
    return out


def run_set(name: str) -> dict[str, Any]:
    """Cluster one set (in this process) and return its figures."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from curator.issues.clustering import StoryClusterer

    texts, labels = _load(name)
    n = len(texts)
    analysis_note = "analysis not timed (curator.nlp.analysis.analyse_texts missing)"
    t0 = time.perf_counter()
    try:
        analysis = importlib.import_module("curator.nlp.analysis")
    except ImportError:
        analysis = None
    if analysis is not None and hasattr(analysis, "analyse_texts"):
        # The blank tokenizer-only path: the texts are already lemmatised, and the
        # trained pipeline (~300 texts/s) would time spaCy, not the clustering.
        import spacy

        from curator.nlp.pipeline import BLANK_NAME, LoadedPipeline

        blank = LoadedPipeline(nlp=spacy.blank("en"), name=BLANK_NAME, version=spacy.__version__)
        ta = time.perf_counter()
        analysis.analyse_texts(texts, pipeline=blank, entities=False, noun_chunks=False)
        analysis_note = (
            f"includes analysis {time.perf_counter() - ta:.1f} s: analyse_texts on spacy.blank('en')"
        )
    tokens = [t.split() for t in texts]
    clusterer = StoryClusterer()
    bounds = [round(i * n / N_BATCHES) for i in range(N_BATCHES + 1)]
    for b in range(N_BATCHES):
        clusterer.add_batch([(str(j), tokens[j]) for j in range(bounds[b], bounds[b + 1])])
    clusterer.consolidate()
    elapsed = time.perf_counter() - t0
    assign = clusterer.assignments()
    pred = _predicted(assign, n)
    return {
        "set": name,
        "nmi": normalized_mutual_info_score(labels, pred),
        "ari": adjusted_rand_score(labels, pred),
        "issues": len(clusterer.issue_ids()),
        "unclustered": sum(v is None for v in assign.values()) / n,
        "time": elapsed,
        "rss": _vm_hwm_mb(),
        "note": analysis_note,
    }


def run_peer(name: str) -> dict[str, Any]:
    """Batch TF-IDF + average-linkage agglomerative clustering, one threshold."""
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    texts, labels = _load(name)
    t0 = time.perf_counter()
    x = TfidfVectorizer(sublinear_tf=True, token_pattern=r"\S+").fit_transform(texts)
    # Cosine is undefined for empty texts (googlenews_t has one): they stay singletons.
    nonzero = np.flatnonzero(x.getnnz(axis=1) > 0)
    x = x[nonzero]
    # Same clustering as metric="cosine", but the distances come from one sparse
    # product: sklearn's dense pairwise cosine over ~8k columns takes minutes here.
    dist = 1.0 - (x @ x.T).toarray()
    np.clip(dist, 0.0, 2.0, out=dist)
    np.fill_diagonal(dist, 0.0)
    sub = AgglomerativeClustering(
        n_clusters=None, distance_threshold=PEER_DISTANCE, metric="precomputed", linkage="average"
    ).fit_predict(dist)
    pred = np.arange(len(texts)) + int(sub.max()) + 1
    pred[nonzero] = sub
    return {
        "set": name,
        "nmi": normalized_mutual_info_score(labels, pred),
        "ari": adjusted_rand_score(labels, pred),
        "issues": int(sub.max()) + 1,
        "time": time.perf_counter() - t0,
        "rss": _vm_hwm_mb(),
    }


def _child(args: list[str], timeout: float) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_issues", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"benchmark child {args} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"clustering bench data not found at {DATA} (shared/ beside the checkout)"
)


@needs_data
@pytest.mark.parametrize("name", list(GOALS))
def test_story_clustering(name: str) -> None:
    path = DATA / f"{name}.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    r = _child([name], timeout=600)
    print(
        f"\n{name}: NMI {r['nmi']:.3f} ARI {r['ari']:.3f} issues {r['issues']} "
        f"unclustered {100 * r['unclustered']:.0f}% time {r['time']:.1f} s rss {r['rss']:.0f} MB"
    )
    print(f"  ({r['note']}; rss = VmHWM of a fresh child process for this set)")
    goal = GOALS[name]
    missed = []
    if r["nmi"] < goal["nmi"]:
        missed.append(f"NMI {r['nmi']:.3f} < {goal['nmi']}")
    if r["ari"] < goal["ari"]:
        missed.append(f"ARI {r['ari']:.3f} < {goal['ari']}")
    if "time" in goal and r["time"] > goal["time"]:
        missed.append(f"time {r['time']:.1f} s > {goal['time']} s")
    if "rss" in goal and r["rss"] > goal["rss"]:
        missed.append(f"rss {r['rss']:.0f} MB > {goal['rss']} MB")
    assert not missed, f"{name} missed its goals: " + "; ".join(missed)


@needs_data
def test_batch_agglomerative_peer() -> None:
    if not (DATA / f"{PEER_SET}.jsonl").is_file():
        pytest.skip(f"{PEER_SET} is missing")
    try:
        r = _child(["--peer", PEER_SET], timeout=300)
    except (AssertionError, subprocess.TimeoutExpired) as exc:
        print(f"\npeer (batch agglomerative) on {PEER_SET}: could not run here ({str(exc)[:200]})")
        return
    print(
        f"\npeer batch agglomerative (average, cosine distance {PEER_DISTANCE}, precomputed) {PEER_SET}: "
        f"NMI {r['nmi']:.3f} ARI {r['ari']:.3f} issues {r['issues']} "
        f"time {r['time']:.1f} s rss {r['rss']:.0f} MB"
    )


if __name__ == "__main__":
    out = run_peer(sys.argv[2]) if sys.argv[1] == "--peer" else run_set(sys.argv[1])
    print(json.dumps(out))
