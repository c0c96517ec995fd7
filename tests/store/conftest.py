"""Fixtures of the store tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxtext.store import Store
from tests.store.frames import MODEL, TINY, UNTAGGED, VERSION, publish_demo


@pytest.fixture
def tiny_store(tmp_path: Path) -> Store:
    """The six hand-checked comments tagged by the active demo model, plus one untagged."""
    store = Store(tmp_path / "tiny.duckdb")
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
    return store
