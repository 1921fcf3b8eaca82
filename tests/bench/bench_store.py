"""Store benchmark: 100,000 items of about 1.5 KB.

Goals (issue 2): open <= 2 s, one durable update <= 50 ms, 1,000 inserts
<= 1 s, peak RSS <= 400 MB. The peer is plain TinyDB (one JSON file, the
default storage) holding the same documents, measured in the same run.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from tinydb import TinyDB

from curator.codec import to_doc
from curator.domain import Channel, Item, utcnow
from curator.workspace import Workspace
from tests.conftest import REPO_ROOT

N_ITEMS = 100_000


def _items() -> list[Item]:
    rng = random.Random(1)
    now = utcnow()
    words = ["login", "app", "order", "coffee", "refund", "delivery", "late", "points", "loyalty", "cup"]
    items = []
    for n in range(N_ITEMS):
        text = " ".join(rng.choice(words) for _ in range(190))  # ~1.2 KB of text
        items.append(
            Item(
                source_id=f"src-{n % 40}",
                title=f"Customer post {n}",
                text=text,
                url=f"https://forum.example.org/t/{n}",
                author=f"user{n % 5000}",
                author_reach=rng.randint(0, 50_000),
                channel=rng.choice(list(Channel)),
                published_at=now - timedelta(minutes=rng.randint(0, 365 * 24 * 60)),  # a year of listening
                guid=f"https://forum.example.org/t/{n}",
            )
        )
    return items


@pytest.fixture(scope="module")
def big_workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Item]]:
    root = tmp_path_factory.mktemp("bench") / "ws"
    items = _items()
    t = time.perf_counter()
    with Workspace.open(root, create=True) as ws:
        for start in range(0, N_ITEMS, 5000):
            ws.items.save_many(items[start : start + 5000])
    size = sum(f.stat().st_size for f in (root / "db").rglob("*") if f.is_file())
    mean_doc = len(orjson.dumps(to_doc(items[0])))
    partitions = len(list((root / "db" / "items").glob("*.json"))) - 1
    print(
        f"\nbuilt {N_ITEMS:,} items ({mean_doc} bytes each, {size / 1e6:.0f} MB on disk, "
        f"{partitions} partitions) in {time.perf_counter() - t:.1f} s"
    )
    return root, items


def test_store_figures(big_workspace: tuple[Path, list[Item]]) -> None:
    root, items = big_workspace
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.store_probe", str(root)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    ).stdout
    f = orjson.loads(out.strip().splitlines()[-1])

    # The peer: plain TinyDB with the same documents, in one file.
    peer_path = root.parent / "plain-tinydb.json"
    with TinyDB(peer_path) as db:
        db.table("items").insert_multiple(to_doc(i) for i in items)
    t = time.perf_counter()
    with TinyDB(peer_path) as db:
        table = db.table("items")
        peer_count = len(table)  # TinyDB reads the file on first use
        peer_open = time.perf_counter() - t
        t = time.perf_counter()
        table.update({"title": "edited"}, doc_ids=[12345])
        peer_update = time.perf_counter() - t
        t = time.perf_counter()
        for n in range(5):  # single inserts: each rewrites the whole file
            table.insert(to_doc(items[n]))
        peer_insert_each = (time.perf_counter() - t) / 5
    assert peer_count == N_ITEMS

    def row(label: str, value: str, goal: str = "", peer: str = "") -> None:
        print(f"  {label:<32}{value:>10}   {goal:<16}{peer}")

    single = f["insert_1000_single_commits_s"]
    upd = f["update_durable_median_ms"]
    print(f"\nstore: {int(f['items']):,} items")
    row(
        "open (to first count)",
        f"{f['open_s']:.3f} s",
        "goal <= 2 s",
        f"plain TinyDB {peer_open:.2f} s (x{peer_open / f['open_s']:.0f})",
    )
    row(
        "one durable update (median)",
        f"{f['update_durable_median_ms']:.1f} ms",
        "goal <= 50 ms",
        f"plain TinyDB {peer_update * 1000:.0f} ms (x{peer_update * 1000 / upd:.0f})",
    )
    row("one durable update (max)", f"{f['update_durable_max_ms']:.1f} ms")
    row(
        "read + update, cold partition",
        f"{f['update_cold_median_ms']:.1f} ms",
        f"max {f['update_cold_max_ms']:.1f} ms",
    )
    row("1,000 inserts, one commit", f"{f['insert_1000_batch_s']:.3f} s", "goal <= 1 s")
    row(
        "1,000 inserts, 1,000 commits",
        f"{single:.3f} s",
        "",
        f"plain TinyDB ~{peer_insert_each * 1000:.0f} s, from 5 (x{peer_insert_each * 1000 / single:.0f})",
    )
    row("close (checkpoint)", f"{f['close_checkpoint_s']:.3f} s")
    row("peak RSS of that process", f"{f['peak_rss_mb']:.0f} MB", "goal <= 400 MB")

    assert f["open_s"] <= 2.0
    assert f["update_durable_median_ms"] <= 50
    assert f["insert_1000_batch_s"] <= 1.0
    assert f["peak_rss_mb"] <= 400
