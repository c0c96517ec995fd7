"""Schema versions and migrations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cxtext.errors import ArtifactError
from cxtext.store import SCHEMA_VERSION, Store, migrate
from cxtext.store.schema import MIGRATIONS, schema_version
from tests.store.frames import tagged_frame

TABLES = {
    "cases",
    "case_events",
    "case_deliveries",
    "actions",
    "daily_totals",
    "daily_theme_counts",
    "comments",
    "comment_facts",
    "model_versions",
    "themes",
    "runs",
    "schema_migrations",
}
VIEWS = {"comment_segments", "comment_themes", "clauses"}


def test_migrate_creates_the_schema_and_is_idempotent(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "s.duckdb")) as con:
        assert schema_version(con) == 0
        assert migrate(con) == SCHEMA_VERSION
        assert migrate(con) == SCHEMA_VERSION
        versions = con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        views = {
            row[0]
            for row in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
    assert [v for (v,) in versions] == [m.version for m in MIGRATIONS]
    assert tables == TABLES
    assert views == VIEWS


def test_store_migrate_creates_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    assert store.migrate() == SCHEMA_VERSION
    before = store.path.stat().st_ino
    assert store.migrate() == SCHEMA_VERSION
    assert store.path.stat().st_ino == before  # up to date: no rewrite
    assert store.list_models() == []
    assert store.active_model() is None


def _bump(path: Path, version: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO schema_migrations VALUES (?, now())", [version])


def test_newer_schema_is_refused_by_writers_and_readers(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.write_comments(tagged_frame(5), run={"kind": "ingest"})
    _bump(store.path, SCHEMA_VERSION + 1)
    before = store.path.read_bytes()
    with pytest.raises(ArtifactError, match="newer"):
        store.write_comments(tagged_frame(5, start=5), run={"kind": "ingest"})
    with pytest.raises(ArtifactError, match="newer"):
        store.migrate()
    with pytest.raises(ArtifactError, match="newer"):
        store.reader().cursor()
    assert store.path.read_bytes() == before
    assert not store.next_path.exists()


def test_older_schema_is_refused_by_readers_until_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()  # an empty database: schema version 0
    store = Store(path)
    with pytest.raises(ArtifactError, match="older"):
        store.reader().cursor()
    store.migrate()
    with store.reader() as reader, reader.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM comments").fetchall() == [(0,)]


def test_missing_store_is_an_artifact_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no store"):
        Store(tmp_path / "absent.duckdb").reader().cursor()
