"""The response cache: per process, shared by workers through a folder, and invalidated by
every write of the store."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.cache import ResponseCache
from api.main import create_app
from cxtext.store import Store
from tests.api.conftest import World, headers
from tests.fakes import FakeEncoder
from tests.store.frames import tagged_frame


class Counter:
    """A compute function that counts its calls and answers with its call number."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, cursor: object = None) -> bytes:
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


def test_warm_recomputes_the_remembered_answers_after_a_write(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = ResponseCache(store.path, 8, tmp_path / "answers")
    compute, other = Counter(), Counter()

    def failing(cursor: object) -> bytes:
        raise ValueError("this request fails when asked too")

    for key, recipe in (("old", other), ("broken", failing), ("a", compute), ("b", compute)):
        cache.remember(key, recipe, keep=3)  # "old" falls out: only the last 3 are kept
    cache.get("a", compute)
    reader = store.reader()
    assert cache.warm(reader.snapshot) == 1  # "b"; "a" is in memory, "broken" fails
    assert cache.warm(reader.snapshot) == 0  # the store did not change
    store.write_comments(tagged_frame(2, start=50), run={"kind": "ingest"})
    assert not cache.has("a")
    assert cache.warm(reader.snapshot) == 2
    assert cache.has("a") and cache.has("b") and not cache.has("old")
    assert other.calls == 0
    reader.close()


def test_an_answer_read_before_a_write_is_never_shared_as_the_new_one(tmp_path: Path) -> None:
    store = _store(tmp_path)
    folder = tmp_path / "answers"
    first, second = ResponseCache(store.path, 8, folder), ResponseCache(store.path, 8, folder)
    with store.reader() as reader:
        cursor, version = reader.snapshot()  # a request opens its cursor...
        store.write_comments(tagged_frame(3, start=70), run={"kind": "ingest"})  # ...a write
        count = f"{cursor.execute('SELECT count(*) FROM comments').fetchall()[0][0]}".encode()
        cursor.close()
        assert first.get("k", lambda: count, version=version) == b"5"  # the old version's
        assert not first.has("k")  # kept under the old version only
        assert not list(folder.rglob("*"))  # and not shared
        with reader.cursor() as fresh:
            now = f"{fresh.execute('SELECT count(*) FROM comments').fetchall()[0][0]}".encode()
        assert second.get("k", lambda: now) == b"8"


def test_the_server_warms_hot_answers_after_a_write(world: World, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    shutil.copyfile(world.store, store)  # the shared world's store stays as it is
    settings = world.settings.model_copy(
        update={"store": store, "cache_dir": tmp_path / "cache", "warm_interval_s": 0.05}
    )
    with TestClient(create_app(settings, encoder=FakeEncoder())) as client:
        response = client.get("/v1/drivers", params={"top": 3}, headers=headers("read"))
        assert response.status_code == 200
        cache = client.app.state.cache  # type: ignore[attr-defined]
        key = ("/v1/drivers", (("top", "3"),))
        assert cache.has(key)
        more = world.tagged.head(5).assign(id=lambda f: "new-" + f["id"].astype(str))
        Store(store).write_comments(more, run={"kind": "tag"}, model="demo", version="v1")
        deadline = time.monotonic() + 20
        while not cache.has(key) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cache.has(key)  # recomputed before anyone asked
        warmed = client.get("/v1/drivers", params={"top": 3}, headers=headers("read")).json()
        assert warmed["overall"]["comments"] == response.json()["overall"]["comments"] + 5
