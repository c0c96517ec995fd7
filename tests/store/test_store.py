"""Writes: replace-by-id upserts, atomic failures, models, runs, readers that follow."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxtext import schema
from cxtext.errors import ArtifactError, DataValidationError
from cxtext.store import Store, incoming
from tests.store.frames import MANIFEST, MODEL, PARENTS, THEMES, VERSION, tagged_frame

RUN = {"kind": "tag"}


def _one(store: Store, sql: str) -> list[tuple[object, ...]]:
    """Rows of a query (through Arrow: fetchall() of TIMESTAMPTZ needs pytz)."""
    with store.reader() as reader, reader.cursor() as cur:
        return [tuple(row.values()) for row in cur.sql(sql).to_arrow_table().to_pylist()]


def _n_clauses(frame: pd.DataFrame) -> int:
    return int(sum(len(ids) for ids in frame[schema.CLAUSE_THEME_IDS]))


def test_writing_the_same_comments_twice_keeps_one_row_each(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    frame = tagged_frame(100)
    for _ in range(2):
        store.write_comments(frame, run=RUN, segments=["country", "plan"])
    assert _one(store, "SELECT count(*), count(DISTINCT id) FROM comments") == [(100, 100)]
    assert _one(store, "SELECT count(*) FROM clauses") == [(_n_clauses(frame),)]
    themes = int(sum(len(ids) for ids in frame[schema.THEME_IDS]))
    assert _one(store, "SELECT count(*) FROM comment_themes WHERE level = 'theme'") == [(themes,)]
    segments = int(frame[["country", "plan"]].notna().to_numpy().sum())
    assert _one(store, "SELECT count(*) FROM comment_segments") == [(segments,)]


def test_rewriting_a_comment_replaces_it_with_its_clauses_and_segments(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.write_comments(tagged_frame(100), run=RUN, segments=["country", "plan"])
    changed = tagged_frame(10, seed=7, theme_shift=2)
    changed[schema.THEME_ID] = 3
    store.write_comments(changed, run=RUN, segments=["plan"])
    assert _one(store, "SELECT count(*) FROM comments") == [(100,)]
    assert _one(store, "SELECT count(*) FROM comments WHERE theme_id = 3 AND id < 'c0000010'") == [
        (10,)
    ]
    stored = _one(
        store,
        "SELECT comment_id, list(theme_id ORDER BY clause_index) FROM clauses "
        "WHERE comment_id < 'c0000010' GROUP BY ALL ORDER BY 1",
    )
    expected = [
        (i, [int(t) for t in ids])
        for i, ids in zip(changed[schema.ID], changed[schema.CLAUSE_THEME_IDS], strict=True)
        if len(ids)
    ]
    assert stored == expected
    # The rewrite named only "plan": the rewritten comments lost "country".
    assert _one(
        store,
        "SELECT count(*) FROM comment_segments WHERE name = 'country' AND comment_id < 'c0000010'",
    ) == [(0,)]


def test_failed_write_leaves_the_live_file_byte_identical(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.write_comments(tagged_frame(50), run=RUN)
    before = store.path.read_bytes()
    bad = tagged_frame(50, seed=3)  # the same ids: the DELETE runs before the failure
    bad.at[49, schema.CLAUSE_THEME_IDS] = [2**40]
    bad.at[49, schema.CLAUSE_PARENT_IDS] = [0]
    bad.at[49, schema.CLAUSE_SENTIMENTS] = [0.0]
    with pytest.raises(DataValidationError, match="could not be stored"):
        store.write_comments(bad, run=RUN)
    assert store.path.read_bytes() == before
    assert not store.next_path.exists()
    assert not Path(f"{store.next_path}.wal").exists()
    assert _one(store, "SELECT count(*) FROM runs") == [(1,)]


def test_a_stale_next_file_from_a_crash_is_replaced(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.next_path.write_bytes(b"half a database")
    store.write_comments(tagged_frame(5), run=RUN)
    assert _one(store, "SELECT count(*) FROM comments") == [(5,)]
    assert not store.next_path.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(id=["x"] * len(f)), "repeated comment id"),
        (lambda f: f.assign(id=[None, *f["id"][1:]]), "must not be missing"),
        (lambda f: f.drop(columns=["id"]), "no id column"),
        (lambda f: f.assign(nps_group="angry"), "could not be stored"),
        (lambda f: f.assign(created_at="yesterday"), "cannot store"),
        (lambda f: f.assign(clause_sentiments=[[0.1]] * len(f)), "one value per clause"),
    ],
)
def test_invalid_frames_are_refused(tmp_path: Path, change, message: str) -> None:
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(DataValidationError, match=message):
        store.write_comments(change(tagged_frame(5)), run=RUN)
    assert not store.path.exists()
    assert not store.next_path.exists()


def test_runs_and_ingest_only_frames(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    frame = pd.DataFrame({schema.ID: [1, 2], schema.NPS_SCORE: pd.array([9, None], dtype="Int64")})
    report = {"read": 3, "accepted": 2, "quarantined": 1, "reasons": {"bad score": 1}, "extra": 1}
    run_id = store.write_comments(frame, run={**report, "kind": "ingest", "input": "a.csv"})
    assert _one(
        store, "SELECT id, CAST(nps_group AS TEXT), theme_ids, run_id FROM comments ORDER BY id"
    ) == [
        ("1", "promoter", None, run_id),
        ("2", None, None, run_id),
    ]
    ((kind, source, read, accepted, quarantined, reasons, finished),) = _one(
        store,
        "SELECT kind, input, read, accepted, quarantined, reasons, finished_at IS NOT NULL "
        "FROM runs",
    )
    assert (kind, source, read, accepted, quarantined, finished) == (
        "ingest",
        "a.csv",
        3,
        2,
        1,
        True,
    )
    assert json.loads(str(reasons)) == {"bad score": 1}
    with pytest.raises(DataValidationError, match="run kind"):
        store.write_comments(frame, run={"kind": "load"})


def test_publish_activate_and_list_models(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    assert store.publish_model(MANIFEST, THEMES, PARENTS, activate=False) == (MODEL, VERSION)
    assert store.active_model() is None
    store.publish_model({**MANIFEST, "version": "v2"}, THEMES[:2], PARENTS[:1], activate=True)
    assert store.active_model() == (MODEL, "v2")
    store.activate(MODEL, VERSION)
    assert store.active_model() == (MODEL, VERSION)
    store.publish_model(MANIFEST, THEMES, PARENTS, activate=False)  # republish keeps it active
    models = {(m["version"], m["active"], m["themes"], m["parents"]) for m in store.list_models()}
    assert models == {(VERSION, True, 4, 2), ("v2", False, 2, 1)}
    with pytest.raises(ArtifactError, match="not published"):
        store.activate(MODEL, "v9")
    assert store.active_model() == (MODEL, VERSION)


def test_reader_follows_writes_and_cursors_keep_their_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.write_comments(tagged_frame(10), run=RUN)
    reader = store.reader()
    old = reader.cursor()
    store.write_comments(tagged_frame(10, start=10), run=RUN)
    new = reader.cursor()
    assert old.execute("SELECT count(*) FROM comments").fetchall() == [(10,)]
    assert new.execute("SELECT count(*) FROM comments").fetchall() == [(20,)]
    old.close()
    new.close()
    reader.close()


def test_numpy_and_list_columns_store_alike(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    frame = tagged_frame(4)
    as_lists = frame.copy()
    for column in (schema.THEME_IDS, schema.CLAUSE_THEME_IDS, schema.CLAUSE_SENTIMENTS):
        as_lists[column] = [np.asarray(v).tolist() for v in frame[column]]
    store.write_comments(frame, run=RUN)
    first = _one(store, "SELECT * EXCLUDE (run_id) FROM comments ORDER BY id")
    store.write_comments(as_lists, run=RUN)
    assert _one(store, "SELECT * EXCLUDE (run_id) FROM comments ORDER BY id") == first


def _tag_v1(store: Store) -> None:
    """The demo model v1, active, with 20 comments it tagged."""
    store.write_tagged(
        tagged_frame(20),
        run={"kind": "tag", "run_id": "tag-1"},
        manifest=MANIFEST,
        themes=THEMES,
        parents=PARENTS,
    )


def test_write_tagged_lands_model_themes_comments_and_run_together(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    _tag_v1(store)
    assert store.active_model() == (MODEL, VERSION)  # the first version becomes active
    v2 = {**MANIFEST, "version": "v2"}
    run_id = store.write_tagged(
        tagged_frame(30, start=10),
        run={"kind": "tag", "read": 32, "accepted": 30, "quarantined": 2},
        manifest=v2,
        themes=THEMES[:2],
        parents=PARENTS[:1],
        segments=["country"],
    )
    assert store.active_model() == (MODEL, VERSION)  # None: an active version stays
    assert _one(store, "SELECT version, count(*) FROM themes GROUP BY ALL ORDER BY 1") == [
        (VERSION, 6),
        ("v2", 3),
    ]
    assert _one(store, "SELECT model_version, count(*) FROM comments GROUP BY ALL ORDER BY 1") == [
        (VERSION, 10),
        ("v2", 30),
    ]
    run = f"SELECT read, quarantined, model_version FROM runs WHERE run_id = '{run_id}'"
    assert _one(store, run) == [(32, 2, "v2")]
    store.write_tagged(
        tagged_frame(1), run=RUN, manifest=v2, themes=THEMES, parents=PARENTS, activate=True
    )
    assert store.active_model() == (MODEL, "v2")


def test_a_failure_inside_write_tagged_leaves_the_old_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "s.duckdb")
    _tag_v1(store)
    before = store.path.read_bytes()
    # The model is published and the comments are in when the last statement fails.
    monkeypatch.setattr(incoming, "REBUILD_DAILY_COUNTS", ("SELECT error('killed')",))
    with pytest.raises(duckdb.Error, match="killed"):
        store.write_tagged(
            tagged_frame(30, start=10),
            run={"kind": "tag", "run_id": "tag-2"},
            manifest={**MANIFEST, "version": "v2"},
            themes=THEMES,
            parents=PARENTS,
            activate=True,
        )
    assert store.path.read_bytes() == before
    assert [(m["version"], m["active"]) for m in store.list_models()] == [(VERSION, True)]
    assert _one(store, "SELECT count(*), max(model_version) FROM comments") == [(20, VERSION)]
    assert _one(store, "SELECT run_id FROM runs") == [("tag-1",)]
    assert _one(store, "SELECT DISTINCT version FROM themes") == [(VERSION,)]


def test_stale_next_files_of_a_killed_writer_are_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "s.duckdb")
    _tag_v1(store)
    wal = store.next_path.with_name(store.next_path.name + ".wal")
    store.next_path.write_bytes(b"half a database")
    wal.write_bytes(b"a log that must not be replayed")
    store.write_comments(tagged_frame(5, start=100), run=RUN)
    assert not store.next_path.exists() and not wal.exists()
    assert _one(store, "SELECT count(*) FROM comments") == [(25,)]
    assert store.active_model() == (MODEL, VERSION)
