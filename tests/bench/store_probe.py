"""Measured in a fresh process so open time and peak RSS are honest.

``python -m tests.bench.store_probe WS`` prints one JSON line of figures.
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import time
from pathlib import Path

import orjson

from curator.domain import Item, utcnow
from curator.workspace import Workspace


def peak_rss_mb() -> float:
    """This process image's peak RSS (VmHWM).

    Not ``ru_maxrss``: it survives fork + exec, so a child started by a big
    parent (the benchmark, holding 100,000 items) would report the parent's.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    root = sys.argv[1]
    figures: dict[str, float] = {}
    t = time.perf_counter()
    ws = Workspace.open(root)
    count = ws.items.count()
    figures["open_s"] = time.perf_counter() - t
    figures["items"] = count

    ids = sorted(ws.items.ids())
    rng = random.Random(7)
    cold, warm = [], []
    for _ in range(20):
        doc_id = rng.choice(ids)
        t = time.perf_counter()
        item = ws.items.get(doc_id)  # may load its partition from disk
        assert item is not None
        item.title += " (edited)"
        ws.items.save(item)  # durable when it returns: journal line fsynced
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        item.title += "!"
        ws.items.save(item)
        warm.append(time.perf_counter() - t)
    figures["update_cold_median_ms"] = statistics.median(cold) * 1000
    figures["update_cold_max_ms"] = max(cold) * 1000
    figures["update_durable_median_ms"] = statistics.median(warm) * 1000
    figures["update_durable_max_ms"] = max(warm) * 1000

    now = utcnow()
    text = "Fresh customer post about the app " * 36
    batch = [Item(source_id="bench", title=f"new {n}", text=text, published_at=now) for n in range(1000)]
    t = time.perf_counter()
    ws.items.save_many(batch)
    figures["insert_1000_batch_s"] = time.perf_counter() - t
    singles = [Item(source_id="bench", title=f"single {n}", text=text, published_at=now) for n in range(1000)]
    t = time.perf_counter()
    for item in singles:
        ws.items.save(item)
    figures["insert_1000_single_commits_s"] = time.perf_counter() - t
    t = time.perf_counter()
    ws.close()
    figures["close_checkpoint_s"] = time.perf_counter() - t
    figures["peak_rss_mb"] = peak_rss_mb()
    print(orjson.dumps(figures).decode())


if __name__ == "__main__":
    main()
