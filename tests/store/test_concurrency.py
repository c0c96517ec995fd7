"""Readers in other processes or threads never fail and never go back while a writer writes."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from cxtext.store import Store
from tests.store.frames import tagged_frame
from tests.store.workers import read_counts, write_batches

BATCHES = 10
SIZE = 300


def test_readers_see_every_write_without_failing(tmp_path: Path) -> None:
    store = Store(tmp_path / "live.duckdb")
    store.migrate()
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(3)  # the writer starts once both readers have read once
    done = context.Event()
    results = context.Queue()
    path = str(store.path)
    readers = [
        context.Process(target=read_counts, args=(path, ready, done, results)) for _ in range(2)
    ]
    writer = context.Process(target=write_batches, args=(path, BATCHES, SIZE, ready, done))
    for process in [*readers, writer]:
        process.start()
    writer.join(timeout=90)
    assert writer.exitcode == 0
    reports = [results.get(timeout=30) for _ in readers]
    for process in readers:
        process.join(timeout=30)
        assert process.exitcode == 0
    for counts, errors in reports:
        assert errors == []
        assert counts[0] == 0  # read before the first write
        assert counts == sorted(counts)  # never decreasing
        assert counts[-1] == BATCHES * SIZE  # the last read, after the writer, sees all rows
        assert set(counts) <= {i * SIZE for i in range(BATCHES + 1)}  # whole writes only
    with store.reader() as reader, reader.cursor() as cur:
        assert cur.execute("SELECT count(*), count(DISTINCT id) FROM comments").fetchall() == [
            (BATCHES * SIZE, BATCHES * SIZE)
        ]
        assert cur.execute("SELECT count(*) FROM runs").fetchall() == [(BATCHES,)]
    assert not store.next_path.exists()


def test_one_reader_shared_by_threads(tmp_path: Path) -> None:
    store = Store(tmp_path / "live.duckdb")
    store.migrate()
    reader = store.reader()
    done = threading.Event()
    seen: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def read(slot: int) -> None:
        seen[slot] = []
        while not done.is_set():
            try:
                with reader.cursor() as cur:
                    ((count,),) = cur.execute("SELECT count(*) FROM comments").fetchall()
                seen[slot].append(count)
            except BaseException as exc:  # recorded for the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=read, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for i in range(5):
        store.write_comments(tagged_frame(100, start=100 * i), run={"kind": "tag"})
    done.set()
    for thread in threads:
        thread.join(timeout=30)
    reader.close()
    assert errors == []
    for counts in seen.values():
        assert counts and counts == sorted(counts)
