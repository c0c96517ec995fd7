"""Score queries for the metrics: the filtered comments' score rows, and NPS counts
aggregated in the database (a million comments answer in tens of milliseconds instead of
seconds spent moving every row into pandas)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import duckdb
import pandas as pd

from cxtext import schema
from cxtext.errors import ConfigError, DataValidationError
from cxtext.store.queries import Filters, _frame, _scope
from cxtext.store.schema import UTC_DAY

__all__ = ["nps_counts", "score_rows", "undated_comments"]

_SCORE_COLUMNS: Final[dict[str, str]] = {
    schema.ID: "string",
    schema.SOURCE: "string",
    schema.CREATED_AT: "datetime64[ns, UTC]",
    schema.LANGUAGE: "string",
    schema.NPS_SCORE: "Int64",
    schema.NPS_GROUP: "string",
    schema.CSAT: "Int64",
    schema.SENTIMENT: "float64",
    schema.PREDICTED_NPS_GROUP: "string",
    schema.CES: "Int64",
    schema.CES_SCALE: "string",
    schema.FIRST_RESPONSE_AT: "datetime64[ns, UTC]",
    schema.RESOLVED_AT: "datetime64[ns, UTC]",
    schema.LAST_RESOLVED_AT: "datetime64[ns, UTC]",
}
_SCORE_SELECT: Final = (
    "c.id, c.source, c.created_at, c.language, c.nps_score, "
    "CAST(c.nps_group AS TEXT) AS nps_group, c.csat, c.sentiment, "
    "CAST(c.predicted_nps_group AS TEXT) AS predicted_nps_group, "
    "f.ces, f.ces_scale, f.first_response_at, f.resolved_at, f.last_resolved_at"
)


def score_rows(
    cur: duckdb.DuckDBPyConnection, filters: Filters, columns: Sequence[str] = ()
) -> pd.DataFrame:
    """The filtered comments' scores, for :mod:`cxtext.analysis.metrics`.

    Parameters
    ----------
    columns
        Segment names to add as columns (NA where a comment has no value).

    Returns
    -------
    DataFrame
        ``id``, ``source``, ``created_at``, ``language``, ``nps_score``, ``nps_group``,
        ``csat``, ``sentiment``, ``predicted_nps_group`` in canonical dtypes, then one
        string column per segment name.
    """
    _check_segment_columns(columns)
    scope = _scope(cur, filters)
    selected = "".join(f", c.segments[?] AS segment_{i}" for i in range(len(columns)))
    frame = _frame(
        cur,
        f"SELECT {_SCORE_SELECT}{selected} FROM comments c "
        f"LEFT JOIN comment_facts f ON f.comment_id = c.id WHERE {scope.where} ORDER BY c.id",
        [*columns, *scope.params],
    )
    frame = frame.rename(columns={f"segment_{i}": name for i, name in enumerate(columns)})
    return frame.astype(_SCORE_COLUMNS | dict.fromkeys(columns, "string"))


# Per row of scores used by the NPS: scored comments, and survey answers left unscored
# (tickets without a score are not counted), as in :func:`cxtext.analysis.metrics.nps_table`.
_NPS_COUNTS: Final = """
    count(c.nps_score) AS n,
    count(*) FILTER (WHERE c.nps_score >= 9) AS promoters,
    count(*) FILTER (WHERE c.nps_score BETWEEN 7 AND 8) AS passives,
    count(*) FILTER (WHERE c.nps_score <= 6) AS detractors,
    count(*) FILTER (WHERE c.nps_score IS NULL) AS n_missing_score"""
_NPS_USED: Final = f"(c.nps_score IS NOT NULL OR c.source = '{schema.Source.SURVEY.value}')"


def nps_counts(
    cur: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: Sequence[str] = (),
    period: schema.PeriodName | None = None,
) -> pd.DataFrame:
    """NPS counts of the filtered comments per segment value and UTC period.

    Returns
    -------
    DataFrame
        One row per group: the segment columns (NA for comments without a value), then
        ``period`` (a pandas Period; weeks Monday-Sunday) when asked, then ``n``,
        ``promoters``, ``passives``, ``detractors`` and ``n_missing_score``. With a period,
        comments without a date are left out (:func:`undated_comments` counts them).
    """
    _check_segment_columns(by, reserved=["period"] if period else [])
    if period is not None and period not in schema.PERIOD_FREQ:
        raise ConfigError(f"period must be one of {', '.join(schema.PERIODS)}, not {period!r}")
    scope = _scope(cur, filters)
    keys = [f"c.segments[?] AS segment_{i}" for i in range(len(by))]
    params: list[object] = list(by)
    where = f"{scope.where} AND {_NPS_USED}"
    if period is not None:
        keys.append(f"CAST(date_trunc(?, {UTC_DAY}) AS DATE) AS period")
        params.append(period)
        where += " AND c.created_at IS NOT NULL"
    group = " GROUP BY ALL ORDER BY ALL NULLS LAST" if keys else ""
    counts = _frame(
        cur,
        f"SELECT {', '.join([*keys, _NPS_COUNTS])} FROM comments c WHERE {where}{group}",
        [*params, *scope.params],
    )
    counts = counts.rename(columns={f"segment_{i}": name for i, name in enumerate(by)})
    if period is not None:
        days = pd.to_datetime(counts["period"])
        counts["period"] = days.dt.to_period(schema.PERIOD_FREQ[period])
    return counts


def undated_comments(cur: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many of the filtered comments have no date."""
    scope = _scope(cur, filters)
    ((undated,),) = cur.execute(
        f"SELECT count(*) FROM comments c WHERE {scope.where} AND c.created_at IS NULL",
        scope.params,
    ).fetchall()
    return int(undated)


def _check_segment_columns(columns: Sequence[str], reserved: Sequence[str] = ()) -> None:
    clash = [name for name in columns if name in _SCORE_COLUMNS or name in reserved]
    if clash or len(set(columns)) != len(columns):
        raise DataValidationError(
            f"segment columns must be distinct and not canonical score columns: {clash}"
        )
