"""Child process for the crash tests: writes until it is killed.

After each commit returns it prints what it committed, so the parent knows
what must survive a SIGKILL. Run as ``python -m tests.core.crash_writer WS RUN``.
"""

from __future__ import annotations

import random
import sys

from curator.domain import Item, utcnow
from curator.workspace import Workspace


def main() -> None:
    root, run = sys.argv[1], int(sys.argv[2])
    rng = random.Random(run)
    # A tiny checkpoint threshold so kills also land inside checkpoints.
    ws = Workspace.open(root, create=True, checkpoint_bytes=16 * 1024, cache_partitions=2)
    mine: list[Item] = []
    older = ws.items.list()
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        batch: list[Item] = []
        for _ in range(rng.randint(1, 5)):
            month = rng.randint(1, 6)
            item = Item(
                source_id="s",
                title="v1",
                text="body " * rng.randint(10, 200),
                published_at=utcnow().replace(month=month, day=1),
                id=f"r{run}-{n}-{len(batch)}",
            )
            batch.append(item)
        targets = rng.sample(mine, min(len(mine), 2)) + rng.sample(older, min(len(older), 1))
        for item in targets:
            item.title = f"v{int(item.title[1:]) + 1}"
        gone = mine.pop(rng.randrange(len(mine))) if mine and rng.random() < 0.2 else None
        if gone in targets:
            targets.remove(gone)
        if gone is not None:
            # Announced before the commit: if the kill lands after the commit
            # but before the report, the parent accepts either outcome.
            print(f"W {gone.id}", flush=True)
        with ws.transaction():
            ws.items.save_many(batch + targets)
            if gone is not None:
                ws.items.remove(gone.id)
        # Reported only once the commit returned: these must survive a kill.
        lines = [f"P {item.id} {item.title[1:]}" for item in batch + targets]
        if gone is not None:
            lines.append(f"D {gone.id}")
        print("\n".join(lines), flush=True)
        mine.extend(batch)


if __name__ == "__main__":
    main()
