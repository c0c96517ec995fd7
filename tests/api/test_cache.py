"""The response cache: per process, keyed by the store file's version, and answers that
carry an ETag for conditional requests."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.cache import ResponseCache
from api.main import create_app
from cxtext.store import Store
from tests.api.conftest import World, headers
from tests.fakes import FakeEncoder

V1, V2 = (1, 10, 100), (2, 20, 200)


class Counter:
    """A compute function that counts its calls and answers with its call number."""

    def __init__(self, pause: float = 0.0) -> None:
        self.calls = 0
        self.pause = pause

    def __call__(self) -> bytes:
        self.calls += 1
        time.sleep(self.pause)
        return f'{{"answer": {self.calls}}}'.encode()


def test_an_answer_is_kept_per_store_version() -> None:
    cache, compute = ResponseCache(8), Counter()
    first = cache.get("k", V1, compute)
    assert cache.get("k", V1, compute) == first
    assert compute.calls == 1
    assert cache.get("k", V2, compute).body == b'{"answer": 2}'  # a write: a new version
    assert cache.get("other", V1, compute).body == b'{"answer": 3}'
    assert first.etag != cache.get("k", V2, compute).etag


def test_the_least_recently_used_answer_leaves_first() -> None:
    cache, compute = ResponseCache(2), Counter()
    for key in "ab":
        cache.get(key, V1, compute)
    cache.get("a", V1, compute)  # "b" is now the least recently used
    cache.get("c", V1, compute)
    assert len(cache) == 2
    assert cache.get("a", V1, compute).body == b'{"answer": 1}'
    assert cache.get("b", V1, compute).body == b'{"answer": 4}'


def test_size_zero_computes_every_time_but_keeps_the_etag() -> None:
    cache, compute = ResponseCache(0), Counter()
    cache.get("k", V1, compute)
    answer = cache.get("k", V1, compute)
    assert compute.calls == 2 and len(cache) == 0
    assert answer.etag.startswith('"') and answer.etag.endswith('"')


def test_concurrent_requests_for_a_missing_answer_compute_it_once() -> None:
    cache, compute = ResponseCache(8), Counter(pause=0.2)
    answers: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.get("k", V1, compute).body))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert compute.calls == 1
    assert answers == [b'{"answer": 1}'] * 6


def test_a_failed_computation_is_not_kept() -> None:
    cache, compute = ResponseCache(8), Counter()

    def failing() -> bytes:
        raise ValueError("the request fails")

    with pytest.raises(ValueError, match="fails"):
        cache.get("k", V1, failing)
    assert len(cache) == 0
    assert cache.get("k", V1, compute).body == b'{"answer": 1}'


def test_the_server_answers_304_until_a_write_changes_the_answer(
    world: World, tmp_path: Path
) -> None:
    store = tmp_path / "store.duckdb"
    shutil.copyfile(world.store, store)  # the shared world's store stays as it is
    settings = world.settings.model_copy(update={"store": store, "cache_dir": tmp_path / "c"})
    read = headers("read")
    with TestClient(create_app(settings, encoder=FakeEncoder())) as client:
        first = client.get("/v1/drivers", params={"top": 3}, headers=read)
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert first.headers["cache-control"] == "private, no-cache"
        again = client.get(
            "/v1/drivers", params={"top": 3}, headers={**read, "If-None-Match": f"W/{etag}"}
        )
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        other = client.get(
            "/v1/drivers", params={"top": 4}, headers={**read, "If-None-Match": etag}
        )
        assert other.status_code == 200  # another question, another answer
        more = world.tagged.head(5).assign(id=lambda f: "new-" + f["id"].astype(str))
        Store(store).write_comments(more, run={"kind": "tag"}, model="demo", version="v1")
        after = client.get(
            "/v1/drivers", params={"top": 3}, headers={**read, "If-None-Match": etag}
        )
        assert after.status_code == 200 and after.headers["etag"] != etag
        assert after.json()["overall"]["comments"] == first.json()["overall"]["comments"] + 5
        star = client.get("/v1/drivers", params={"top": 3}, headers={**read, "If-None-Match": "*"})
        assert star.status_code == 304
