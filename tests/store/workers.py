"""Process targets of the concurrency test (importable by "spawn" children)."""

from __future__ import annotations

import time
import traceback
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event

from cxtext.store import ANY_MODEL, Filters, Reader, Store, theme_counts
from tests.store.frames import tagged_frame


def write_batches(path: str, batches: int, size: int, ready: Barrier, done: Event) -> None:
    """Once the readers are ready, write ``batches`` batches of ``size`` new comments, one
    write each, then set ``done``."""
    try:
        ready.wait(timeout=60)
        store = Store(path)
        for i in range(batches):
            store.write_comments(
                tagged_frame(size, start=i * size, seed=i),
                run={"kind": "tag", "run_id": f"batch-{i}"},
                segments=["country"],
            )
    finally:
        done.set()


def read_counts(path: str, ready: Barrier, done: Event, results: Queue) -> None:
    """Count comments through a Reader from before the first write until the writer is done
    (and once more); report ``(counts, errors)``: every count seen, in order, and the text
    of every failed read."""
    counts: list[int] = []
    errors: list[str] = []
    reader = Reader(path)
    first = True
    while True:
        finished = done.is_set()
        try:
            with reader.cursor() as cur:
                _, totals = theme_counts(cur, Filters(model=ANY_MODEL))
                counts.append(totals["comments"])
        except Exception:
            errors.append(traceback.format_exc())
        if first:
            ready.wait(timeout=60)
            first = False
        if finished:
            break
        time.sleep(0.005)
    reader.close()
    results.put((counts, errors))
