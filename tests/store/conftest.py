"""Fixtures of the store tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cxtext.store import Store
from tests.store.frames import MODEL, TINY, UNTAGGED, VERSION, publish_demo


@pytest.fixture(scope="session")
def tiny_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny store's file, written once (three store writes, ~0.5 s)."""
    store = Store(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")
    publish_demo(store)
    store.write_comments(
        TINY,
        run={"kind": "tag", "run_id": "tag-1"},
        segments=["country", "plan"],
        model=MODEL,
        version=VERSION,
    )
    store.write_comments(
        UNTAGGED, run={"kind": "ingest", "run_id": "ingest-1"}, segments=["country"]
    )
    return store.path


@pytest.fixture
def tiny_store(tiny_store_file: Path, tmp_path: Path) -> Store:
    """The six hand-checked comments tagged by the active demo model, plus one untagged: a
    copy of :func:`tiny_store_file` of the test's own."""
    return Store(shutil.copy(tiny_store_file, tmp_path / "tiny.duckdb"))
