"""What a store write inserts, checked and converted before the write starts: comments
with their facts and run record (:class:`Comments`), a model version with its themes
(:class:`Release`), and the set-based SQL that applies them inside the writer's
transaction (:mod:`cxtext.store.store` makes the transaction atomic)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxtext import schema
from cxtext.errors import ArtifactError, DataValidationError
from cxtext.store.schema import REBUILD_DAILY_COUNTS

__all__ = ["Comments", "Release", "activate_version"]

# Scalar columns of the incoming frame with their Arrow types; absent ones become NULL.
_SCALARS: Final[dict[str, pa.DataType]] = {
    schema.SOURCE: pa.string(),
    schema.CREATED_AT: pa.timestamp("ns", tz="UTC"),
    schema.TEXT: pa.string(),
    schema.LANGUAGE: pa.string(),
    schema.NPS_SCORE: pa.int64(),
    schema.NPS_GROUP: pa.string(),
    schema.CSAT: pa.int64(),
    schema.SENTIMENT: pa.float64(),
    schema.SENTIMENT_LABEL: pa.string(),
    schema.PREDICTED_NPS_GROUP: pa.string(),
    schema.THEME_ID: pa.int64(),
    schema.PARENT_THEME_ID: pa.int64(),
    schema.CUSTOMER_ID: pa.string(),
}
# List columns (Python lists or numpy arrays per row).
_LISTS: Final[dict[str, pa.DataType]] = {
    schema.THEME_IDS: pa.list_(pa.int64()),
    schema.PARENT_THEME_IDS: pa.list_(pa.int64()),
    schema.CLAUSE_THEME_IDS: pa.list_(pa.int64()),
    schema.CLAUSE_PARENT_IDS: pa.list_(pa.int64()),
    schema.CLAUSE_SENTIMENTS: pa.list_(pa.float64()),
}
# CES answers and ticket times, stored in ``comment_facts`` for the rows that have any.
_FACTS: Final[dict[str, pa.DataType]] = {
    schema.CES: pa.int64(),
    schema.CES_SCALE: pa.string(),
    schema.FIRST_RESPONSE_AT: pa.timestamp("ns", tz="UTC"),
    schema.RESOLVED_AT: pa.timestamp("ns", tz="UTC"),
    schema.LAST_RESOLVED_AT: pa.timestamp("ns", tz="UTC"),
}
_DELETE_FACTS: Final = "DELETE FROM comment_facts WHERE comment_id IN (SELECT id FROM incoming)"
_INSERT_FACTS: Final = f"""INSERT INTO comment_facts
SELECT id, CAST(ces AS INTEGER), ces_scale, first_response_at, resolved_at, last_resolved_at
FROM incoming_facts WHERE {" OR ".join(f"{name} IS NOT NULL" for name in _FACTS)}"""
_RUN_KINDS: Final = ("ingest", "tag")

_D, _A, _P = (group.value for group in schema.NpsGroup)

# The replace-by-id write, as set-based statements over the registered ``incoming`` table.
_DELETE_EXISTING: Final = "DELETE FROM comments WHERE id IN (SELECT id FROM incoming)"
_INSERT_COMMENTS: Final = f"""INSERT INTO comments
SELECT * EXCLUDE (customer_id),
       coalesce(enum_code(nps_group), 3 + coalesce(enum_code(predicted_nps_group), 3)),
       list_transform(clause_theme_ids,
                      lambda t, i: t <> -1 AND list_position(clause_theme_ids, t) = i),
       list_transform(clause_parent_ids,
                      lambda t, i: t <> -1 AND list_position(clause_parent_ids, t) = i),
       customer_id
FROM (
    SELECT id, source, created_at, text, language, CAST(nps_score AS INTEGER) AS nps_score,
           CAST(coalesce(nps_group, CASE WHEN nps_score >= 9 THEN '{_P}'
                                         WHEN nps_score >= 7 THEN '{_A}'
                                         WHEN nps_score >= 0 THEN '{_D}' END)
                AS respondent_group) AS nps_group,
           CAST(csat AS INTEGER), sentiment, sentiment_label,
           CAST(predicted_nps_group AS respondent_group) AS predicted_nps_group,
           CAST(theme_id AS INTEGER), CAST(parent_theme_id AS INTEGER),
           CAST(theme_ids AS INTEGER[]), CAST(parent_theme_ids AS INTEGER[]),
           CAST(clause_theme_ids AS INTEGER[]) AS clause_theme_ids,
           CAST(clause_parent_ids AS INTEGER[]) AS clause_parent_ids,
           clause_sentiments, segments, ? AS model, ? AS model_version, ? AS run_id,
           customer_id
    FROM incoming)
ORDER BY created_at NULLS FIRST, id"""
_INSERT_RUN: Final = """INSERT OR REPLACE INTO runs VALUES (
    ?, ?, ?, CAST(? AS TIMESTAMPTZ), coalesce(CAST(? AS TIMESTAMPTZ), now()),
    ?, ?, ?, ?, ?, ?)"""
_DATA_ERRORS: Final = (
    duckdb.ConversionException,
    duckdb.ConstraintException,
    duckdb.OutOfRangeException,
)


@dataclass(frozen=True)
class Comments:
    """Comments and their run, checked and converted before the write starts."""

    incoming: pa.Table
    facts: pa.Table
    run_row: list[Any]
    model: str | None
    version: str | None

    @classmethod
    def of(
        cls,
        frame: pd.DataFrame,
        run: Mapping[str, Any],
        segments: Sequence[str],
        model: str | None,
        version: str | None,
    ) -> Comments:
        incoming = _incoming_table(frame, segments)
        facts = pa.table(
            {"id": incoming["id"]} | {name: _arrow(frame, name, t) for name, t in _FACTS.items()}
        )
        return cls(incoming, facts, _run_row(run, model, version), model, version)

    @property
    def run_id(self) -> str:
        return str(self.run_row[0])

    def insert(self, con: duckdb.DuckDBPyConnection) -> None:
        """Replace-by-id upsert, run record and daily count tables, in ``con``'s transaction."""
        con.register("incoming", self.incoming)
        con.register("incoming_facts", self.facts)
        try:
            con.execute(_DELETE_EXISTING)
            con.execute(_DELETE_FACTS)
            con.execute(_INSERT_COMMENTS, [self.model, self.version, self.run_id])
            con.execute(_INSERT_FACTS)
            con.execute(_INSERT_RUN, self.run_row)
            for statement in REBUILD_DAILY_COUNTS:
                con.execute(statement)
        except _DATA_ERRORS as exc:
            raise DataValidationError(f"comments could not be stored: {exc}") from exc


@dataclass(frozen=True)
class Release:
    """A model version and its themes, checked and converted before the write starts."""

    model: str
    version: str
    manifest: Mapping[str, Any]
    themes: pa.Table

    @classmethod
    def of(
        cls,
        manifest: Mapping[str, Any],
        themes: Sequence[Mapping[str, Any]],
        parents: Sequence[Mapping[str, Any]],
    ) -> Release:
        try:
            name, version = str(manifest["name"]), str(manifest["version"])
        except KeyError as exc:
            raise ArtifactError(f"the model manifest has no {exc.args[0]!r}") from exc
        rows = _theme_rows(themes, "theme") + _theme_rows(parents, "parent")
        return cls(name, version, manifest, pa.Table.from_pylist(rows, schema=_THEME_SCHEMA))

    def publish(self, con: duckdb.DuckDBPyConnection, *, activate: bool) -> None:
        """Record the version (replacing its themes), in ``con``'s transaction."""
        key = [self.model, self.version]
        con.execute(
            "INSERT INTO model_versions VALUES (?, ?, TRY_CAST(? AS TIMESTAMPTZ), false, ?) "
            "ON CONFLICT (model, version) DO UPDATE "
            "SET created_at = excluded.created_at, manifest = excluded.manifest",
            [*key, self.manifest.get("created"), _json(self.manifest)],
        )
        con.execute("DELETE FROM themes WHERE model = ? AND version = ?", key)
        con.register("incoming_themes", self.themes)
        con.execute("INSERT INTO themes SELECT ?, ?, * FROM incoming_themes", key)
        if activate:
            activate_version(con, *key)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _incoming_table(frame: pd.DataFrame, segments: Sequence[str]) -> pa.Table:
    """The frame's storable columns as an Arrow table of fixed names and types."""
    if schema.ID not in frame.columns:
        raise DataValidationError("the frame has no id column", column=schema.ID)
    ids = frame[schema.ID]
    if ids.isna().any():
        raise DataValidationError("comment ids must not be missing", column=schema.ID)
    ids = ids.astype("string")
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise DataValidationError(f"repeated comment id {repeated.iloc[0]!r}", column=schema.ID)
    columns: dict[str, pa.Array] = {"id": pa.array(ids, type=pa.string(), from_pandas=True)}
    for name, type_ in (_SCALARS | _LISTS).items():
        columns[name] = _arrow(frame, name, type_)
    clauses = pc.list_value_length(columns[schema.CLAUSE_THEME_IDS])
    for name in (schema.CLAUSE_PARENT_IDS, schema.CLAUSE_SENTIMENTS):
        if pc.any(pc.not_equal(pc.list_value_length(columns[name]), clauses)).as_py():
            raise DataValidationError(
                f"{name} must have one value per clause of {schema.CLAUSE_THEME_IDS}", column=name
            )
    columns["segments"] = _segment_map(frame, segments)
    return pa.table(columns)


def _segment_map(frame: pd.DataFrame, segments: Sequence[str]) -> pa.MapArray:
    """Per row, ``{segment name: value as text}`` without missing values."""
    missing = [name for name in segments if name not in frame.columns]
    if missing or len(set(segments)) != len(segments):
        raise DataValidationError(f"segments must be distinct columns of the frame: {missing}")
    values = frame[list(segments)].astype("string").to_numpy(dtype=object, na_value=None)
    present = values != None  # noqa: E711 (element-wise)
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int32)
    names = np.broadcast_to(np.asarray(segments, dtype=object), values.shape)
    return pa.MapArray.from_arrays(
        offsets,
        pa.array(names[present], type=pa.string()),
        pa.array(values[present], type=pa.string()),
    )


def _arrow(frame: pd.DataFrame, name: str, type_: pa.DataType) -> pa.Array:
    if name not in frame.columns:
        return pa.nulls(len(frame), type=type_)
    try:
        return pa.array(frame[name], type=type_, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise DataValidationError(
            f"cannot store the values as {type_}: {exc}", column=name
        ) from exc


def _timestamp(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def _run_row(run: Mapping[str, Any], model: str | None, version: str | None) -> list[Any]:
    kind = run.get("kind")
    if kind not in _RUN_KINDS:
        raise DataValidationError(f"run kind must be one of {_RUN_KINDS}, not {kind!r}")
    reasons = run.get("reasons")
    return [
        str(run.get("run_id") or uuid.uuid4().hex),
        kind,
        None if run.get("input") is None else str(run["input"]),
        _timestamp(run.get("started_at")),
        _timestamp(run.get("finished_at")),
        _count(run.get("read")),
        _count(run.get("accepted")),
        _count(run.get("quarantined")),
        None if reasons is None else _json(reasons),
        model,
        version,
    ]


_THEME_SCHEMA: Final = pa.schema(
    [
        ("theme_id", pa.int32()),
        ("level", pa.string()),
        ("label", pa.string()),
        ("parent_id", pa.int32()),
        ("size", pa.int32()),
        ("origin", pa.string()),
        ("keywords", pa.string()),
        ("keywords_by_language", pa.string()),
        ("representatives", pa.string()),
        ("stability", pa.string()),
    ]
)


def _theme_rows(themes: Sequence[Mapping[str, Any]], level: str) -> list[dict[str, Any]]:
    def text(value: Any) -> str | None:
        return None if value is None else _json(value)

    return [
        {
            "theme_id": int(theme["id"]),
            "level": level,
            "label": theme.get("label"),
            "parent_id": None if theme.get("parent") is None else int(theme["parent"]),
            "size": None if theme.get("size") is None else int(theme["size"]),
            "origin": theme.get("origin"),
            "keywords": text(theme.get("keywords")),
            "keywords_by_language": text(theme.get("keywords_by_language")),
            "representatives": text(theme.get("representatives")),
            "stability": text(theme.get("stability")),
        }
        for theme in themes
    ]


def activate_version(con: duckdb.DuckDBPyConnection, model: str, version: str) -> None:
    ((found,),) = con.execute(
        "SELECT count(*) FROM model_versions WHERE model = ? AND version = ?", [model, version]
    ).fetchall()
    if not found:
        raise ArtifactError(f"model {model} version {version} was not published to this store")
    con.execute("UPDATE model_versions SET active = (model = ? AND version = ?)", [model, version])
