"""Child process: writes N records one commit at a time and bumps a shared counter.

Run as ``python -m tests.core.concurrent_writer WS NAME N``.
"""

from __future__ import annotations

import sys

from curator.domain import Item, Source
from curator.workspace import Workspace


def main() -> None:
    root, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Workspace.open(root, checkpoint_bytes=32 * 1024) as ws:
        for i in range(count):
            with ws.transaction():
                ws.items.save(Item(source_id="s", title=f"{name}-{i}", text="x" * 200))
                counter = ws.sources.get("counter") or Source(
                    title="counter", url="https://example.com", id="counter", fetch_interval_minutes=1
                )
                counter.fetch_interval_minutes += 1
                ws.sources.save(counter)
    print("done")


if __name__ == "__main__":
    main()
