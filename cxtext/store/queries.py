"""Queries over the store, as pure functions of a DuckDB cursor (see :meth:`Reader.cursor`).

Every query takes :class:`Filters` and runs parameterised SQL: user values (dates,
sources, languages, segment names and values, models, search text) are always bound as
parameters, never formatted into the SQL text.

Model scope: comments are tagged by one model version each. By default a query sees the
comments of the store's active model version (all comments when none is active);
``Filters(model=..., version=...)`` picks another, and ``model=ANY_MODEL`` drops the scope
(e.g. for score metrics over ingested but untagged comments).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from cxtext import schema
from cxtext.errors import DataValidationError
from cxtext.store.schema import UTC_DAY

__all__ = [
    "ANY_MODEL",
    "COUNT_NAMES",
    "MAX_PAGE",
    "UNASSIGNED",
    "Filters",
    "Level",
    "Period",
    "active_model",
    "comments_page",
    "list_models",
    "period_theme_counts",
    "resolve_model",
    "segment_theme_counts",
    "theme_counts",
    "theme_detail",
]

Level = schema.LevelName
Period = schema.PeriodName
ANY_MODEL: Final = "*"
UNASSIGNED: Final = schema.UNASSIGNED
MAX_PAGE: Final = 1000

_LEVELS: Final = ("theme", "parent")
# Per level: the comment's distinct themes, its clause themes (aligned with
# ``clause_sentiments``) and the clauses that are the first of their theme in the comment.
_LIST_COLUMNS: Final[dict[str, tuple[str, str, str]]] = {
    "theme": ("theme_ids", "clause_theme_ids", "clause_theme_first"),
    "parent": ("parent_theme_ids", "clause_parent_ids", "clause_parent_first"),
}
_GROUPS: Final = schema.NPS_GROUPS  # in group_code order


# Count columns from the group codes 0-6: 0-2 the NPS group, 3-5 the predicted group of an
# unscored comment, 6 unscored without a prediction.
_CODE_COLUMNS: Final[dict[str, tuple[int, ...]]] = {
    "detractors": (0,),
    "passives": (1,),
    "promoters": (2,),
    "unscored": (3, 4, 5, 6),
    "predicted_detractors": (3,),
    "predicted_passives": (4,),
    "predicted_promoters": (5,),
}
# The period of a comment's UTC day, and of a day of the daily count tables.
_PERIOD: Final = f"CAST(date_trunc(?, {UTC_DAY}) AS DATE) AS period, "
_DAY_PERIOD: Final = "CAST(date_trunc(?, c.day) AS DATE) AS period, "
COUNT_NAMES: Final[tuple[str, ...]] = tuple(_CODE_COLUMNS)

_PAGE_COLUMNS: Final = (
    "id, created_at, source, language, text, nps_score, CAST(nps_group AS TEXT) AS nps_group, "
    "csat, sentiment, sentiment_label, CAST(predicted_nps_group AS TEXT) AS predicted_nps_group, "
    "theme_id, parent_theme_id, theme_ids, parent_theme_ids, segments, model, model_version"
)


@dataclass(frozen=True)
class Filters:
    """Which comments a query sees; every given field must match.

    Attributes
    ----------
    date_from, date_to
        Inclusive UTC days of ``created_at``.
    source, language
        Exact values.
    segments
        ``{segment name: value}`` (all must match).
    model, version
        The tagging model version; both None: the active one (all comments when none is
        active); ``model`` alone: all its versions; ``model=ANY_MODEL``: no model scope.
    """

    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None
    language: str | None = None
    segments: Mapping[str, str] = field(default_factory=dict)
    model: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class _Scope:
    where: str  # a condition over the alias ``c`` of comments, or of the daily tables
    params: list[Any]
    model: str | None
    version: str | None
    daily: bool = False  # ``where`` is over ``daily_totals`` / ``daily_theme_counts``


# --- models -------------------------------------------------------------------------------


def active_model(cur: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """The store's active (model, version), or None."""
    rows = cur.execute("SELECT model, version FROM model_versions WHERE active").fetchall()
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


def resolve_model(cur: duckdb.DuckDBPyConnection, filters: Filters) -> Filters:
    """``filters`` with the model scope made explicit: the active version when none is
    given (``ANY_MODEL`` when none is active), so the queries of one request need not look
    it up again."""
    if filters.model is not None or filters.version is not None:
        return filters
    model, version = active_model(cur) or (ANY_MODEL, None)
    return replace(filters, model=model, version=version)


def list_models(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Published model versions, newest first: ``model``, ``version``, ``created_at``,
    ``active``, ``themes`` (count), ``parents`` (count), ``manifest`` (dict)."""
    rows = _records(
        cur,
        """SELECT m.model, m.version, m.created_at, m.active,
                  count(t.theme_id) FILTER (WHERE t.level = 'theme') AS themes,
                  count(t.theme_id) FILTER (WHERE t.level = 'parent') AS parents,
                  m.manifest
           FROM model_versions m
           LEFT JOIN themes t ON t.model = m.model AND t.version = m.version
           GROUP BY ALL ORDER BY m.created_at DESC NULLS LAST, m.model, m.version""",
        [],
    )
    for row in rows:
        row["manifest"] = json.loads(row["manifest"])
    return rows


def segment_values(cur: duckdb.DuckDBPyConnection, name: str, *, limit: int = 50) -> list[str]:
    """The distinct values of a segment, sorted, at most ``limit``."""
    rows = _records(
        cur,
        "SELECT DISTINCT value FROM daily_totals WHERE dimension = ? ORDER BY value LIMIT ?",
        [f"segment:{name}", limit],
    )
    return [str(row["value"]) for row in rows]


def facets(cur: duckdb.DuckDBPyConnection, filters: Filters, *, limit: int = 50) -> dict[str, Any]:
    """What the comments of the filters' model scope can be filtered by (the other filters
    are ignored, so no choice hides the others): ``comments``, the first and last day
    (``date_from``, ``date_to``, ISO, None when undated) and ``dimensions``: per
    dimension ('source', 'language', 'segment:<name>') its values with their comment
    counts, most frequent first, at most ``limit``."""
    model, version = _model_scope(cur, replace(filters, date_from=None, date_to=None))
    conditions, params = _conditions([("model = ?", model), ("model_version = ?", version)])
    rows = _records(
        cur,
        f"""SELECT dimension, value, sum(n) AS comments, min(day) AS first, max(day) AS last
            FROM daily_totals WHERE {" AND ".join(conditions)}
            GROUP BY dimension, value
            ORDER BY dimension NULLS FIRST, comments DESC, value""",
        params,
    )
    out: dict[str, Any] = {"comments": 0, "date_from": None, "date_to": None, "dimensions": {}}
    for row in rows:
        if row["dimension"] is None:
            out |= {
                "comments": int(row["comments"]),
                "date_from": row["first"] and row["first"].isoformat(),
                "date_to": row["last"] and row["last"].isoformat(),
            }
            continue
        values = out["dimensions"].setdefault(row["dimension"], [])
        if len(values) < limit:
            values.append({"value": row["value"], "comments": int(row["comments"])})
    return out


def theme_detail(
    cur: duckdb.DuckDBPyConnection, model: str, version: str, theme_id: int, level: Level
) -> dict[str, Any] | None:
    """One theme of a model version, None when absent.

    Returns
    -------
    dict or None
        ``model``, ``version``, ``theme_id``, ``level``, ``label``, ``parent_id``, ``size``,
        ``origin``, ``keywords`` (``[[term, score], ...]``), ``keywords_by_language``,
        ``representatives``, ``stability`` (None for a parent) and ``children``: the
        sub-themes of a parent (``theme_id``, ``label``, ``size``), empty for a theme.
    """
    _check_level(level)
    rows = _records(
        cur,
        """SELECT model, version, theme_id, level, label, parent_id, size, origin,
                  keywords, keywords_by_language, representatives, stability
           FROM themes WHERE model = ? AND version = ? AND theme_id = ? AND level = ?""",
        [model, version, theme_id, level],
    )
    if not rows:
        return None
    detail = rows[0]
    for key in ("keywords", "keywords_by_language", "representatives", "stability"):
        detail[key] = None if detail[key] is None else json.loads(detail[key])
    detail["children"] = (
        _records(
            cur,
            """SELECT theme_id, label, size FROM themes
               WHERE model = ? AND version = ? AND level = 'theme' AND parent_id = ?
               ORDER BY theme_id""",
            [model, version, theme_id],
        )
        if level == "parent"
        else []
    )
    return detail


# --- counts -------------------------------------------------------------------------------


def theme_counts(
    cur: duckdb.DuckDBPyConnection, filters: Filters, level: Level = "theme"
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Comments and NPS groups per theme, for driver analysis (``theme_impact``).

    Returns
    -------
    themes
        One row per theme mentioned, by volume: ``theme_id``, ``volume`` (comments
        mentioning it), ``detractors``, ``passives``, ``promoters``, ``unscored`` (no NPS
        group), ``predicted_detractors``, ``predicted_passives``, ``predicted_promoters``
        (among the unscored), ``sentiment``: the mean sentiment of the theme's clauses
        (NaN without any), and ``label`` (of the scoped model version, else NA).
    totals
        The same counts over all filtered comments, ``comments`` for the volume.
    """
    _check_level(level)
    scope = _count_scope(cur, filters)
    themes, totals = _counts(cur, scope, level, None)
    row = totals.iloc[0] if len(totals) else pd.Series(0, index=["volume", *COUNT_NAMES])
    return themes, {
        "comments": int(row["volume"]),
        **{name: int(row[name]) for name in COUNT_NAMES},
    }


def period_theme_counts(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    period: Period = "week",
    level: Level = "theme",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`theme_counts` per period of ``created_at`` (UTC days, weeks from Monday,
    calendar months), for trends; comments without a date are left out.

    Returns
    -------
    themes
        ``period`` (``pandas.Period``, as in :mod:`cxtext.analysis`), then
        :func:`theme_counts`'s columns; by period and volume.
    totals
        ``period``, ``comments`` and the group counts over all filtered comments.
    """
    _check_level(level)
    if period not in schema.PERIOD_FREQ:
        raise DataValidationError(f"period must be one of {schema.PERIODS}, not {period!r}")
    scope = _count_scope(cur, filters)
    themes, totals = _counts(cur, scope, level, period)
    totals = totals.rename(columns={"volume": "comments"})
    for table in (themes, totals):
        table["period"] = pd.to_datetime(table["period"]).dt.to_period(schema.PERIOD_FREQ[period])
    return themes, totals


def segment_theme_counts(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    segment: str,
    theme_id: int,
    *,
    level: Level = "theme",
    limit: int = 50,
) -> pd.DataFrame:
    """One theme's counts per value of a segment, beside all comments with that value.

    Returns
    -------
    DataFrame
        One row per value of ``segment`` among the filtered comments (sorted, the first
        ``limit``): ``value``, ``comments`` and :data:`COUNT_NAMES` over its comments, then
        ``volume``, ``theme_detractors``, ``theme_passives`` and ``theme_promoters`` over
        those mentioning the theme.
    """
    _check_level(level)
    others = replace(filters, segments={k: v for k, v in filters.segments.items() if k != segment})
    by = _count_scope(cur, others, by=f"segment:{segment}")
    if not by.daily:  # the filters use another dimension: one count per value
        rows: list[dict[str, Any]] = []
        for value in segment_values(cur, segment, limit=10 * limit):
            if len(rows) == limit:
                break
            scoped = replace(filters, segments={**filters.segments, segment: value})
            themes, totals = theme_counts(cur, scoped, level=level)
            if not totals["comments"]:
                continue
            theme = themes[themes["theme_id"] == theme_id]
            rows.append(
                {"value": value, **totals}
                | {name: int(theme[column].sum()) for name, column in _THEME_COLUMNS.items()}
            )
        return pd.DataFrame(rows, columns=["value", "comments", *COUNT_NAMES, *_THEME_COLUMNS])
    where, params = by.where, by.params
    table = _arrow(
        cur,
        f"""SELECT c.value, NULL::INTEGER AS theme_id, c.code, CAST(sum(c.n) AS BIGINT) AS n
            FROM daily_totals c WHERE {where} GROUP BY ALL
            UNION ALL
            SELECT c.value, c.theme_id, c.code, CAST(sum(c.n) AS BIGINT)
            FROM daily_theme_counts c WHERE {where} AND c.level = ? AND c.theme_id = ?
            GROUP BY ALL""",
        [*params, *params, level, theme_id],
    )
    values = table["value"].to_pylist()
    found = sorted(set(values))[:limit]
    row_of = {value: k for k, value in enumerate(found)}
    kept = np.array([value in row_of for value in values], dtype=bool)
    index = np.array([row_of.get(value, 0) for value in values], dtype=np.int64)
    in_theme = table["theme_id"].is_valid().to_numpy(zero_copy_only=False)
    codes = table["code"].to_numpy().astype(np.int64)
    counts = table["n"].to_numpy().astype(np.int64)
    by_code = np.zeros((2, len(found), 7), np.int64)  # all comments, the theme's
    np.add.at(by_code, (in_theme[kept].astype(int), index[kept], codes[kept]), counts[kept])
    frame = pd.DataFrame({"value": found, "comments": by_code[0].sum(axis=1)})
    for name, group_codes in _CODE_COLUMNS.items():
        frame[name] = by_code[0][:, list(group_codes)].sum(axis=1)
    frame["volume"] = by_code[1].sum(axis=1)
    for code, name in enumerate(list(_THEME_COLUMNS)[1:]):  # detractors, passives, promoters
        frame[name] = by_code[1][:, code]
    return frame


# Columns of :func:`segment_theme_counts` from a theme's :func:`theme_counts` row.
_THEME_COLUMNS: Final = {
    "volume": "volume",
    "theme_detractors": "detractors",
    "theme_passives": "passives",
    "theme_promoters": "promoters",
}


def recent_filters(
    cur: duckdb.DuckDBPyConnection, filters: Filters, *, period: Period, periods: int
) -> Filters:
    """``filters`` narrowed to the last ``periods`` periods up to the latest comment, so a
    trend of recent periods reads only their rows."""
    if period not in schema.PERIOD_FREQ:
        raise DataValidationError(f"period must be one of {schema.PERIODS}, not {period!r}")
    scope = _count_scope(cur, filters)
    table, column = ("daily_totals", "day") if scope.daily else ("comments", "created_at")
    latest = _records(
        cur, f"SELECT max(c.{column}) AS latest FROM {table} c WHERE {scope.where}", scope.params
    )[0]["latest"]
    if latest is None:
        return filters
    latest = pd.Timestamp(latest)
    if latest.tz is not None:
        latest = latest.tz_convert("UTC").tz_localize(None)
    last = latest.to_period(schema.PERIOD_FREQ[period])
    start = (last - (periods - 1)).start_time.date()
    if filters.date_from is not None and filters.date_from > start:
        return filters
    return replace(filters, date_from=start)


def _counts(
    cur: duckdb.DuckDBPyConnection, scope: _Scope, level: str, period: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per ([period,] theme) and per ([period]) of the scope: volume, the group counts and
    (per theme) mean clause sentiment and label; sorted by period, volume, theme.

    One query returns per ([period,] theme, group code) comment count, clause sentiment sum
    and clause count (theme NULL: all comments); they are pivoted here, where 8 filtered
    sums in SQL cost more than the scan of the daily counts.
    """
    scoped = [*([period] if period else []), *scope.params]
    if scope.daily:
        table = _arrow(
            cur, _daily_code_sql(scope.where, period=bool(period)), [*scoped, level, *scoped]
        )
    else:
        table = _arrow(cur, _code_sql(scope.where, level, period=bool(period)), [*scoped, *scoped])
    is_total = table["theme_id"].is_null().to_numpy(zero_copy_only=False)
    theme = table["theme_id"].fill_null(UNASSIGNED).to_numpy().astype(np.int64)
    days = (
        table["period"].cast(pa.int32()).to_numpy(zero_copy_only=False)
        if period
        else np.zeros(len(theme), np.int32)
    )
    columns = {
        name: table[name].fill_null(0).to_numpy().astype(float)
        for name in ("code", "n", "sentiment_sum", "clauses")
    }

    def rows(mask: np.ndarray, keys: np.ndarray) -> pd.DataFrame:
        return _pivot(days[mask], keys[mask], {k: v[mask] for k, v in columns.items()})

    themes = rows(~is_total & (theme != UNASSIGNED), theme)
    totals = rows(is_total, np.zeros(len(theme), np.int64))
    described = {
        theme: (label, None if stability is None else json.loads(stability))
        for theme, label, stability in cur.execute(
            "SELECT theme_id, label, stability FROM themes "
            "WHERE model = ? AND version = ? AND level = ?",
            [scope.model, scope.version, level],
        ).fetchall()
    }
    found = [described.get(t, (None, None)) for t in themes["theme_id"].tolist()]
    themes["label"] = [label for label, _ in found]
    themes["stability"] = [stability for _, stability in found]
    themes = themes.drop(columns=[] if period else ["period"])
    totals = totals.drop(columns=["theme_id", "sentiment"] + ([] if period else ["period"]))
    return themes, totals


def _pivot(days: np.ndarray, themes: np.ndarray, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per (day, theme): volume, group counts and mean sentiment, sorted by day,
    volume descending and theme."""
    keys, inverse = np.unique(np.stack([days, themes], axis=1), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    by_code = np.zeros((len(keys), 7), np.int64)
    np.add.at(by_code, (inverse, columns["code"].astype(np.int64)), columns["n"].astype(np.int64))
    clause_sum = np.bincount(inverse, columns["sentiment_sum"], len(keys))
    clause_count = np.bincount(inverse, columns["clauses"], len(keys))
    volume = by_code.sum(axis=1)
    order = np.lexsort((keys[:, 1], -volume, keys[:, 0]))
    by_code = by_code[order]
    frame = {
        "period": keys[order, 0].astype("datetime64[D]"),
        "theme_id": keys[order, 1],
        "volume": volume[order],
    }
    for name, codes in _CODE_COLUMNS.items():
        frame[name] = by_code[:, codes[0]] if len(codes) == 1 else by_code[:, codes].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["sentiment"] = np.where(clause_count > 0, clause_sum / clause_count, np.nan)[order]
    return pd.DataFrame(frame, copy=False)


def _code_sql(where: str, level: str, *, period: bool) -> str:
    """Per ([period,] theme, group code) of the filtered comments' clauses: ``n`` (comments:
    first clauses of their theme), ``sentiment_sum``, ``clauses``; then the same per
    ([period,] code) over the comments with ``theme_id`` NULL. Parameters: the period
    (``period``) and the scope's, twice."""
    _, clause_ids, first = _LIST_COLUMNS[level]
    day = " AND c.created_at IS NOT NULL" if period else ""
    return f"""
    SELECT {"period, " if period else ""}theme_id, code, count(*) FILTER (WHERE is_first) AS n,
           sum(sentiment) AS sentiment_sum, count(sentiment) AS clauses
    FROM (SELECT {_PERIOD if period else ""}unnest(c.{clause_ids}) AS theme_id,
                 unnest(c.{first}) AS is_first, unnest(c.clause_sentiments) AS sentiment,
                 c.group_code AS code
          FROM comments c WHERE {where}{day})
    GROUP BY ALL
    UNION ALL
    SELECT {_PERIOD if period else ""}NULL, c.group_code, count(*), NULL, NULL
    FROM comments c WHERE {where}{day}
    GROUP BY ALL"""


def _daily_code_sql(where: str, *, period: bool) -> str:
    """:func:`_code_sql` over the daily count tables. Parameters: the period (``period``),
    the daily scope's and the level; then the period and the daily scope's."""
    day = " AND c.day IS NOT NULL" if period else ""
    return f"""
    SELECT {_DAY_PERIOD if period else ""}c.theme_id, c.code, CAST(sum(c.n) AS BIGINT) AS n,
           sum(c.sentiment_sum) AS sentiment_sum, CAST(sum(c.clauses) AS BIGINT) AS clauses
    FROM daily_theme_counts c WHERE {where} AND c.level = ?{day}
    GROUP BY ALL
    UNION ALL
    SELECT {_DAY_PERIOD if period else ""}NULL, c.code, CAST(sum(c.n) AS BIGINT), NULL, NULL
    FROM daily_totals c WHERE {where}{day}
    GROUP BY ALL"""


# --- rows ---------------------------------------------------------------------------------


def comments_page(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    theme_id: int | None = None,
    level: Level = "theme",
    nps_group: str | None = None,
    sentiment_min: float | None = None,
    sentiment_max: float | None = None,
    text_query: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of comments, newest first (``created_at`` DESC, undated last, then ``id``
    DESC), with keyset pagination.

    Parameters
    ----------
    theme_id, level
        Only comments mentioning this theme (or parent theme).
    nps_group
        detractor | passive | promoter.
    sentiment_min, sentiment_max
        Inclusive bounds of the comment's sentiment.
    text_query
        Case-insensitive substring of the text.
    cursor
        ``next_cursor`` of the previous page; None for the first page.
    limit
        Rows per page, 1 to :data:`MAX_PAGE`.

    Returns
    -------
    rows, next_cursor
        Row dicts: the comment's columns (``created_at`` a UTC datetime), ``theme_label``,
        ``theme_ids`` / ``parent_theme_ids`` (lists) and ``segments`` ({name: value});
        ``next_cursor`` is None on the last page.

    Raises
    ------
    DataValidationError
        On an invalid cursor, limit, level or NPS group.
    """
    _check_level(level)
    if not 1 <= limit <= MAX_PAGE:
        raise DataValidationError(f"limit must be between 1 and {MAX_PAGE}, not {limit}")
    if nps_group is not None and nps_group not in _GROUPS:
        raise DataValidationError(f"nps_group must be one of {_GROUPS}, not {nps_group!r}")
    scope = _scope(cur, filters)
    where, params = [scope.where], list(scope.params)
    if theme_id is not None:
        where.append(f"list_contains(c.{_LIST_COLUMNS[level][0]}, ?)")
        params.append(theme_id)
    for condition, value in (
        ("c.nps_group = ?", nps_group),
        ("c.sentiment >= ?", sentiment_min),
        ("c.sentiment <= ?", sentiment_max),
        ("c.text ILIKE ? ESCAPE '\\'", None if text_query is None else _like(text_query)),
    ):
        if value is not None:
            where.append(condition)
            params.append(value)
    anchor: pd.Timestamp | None = None
    if cursor is not None:
        last_created, last_id = _decode_cursor(cursor)
        if last_created is None:
            where.append("c.created_at IS NULL AND c.id < ?")
            params.append(last_id)
        else:
            where.append(
                "(c.created_at < CAST(? AS TIMESTAMPTZ) OR c.created_at IS NULL"
                " OR (c.created_at = CAST(? AS TIMESTAMPTZ) AND c.id < ?))"
            )
            params += [last_created, last_created, last_id]
            anchor = pd.Timestamp(last_created)
    else:
        anchor = _latest(cur, filters)
    # Newest first: look back a few growing windows before the whole table, so that the
    # zone maps of created_at (comments are stored in time order per write) skip older rows.
    # A window that fills the page holds its newest rows: every row outside is older.
    windows = [*(() if anchor is None else _PAGE_WINDOWS), None]
    for days in windows:
        since = [] if days is None else [str(anchor - pd.Timedelta(days=days))]
        rows = _page(
            cur,
            where + ["c.created_at >= CAST(? AS TIMESTAMPTZ)"] * len(since),
            [*params, *since],
            limit + 1,
        )
        if len(rows) > limit:
            break
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        row["segments"] = dict(row["segments"] or ())
    next_cursor = _encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return rows, next_cursor


_PAGE_WINDOWS: Final = (7, 35, 140)  # days looked back from the newest comment or the cursor


def _latest(cur: duckdb.DuckDBPyConnection, filters: Filters) -> pd.Timestamp | None:
    """Midnight after the newest comment's day in the filters' model scope, None if none."""
    scope = _count_scope(cur, Filters(model=filters.model, version=filters.version))
    ((day,),) = cur.execute(
        f"SELECT max(c.day) FROM daily_totals c WHERE {scope.where}", scope.params
    ).fetchall()
    if day is None:
        return None
    if filters.date_to is not None:
        day = min(day, filters.date_to)
    return pd.Timestamp(day, tz="UTC") + pd.Timedelta(days=1)


def _page(
    cur: duckdb.DuckDBPyConnection, where: list[str], params: list[Any], rows: int
) -> list[dict[str, Any]]:
    """The first ``rows`` comments matching ``where``, newest first, with their theme label."""
    return _records(
        cur,
        f"""SELECT p.*, t.label AS theme_label
            FROM (SELECT {_PAGE_COLUMNS} FROM comments c WHERE {" AND ".join(where)}
                  ORDER BY c.created_at DESC NULLS LAST, c.id DESC LIMIT ?) p
            LEFT JOIN themes t ON t.model = p.model AND t.version = p.model_version
                              AND t.level = 'theme' AND t.theme_id = p.theme_id
            ORDER BY p.created_at DESC NULLS LAST, p.id DESC""",
        [*params, rows],
    )


# --- helpers ------------------------------------------------------------------------------


def _check_level(level: str) -> None:
    if level not in _LEVELS:
        raise DataValidationError(f"level must be one of {_LEVELS}, not {level!r}")


def _model_scope(cur: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[str | None, str | None]:
    """The (model, version) a query is scoped to (None: any); checks the date range."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DataValidationError("date_from must not be after date_to")
    resolved = resolve_model(cur, filters)
    if resolved.model == ANY_MODEL:
        return None, None
    return resolved.model, resolved.version


def _conditions(pairs: Sequence[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    """The conditions of ``(condition, value)`` pairs whose value is given, and the values."""
    given = [(condition, value) for condition, value in pairs if value is not None]
    return ["TRUE", *(c for c, _ in given)], [v for _, v in given]


def _count_scope(
    cur: duckdb.DuckDBPyConnection, filters: Filters, *, by: str | None = None
) -> _Scope:
    """The daily tables' scope when they hold the filters' counts (dates and at most one of
    source, language and a segment), else the comments'. With ``by`` (a dimension: 'source',
    'language' or 'segment:<name>'), the daily rows of every value of that dimension, when
    the filters use no dimension."""
    dimensions = [
        (name, value)
        for name, value in (("source", filters.source), ("language", filters.language))
        if value is not None
    ] + [(f"segment:{name}", value) for name, value in filters.segments.items()]
    if len(dimensions) > (0 if by else 1):
        return _scope(cur, filters)
    model, version = _model_scope(cur, filters)
    conditions, params = _conditions(
        [
            ("c.model = ?", model),
            ("c.model_version = ?", version),
            ("c.day >= ?", filters.date_from),
            ("c.day <= ?", filters.date_to),
        ]
    )
    if by:
        conditions.append("c.dimension = ?")
        params.append(by)
    elif dimensions:
        conditions.append("c.dimension = ? AND c.value = ?")
        params += list(dimensions[0])
    else:
        conditions.append("c.dimension IS NULL")
    return _Scope(" AND ".join(conditions), params, model, version, daily=True)


def _scope(cur: duckdb.DuckDBPyConnection, filters: Filters) -> _Scope:
    model, version = _model_scope(cur, filters)
    conditions, params = _conditions(
        [
            ("c.model = ?", model),
            ("c.model_version = ?", version),
            ("c.created_at >= CAST(? AS TIMESTAMPTZ)", _day_start(filters.date_from, 0)),
            ("c.created_at < CAST(? AS TIMESTAMPTZ)", _day_start(filters.date_to, 1)),
            ("c.source = ?", filters.source),
            ("c.language = ?", filters.language),
        ]
    )
    for name, value in filters.segments.items():
        conditions.append("c.segments[?] = ?")
        params += [name, value]
    return _Scope(" AND ".join(conditions), params, model, version)


def _like(text: str) -> str:
    """An ILIKE pattern matching ``text`` anywhere, its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _day_start(day: date | None, offset: int) -> str | None:
    """UTC midnight starting ``day + offset`` days (``offset`` 0 or 1), as SQL timestamp
    text; the day after 9999-12-31, past Python's calendar, is DuckDB's 10000-01-01."""
    if day is None:
        return None
    start = date(day.year, day.month, day.day)
    if start == date.max and offset == 1:
        return "10000-01-01 00:00:00+00"
    return f"{start + timedelta(days=offset)} 00:00:00+00"


def _arrow(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pa.Table:
    return cur.sql(sql, params=params).to_arrow_table()


def _records(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return _arrow(cur, sql, params).to_pylist()


def _frame(cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pd.DataFrame:
    mapping = {
        pa.int64(): pd.Int64Dtype(),
        pa.int32(): pd.Int64Dtype(),
        pa.string(): pd.StringDtype(),
    }
    return _arrow(cur, sql, params).to_pandas(types_mapper=mapping.get)


def _encode_cursor(created_at: datetime | None, comment_id: str) -> str:
    key = [None if created_at is None else created_at.isoformat(), comment_id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode("ascii")


def _decode_cursor(cursor: str) -> tuple[str | None, str]:
    try:
        created_at, comment_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if created_at is not None:  # in the one form pandas and DuckDB both read
            moment = datetime.fromisoformat(created_at)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            created_at = moment.astimezone(UTC).isoformat()
    except (binascii.Error, UnicodeError, ValueError, TypeError, OverflowError) as exc:
        raise DataValidationError("invalid page cursor") from exc
    if not isinstance(comment_id, str):
        raise DataValidationError("invalid page cursor")
    return created_at, comment_id
