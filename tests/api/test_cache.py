"""The response cache: per process, shared by workers through a folder, and invalidated by
every write of the store."""

from __future__ import annotations

from pathlib import Path

from api.cache import ResponseCache
from cxtext.store import Store
from tests.store.frames import tagged_frame


class Counter:
    """A compute function that counts its calls and answers with its call number."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return f'{{"answer": {self.calls}}}'.encode()


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "s.duckdb")
    store.write_comments(tagged_frame(5), run={"kind": "ingest"})
    return store


def test_workers_share_answers_through_the_folder(tmp_path: Path) -> None:
    store = _store(tmp_path)
    folder = tmp_path / "answers"
    first, second = (ResponseCache(store.path, 8, folder) for _ in range(2))
    compute = Counter()
    assert first.get(("/v1/themes", ()), compute) == b'{"answer": 1}'
    assert second.get(("/v1/themes", ()), compute) == b'{"answer": 1}'  # from the folder
    assert first.get(("/v1/themes", ()), compute) == b'{"answer": 1}'  # from memory
    assert compute.calls == 1
    assert second.get(("/v1/drivers", ()), compute) == b'{"answer": 2}'
    assert compute.calls == 2


def test_a_write_invalidates_memory_and_folder(tmp_path: Path) -> None:
    store = _store(tmp_path)
    folder = tmp_path / "answers"
    cache = ResponseCache(store.path, 8, folder)
    compute = Counter()
    cache.get("k", compute)
    (old,) = [p for p in folder.rglob("*") if p.is_file()]
    store.write_comments(tagged_frame(3, start=10), run={"kind": "ingest"})
    assert cache.get("k", compute) == b'{"answer": 2}'
    assert ResponseCache(store.path, 8, folder).get("k", compute) == b'{"answer": 2}'
    assert compute.calls == 2
    assert not old.exists()  # the replaced file's answers are gone
    assert len([p for p in folder.rglob("*") if p.is_file()]) == 1


def test_the_folder_holds_at_most_size_answers(tmp_path: Path) -> None:
    store = _store(tmp_path)
    folder = tmp_path / "answers"
    cache = ResponseCache(store.path, 2, folder)
    compute = Counter()
    for key in "abc":
        cache.get(key, compute)
    assert len([p for p in folder.rglob("*") if p.is_file()]) == 2
    # "c" was not shared: another worker computes it
    assert ResponseCache(store.path, 2, folder).get("c", compute) == b'{"answer": 4}'
    # "a" left the first worker's memory (2 answers) but is still in the folder
    assert cache.get("a", compute) == b'{"answer": 1}'
    assert compute.calls == 4


def test_size_zero_computes_every_time_and_writes_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    folder = tmp_path / "answers"
    cache = ResponseCache(store.path, 0, folder)
    compute = Counter()
    cache.get("k", compute)
    cache.get("k", compute)
    assert compute.calls == 2
    assert not folder.exists()


def test_an_unwritable_folder_only_costs_recomputes(tmp_path: Path) -> None:
    store = _store(tmp_path)
    blocker = tmp_path / "answers"
    blocker.write_text("a file where the folder should be")
    cache = ResponseCache(store.path, 8, blocker)
    compute = Counter()
    assert cache.get("k", compute) == b'{"answer": 1}'
    assert cache.get("k", compute) == b'{"answer": 1}'  # memory still works
    assert compute.calls == 1
