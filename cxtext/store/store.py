"""The embedded DuckDB store of tagged comments: atomic writes, readers that never block.

Concurrency and atomicity
-------------------------
DuckDB allows one read-write process per file, and readers fail while a writer holds it
(docs/architecture.md, "Choices measured before the code"). So no writer ever opens the live file
read-write. A write (:meth:`Store.write_comments`, :meth:`Store.publish_model`,
:meth:`Store.write_tagged`, :meth:`Store.activate`, :meth:`Store.migrate`):

1. takes an exclusive ``fcntl.flock`` on ``<path>.lock``, which serialises writers across
   processes and threads;
2. copies the live file to ``<path>.next`` (or starts an empty file), opens the copy
   read-write, migrates it, applies the whole write in one transaction, ``CHECKPOINT``s,
   closes it and fsyncs it;
3. renames the copy over the live file with ``os.replace`` (atomic on POSIX) and fsyncs
   the folder, then releases the lock.

An exception at any step before the rename removes ``<path>.next`` (and its WAL) and leaves
the live file byte-identical. A writer that was killed cannot clean up: its ``<path>.next``
and ``<path>.next.wal`` stay until the next write, which removes them first thing after
taking the lock (so a live writer's files are never touched: it holds the lock until its
rename), before copying the live file; a stale WAL is never replayed into a new copy.

:meth:`Store.write_tagged` publishes a model version (and activates it), records its
themes, upserts the comments it tagged and records the run in one such write: a store
never shows a new model version without its comments and run, or the reverse.

Readers only open the live file read-only. A reader that opened it before a rename keeps
reading the old, complete version (the old inode lives while it is open); :class:`Reader`
reopens when the path's (inode, mtime, size) changed, at its next :meth:`Reader.cursor`
call, so each cursor sees one version from start to end and a newer one never later than
the next cursor.

DuckDB caches database instances by path within a process, so ``duckdb.connect(path,
read_only=True)`` while an older connection to that path is open would return the replaced
file; a :class:`Reader` therefore attaches the file ``READ_ONLY`` to its own in-memory
database on each (re)open. Old versions close when their last cursor is released.

Costs: each write copies the whole file and recomputes the daily count tables
(:mod:`cxtext.store.schema`): about 5 s for a million comments on 2 cores, against 2.6 s
without the tables. So write in batches (one per run), not comment by comment. Comments
are inserted in time order, so the zone maps of ``created_at`` let newest-first pages read
only recent rows. POSIX only (``fcntl``).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import duckdb
import pandas as pd

from cxtext.errors import ArtifactError, DataValidationError
from cxtext.store import queries
from cxtext.store.actions import new_action
from cxtext.store.cases import NewCases, cases_of_run, get_case, update_case
from cxtext.store.incoming import Comments, Release, activate_version
from cxtext.store.schema import (
    SCHEMA_VERSION,
    check_version,
    migrate,
    schema_version,
)

__all__ = ["Reader", "Store"]

_ATTACHED: Final = "store"  # catalog name of the attached file in a reader's database


class Reader:
    """Read-only access to a store that follows its writes.

    Keeps one read-only database open and hands out a new cursor per call; reopens when
    the live file was replaced by a write. Thread-safe: use one cursor per request or
    thread, and release it when done.

    Parameters
    ----------
    path
        The store file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._key: tuple[int, int, int] | None = None

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor on the latest complete version of the store.

        Raises
        ------
        ArtifactError
            When there is no store at the path, or its schema is not this code's.
        """
        return self.snapshot()[0]

    def snapshot(self) -> tuple[duckdb.DuckDBPyConnection, tuple[int, int, int]]:
        """:meth:`cursor`, with the (inode, mtime, size) of the file version it reads: what
        was read through the cursor is valid for that version (never for a newer one)."""
        with self._lock:
            # stat before opening: a rename in between costs one more reopen, never staleness
            key = _file_key(self.path)
            if self._con is None or key != self._key:
                self._con = _open_reader(self.path)  # the old one closes with its last cursor
                self._key = key
            cur = self._con.cursor()
        cur.execute(f"USE {_ATTACHED}")
        return cur, key

    def close(self) -> None:
        """Close the open version (and its cursors)."""
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con, self._key = None, None

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Store:
    """A DuckDB file of tagged comments, themes of model versions and runs.

    Parameters
    ----------
    path
        The store file; ``<path>.lock`` and (during a write) ``<path>.next`` sit beside it.
        A ``<path>.next`` (and its WAL) left by a killed writer is removed by the next write.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.next_path = self.path.with_name(self.path.name + ".next")
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def reader(self) -> Reader:
        """A new :class:`Reader` of this store."""
        return Reader(self.path)

    # --- writes ---------------------------------------------------------------------------

    def migrate(self) -> int:
        """Create the store, or bring its schema up to :data:`SCHEMA_VERSION`.

        Returns
        -------
        int
            The schema version.

        Raises
        ------
        ArtifactError
            When the store's schema is newer than this code knows.
        """
        if self.path.exists():
            with closing(_attach(self.path)) as con:
                version = schema_version(con)
            check_version(version, path=str(self.path))
            if version == SCHEMA_VERSION:
                return version
        with self._writing():
            pass
        return SCHEMA_VERSION

    def write_comments(
        self,
        frame: pd.DataFrame,
        *,
        run: Mapping[str, Any],
        segments: Sequence[str] = (),
        model: str | None = None,
        version: str | None = None,
        cases: pd.DataFrame | None = None,
    ) -> str:
        """Upsert comments by id: a comment written again replaces its row, clauses,
        themes and segments; open the follow-up ``cases`` of comments that have none
        (as :meth:`write_tagged` does), in the same write.

        Parameters
        ----------
        frame
            A canonical frame (:mod:`cxtext.schema`), ingested or tagged: ``id`` required;
            other canonical and tagged columns are stored when present, NULL when absent.
            List columns may hold Python lists or numpy arrays; ``theme_ids`` /
            ``parent_theme_ids`` are stored as given (distinct assigned themes, per the
            tagging contract). ``nps_group`` is derived from ``nps_score`` when absent.
        run
            The run that produced the frame: ``kind`` ('ingest' | 'tag') required;
            ``run_id`` (a new one when absent), ``input``, ``started_at``, ``finished_at``
            (now when absent), ``read``, ``accepted``, ``quarantined``, ``reasons``
            ({reason: count}). Other keys are ignored, so an ingest report can be passed.
        segments
            Columns of ``frame`` stored as segments (as text; missing values skipped).
        model, version
            The theme model version that tagged the frame.

        Returns
        -------
        str
            The run id.

        Raises
        ------
        DataValidationError
            When ids are missing or repeated, a column cannot be converted, clause lists
            are not aligned, or a value does not fit its SQL type (an NPS group outside
            detractor | passive | promoter); the store is unchanged.
        """
        comments = Comments.of(frame, run, segments, model, version)
        opening = None if cases is None else NewCases.of(cases)
        with self._writing() as con:
            comments.insert(con)
            if opening is not None:
                opening.insert(con, comments.run_id)
        return comments.run_id

    def publish_model(
        self,
        manifest: Mapping[str, Any],
        themes: Sequence[Mapping[str, Any]],
        parents: Sequence[Mapping[str, Any]],
        *,
        activate: bool,
    ) -> tuple[str, str]:
        """Record a theme model version and its themes (publishing again replaces them).

        Parameters
        ----------
        manifest
            The bundle manifest: ``name`` and ``version`` required, ``created`` used.
        themes, parents
            ``ThemeModel.themes_`` and ``parent_themes_`` dicts.
        activate
            Make this version the store's active model.

        Returns
        -------
        model, version
        """
        release = Release.of(manifest, themes, parents)
        with self._writing() as con:
            release.publish(con, activate=activate)
        return release.model, release.version

    def write_tagged(
        self,
        frame: pd.DataFrame,
        *,
        run: Mapping[str, Any],
        manifest: Mapping[str, Any],
        themes: Sequence[Mapping[str, Any]],
        parents: Sequence[Mapping[str, Any]],
        segments: Sequence[str] = (),
        activate: bool | None = None,
        cases: pd.DataFrame | None = None,
    ) -> str:
        """Publish the model version that tagged ``frame``, upsert its comments, record
        the run and open the follow-up ``cases`` of comments that have none, all in one
        write: either every part lands or none does.

        Parameters
        ----------
        frame, run, segments
            As for :meth:`write_comments` (``run["kind"]`` is normally 'tag').
        manifest, themes, parents
            As for :meth:`publish_model`; the comments are stored with its name and version.
        activate
            True: make the version active; False: leave the active version as it is;
            None: make it active only when the store has no active version yet.
        cases
            Cases to open (:func:`cxtext.loop.cases_to_open`); :meth:`cases_opened` tells
            how many were new.

        Returns
        -------
        str
            The run id.

        Raises
        ------
        ArtifactError
            When the manifest has no name or version.
        DataValidationError
            As for :meth:`write_comments`; the store is unchanged.
        """
        release = Release.of(manifest, themes, parents)
        comments = Comments.of(frame, run, segments, release.model, release.version)
        opening = None if cases is None else NewCases.of(cases)
        with self._writing() as con:
            if activate is None:
                activate = queries.active_model(con) is None
            release.publish(con, activate=activate)
            comments.insert(con)
            if opening is not None:
                opening.insert(con, comments.run_id)
        return comments.run_id

    def update_case(
        self,
        case: str,
        *,
        status: str | None,
        note: str | None,
        actor: str,
        at: datetime | None = None,
    ) -> dict[str, Any] | None:
        """Change a case's status and/or add a note; its history keeps every change.
        Returns the case as it is now, None when there is no such case.

        Raises
        ------
        DataValidationError
            An unknown status, or neither a status nor a note.
        """
        with self._writing() as con:
            if not update_case(con, case, status=status, note=note, actor=actor, at=at):
                return None
            return get_case(con, case)

    def add_action(
        self,
        *,
        theme_id: int,
        description: str,
        owner: str,
        shipped_on: date,
        level: str = "theme",
        segments: Mapping[str, Sequence[str]] | None = None,
    ) -> dict[str, Any]:
        """Record a fix shipped for a theme (or parent theme) of the active model,
        optionally for some segment values only (:mod:`cxtext.store.actions`).

        Raises
        ------
        DataValidationError
            No active model, an unknown theme or segment, or an empty description or owner.
        """
        with self._writing() as con:
            active = queries.active_model(con)
            if active is None:
                raise DataValidationError("the store has no active model to name a theme of")
            return new_action(
                con,
                model=active[0],
                version=active[1],
                theme_id=theme_id,
                level=level,
                description=description,
                owner=owner,
                shipped_on=shipped_on,
                segments=segments or {},
            )

    def cases_of_run(self, run_id: str) -> list[dict[str, Any]]:
        """The cases the run ``run_id`` opened."""
        with self.reader() as reader, reader.cursor() as cur:
            return cases_of_run(cur, run_id)

    def record_deliveries(self, deliveries: Sequence[Any]) -> None:
        """Record webhook calls (:class:`cxtext.loop.notify.Delivery`), delivered or not."""
        if not deliveries:
            return
        with self._writing() as con:
            con.executemany(
                "INSERT INTO case_deliveries VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        d.case_id,
                        d.url,
                        d.attempts,
                        d.delivered,
                        d.http_status,
                        d.error,
                        d.finished_at,
                    ]
                    for d in deliveries
                ],
            )

    def cases_opened(self, run_id: str) -> int:
        """How many cases the run ``run_id`` opened."""
        with self.reader() as reader, reader.cursor() as cur:
            ((n,),) = cur.execute(
                "SELECT count(*) FROM cases WHERE run_id = ?", [run_id]
            ).fetchall()
        return int(n)

    def activate(self, model: str, version: str) -> None:
        """Make a published model version the store's active one (the queries' default).

        Raises
        ------
        ArtifactError
            When the version was not published to this store.
        """
        with self._writing() as con:
            activate_version(con, model, version)

    # --- reads ----------------------------------------------------------------------------

    def list_models(self) -> list[dict[str, Any]]:
        """The published model versions (see :func:`cxtext.store.queries.list_models`)."""
        if not self.path.exists():
            return []
        with self.reader() as reader, reader.cursor() as cur:
            return queries.list_models(cur)

    def active_model(self) -> tuple[str, str] | None:
        """The active (model, version), or None."""
        if not self.path.exists():
            return None
        with self.reader() as reader, reader.cursor() as cur:
            return queries.active_model(cur)

    @contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, in a transaction, on a copy that replaces the live file
        when the block ends without an exception (see the module docstring)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive(self.lock_path):
            _remove(self.next_path)
            try:
                if self.path.exists():
                    shutil.copyfile(self.path, self.next_path)
                con = duckdb.connect(str(self.next_path))
                try:
                    con.execute("SET TimeZone = 'UTC'")
                    con.execute("SET enable_progress_bar = false")
                    migrate(con, path=str(self.path))
                    con.execute("BEGIN TRANSACTION")
                    yield con
                    con.execute("COMMIT")
                    con.execute("CHECKPOINT")
                finally:
                    con.close()  # rolls back an open transaction
                _fsync(self.next_path)
                os.replace(self.next_path, self.path)
                _fsync(self.path.parent)
            except BaseException:
                _remove(self.next_path)
                raise


# --- the parts of a write ------------------------------------------------------------------


# --- helpers ------------------------------------------------------------------------------


def _file_key(path: Path) -> tuple[int, int, int]:
    try:
        stat = os.stat(path)
    except FileNotFoundError as exc:
        raise ArtifactError(f"no store at {path}; write to it (or migrate it) first") from exc
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _attach(path: Path) -> duckdb.DuckDBPyConnection:
    """A private in-memory database with ``path`` attached read-only and in use."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET GLOBAL TimeZone = 'UTC'")
        con.execute(f"ATTACH ? AS {_ATTACHED} (READ_ONLY)", [str(path)])
        con.execute(f"USE {_ATTACHED}")
    except BaseException:
        con.close()
        raise
    return con


def _open_reader(path: Path) -> duckdb.DuckDBPyConnection:
    con = _attach(path)
    try:
        version = schema_version(con)
        check_version(version, path=str(path))
        if version < SCHEMA_VERSION:
            raise ArtifactError(
                f"store {path} has schema version {version}, older than this cxtext's "
                f"{SCHEMA_VERSION}; run Store(path).migrate() (any write migrates too)"
            )
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _remove(db_path: Path) -> None:
    for path in (db_path, db_path.with_name(db_path.name + ".wal")):
        path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
