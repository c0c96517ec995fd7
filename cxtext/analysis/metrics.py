"""Customer-experience metrics: NPS, CSAT, CES, ticket response times, churn.

Pure functions over the canonical frame (:mod:`cxtext.schema`); no I/O. Definitions follow
docs/architecture.md, "Metric definitions":

- NPS on 0-10: promoters 9-10, passives 7-8, detractors 0-6; NPS = %P - %D in [-100, 100];
  SE = 100 * sqrt((p + d - (p - d)^2) / n); 95% Wald interval NPS +- 1.96 SE; adjusted Wald
  adds 3 to n and 3/4 to P and to D.
- CSAT on 1-5 = share of 4 and 5, x100, in [0, 100] (the mean is reported apart).
- CES per declared scale (``schema.CES_SCALES``); scales are never mixed.
- Response times in calendar hours: mean, median and p90.
- Churn: customers lost among those present at the start of a period.

Table functions share one grouping contract: ``by`` names segment columns and ``period``
("day" | "week" | "month") buckets ``created_at`` (in UTC; weeks start on Monday) into a
``pandas.Period`` column named ``"period"``. Key columns come first, in that order, then the
metric columns; groups are sorted by their keys, segment values that are missing form their
own group, and groups with ``n == 0`` are dropped. Percentages are in points: NPS in
[-100, 100], shares in [0, 100]. Invalid answers raise :class:`DataValidationError`; answers
are never rescaled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.errors import ConfigError, DataValidationError

__all__ = [
    "CES_COLUMNS",
    "CHURN_COLUMNS",
    "CSAT_COLUMNS",
    "NPS_COLUMNS",
    "PERIODS",
    "PERIOD_COLUMN",
    "RESPONSE_TIME_COLUMNS",
    "Z95",
    "PeriodName",
    "ces_table",
    "churn_table",
    "csat_stats",
    "csat_table",
    "metrics_report",
    "nps_from_counts",
    "nps_stats",
    "nps_table",
    "response_time_table",
]

PeriodName = schema.PeriodName
PERIODS = schema.PERIODS
PERIOD_COLUMN: Final = "period"

Z95: Final = 1.96
"""Normal quantile of the 95% intervals (docs/architecture.md uses 1.96)."""

_ALL: Final = "__all__"  # constant group key when nothing is grouped
_CI_PAIRS: Final = ("nps_ci", "nps_ci_adjusted_wald", "csat_ci")

NPS_COLUMNS: Final[tuple[str, ...]] = (
    "n",
    "promoters",
    "passives",
    "detractors",
    "nps",
    "nps_se",
    "nps_ci_lo",
    "nps_ci_hi",
    "nps_adjusted",
    "nps_ci_adjusted_wald_lo",
    "nps_ci_adjusted_wald_hi",
    "n_missing_score",
)
CSAT_COLUMNS: Final[tuple[str, ...]] = (
    "n",
    "satisfied",
    "csat",
    "csat_se",
    "csat_ci_lo",
    "csat_ci_hi",
    "csat_mean",
)
CES_COLUMNS: Final[tuple[str, ...]] = (schema.CES_SCALE, "n", "easy", "ces_easy_share", "ces_mean")
RESPONSE_TIME_COLUMNS: Final[tuple[str, ...]] = (
    "metric",
    "n",
    "n_open",
    "mean_hours",
    "median_hours",
    "p90_hours",
)
CHURN_COLUMNS: Final[tuple[str, ...]] = (
    PERIOD_COLUMN,
    "customers_at_start",
    "lost",
    "churn_rate",
    "new_customers",
)


# --- scores -------------------------------------------------------------------------------


def _checked(values: Any, *, low: int, high: int, column: str) -> pd.Series:
    """Return answers as float64 (NaN where missing), refusing all but integers low-high."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    present = series.notna()
    kind = pd.api.types.infer_dtype(series[present], skipna=True)
    if kind not in {"integer", "floating", "mixed-integer-float", "empty"}:
        raise DataValidationError(
            f"expected integer answers {low}-{high}, got {kind} values", column=column
        )
    numbers = pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), index=series.index)
    bad = present & ~((numbers % 1 == 0) & numbers.between(low, high))
    if bad.any():
        examples = ", ".join(str(v) for v in series[bad].unique()[:5])
        raise DataValidationError(
            f"{int(bad.sum())} answer(s) are not integers {low}-{high} (e.g. {examples});"
            " other scales are refused, never rescaled",
            column=column,
        )
    return numbers


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]``, or an all-missing column when the frame has none."""
    if column in frame.columns:
        return frame[column]
    return pd.Series(np.nan, index=frame.index, dtype="float64")


def _source_mask(frame: pd.DataFrame, source: schema.Source) -> pd.Series:
    """Rows of one source; every row when the frame has no ``source`` column."""
    if schema.SOURCE not in frame.columns:
        return pd.Series(True, index=frame.index)
    return pd.Series(
        frame[schema.SOURCE].eq(source.value).to_numpy(dtype=bool, na_value=False),
        index=frame.index,
    )


# --- statistics from counts (vectorized over groups) --------------------------------------


def _se(variance: Any, n: Any) -> Any:
    """Standard error sqrt(variance / n); rounding noise below zero counts as zero."""
    return np.sqrt(np.maximum(variance, 0.0) / n)


def _total(parts: pd.DataFrame) -> pd.DataFrame:
    """One-row frame of column sums, each column keeping its own dtype."""
    return pd.DataFrame([{column: parts[column].sum() for column in parts.columns}])


def nps_stats_columns(counts: pd.DataFrame) -> pd.DataFrame:
    """Add NPS statistics to a frame of ``n``, ``promoters``, ``detractors`` counts."""
    n = counts["n"].to_numpy(dtype="float64")
    promoters = counts["promoters"].to_numpy(dtype="float64")
    detractors = counts["detractors"].to_numpy(dtype="float64")
    empty = n == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        p, d = promoters / n, detractors / n
        nps = 100 * (p - d)
        se = 100 * _se(p + d - (p - d) ** 2, n)
        n_adj = n + 3
        p_adj, d_adj = (promoters + 0.75) / n_adj, (detractors + 0.75) / n_adj
        nps_adj = 100 * (p_adj - d_adj)
        se_adj = 100 * _se(p_adj + d_adj - (p_adj - d_adj) ** 2, n_adj)
    nps_adj[empty] = np.nan
    se_adj[empty] = np.nan
    return counts.assign(
        nps=nps,
        nps_se=se,
        nps_ci_lo=np.clip(nps - Z95 * se, -100, 100),
        nps_ci_hi=np.clip(nps + Z95 * se, -100, 100),
        nps_adjusted=nps_adj,
        nps_ci_adjusted_wald_lo=np.clip(nps_adj - Z95 * se_adj, -100, 100),
        nps_ci_adjusted_wald_hi=np.clip(nps_adj + Z95 * se_adj, -100, 100),
    )


def _csat_stats_columns(counts: pd.DataFrame) -> pd.DataFrame:
    """Add CSAT statistics to a frame of ``n``, ``satisfied``, ``score_sum``."""
    n = counts["n"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = counts["satisfied"].to_numpy(dtype="float64") / n
        se = 100 * _se(share * (1 - share), n)
        mean = counts["score_sum"].to_numpy(dtype="float64") / n
    csat = 100 * share
    return counts.drop(columns="score_sum").assign(
        csat=csat,
        csat_se=se,
        csat_ci_lo=np.clip(csat - Z95 * se, 0, 100),
        csat_ci_hi=np.clip(csat + Z95 * se, 0, 100),
        csat_mean=mean,
    )


def _nps_counts(score: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n": score.notna(),
            "promoters": score >= 9,
            "passives": score.between(7, 8),
            "detractors": score <= 6,
        },
        index=score.index,
    )


def _csat_counts(score: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {"n": score.notna(), "satisfied": score >= 4, "score_sum": score.fillna(0)},
        index=score.index,
    )


# --- JSON-safe records --------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    """Plain Python value for JSON: NaN/NA/NaT -> None, numpy scalars -> Python, Period -> str."""
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe dict of a table row; ``X_lo``/``X_hi`` interval columns become ``X: [lo, hi]``."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        stem, suffix = key[:-3], key[-3:]
        if stem not in _CI_PAIRS or suffix not in ("_lo", "_hi"):
            out[key] = _json_safe(value)
        elif suffix == "_lo":
            out[stem] = [_json_safe(value), _json_safe(row[f"{stem}_hi"])]
    return out


def table_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a table as JSON-safe dicts (NaN -> None, numpy scalars -> Python)."""
    return [_record(row) for row in table.to_dict("records")]


# --- grouping -----------------------------------------------------------------------------


def _names(by: Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _period_series(frame: pd.DataFrame, period: str) -> pd.Series:
    """``created_at`` bucketed into UTC periods (weeks Monday-Sunday), named ``"period"``."""
    if period not in schema.PERIOD_FREQ:
        raise ConfigError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if schema.CREATED_AT not in frame.columns:
        raise DataValidationError(
            f"no {schema.CREATED_AT} column to bucket by {period}", column=schema.CREATED_AT
        )
    created = frame[schema.CREATED_AT]
    if created.isna().any():
        raise DataValidationError(
            f"{int(created.isna().sum())} row(s) have no {schema.CREATED_AT};"
            f" cannot bucket them by {period}",
            column=schema.CREATED_AT,
        )
    if getattr(created.dt, "tz", None) is not None:
        created = created.dt.tz_convert("UTC").dt.tz_localize(None)
    return created.dt.to_period(schema.PERIOD_FREQ[period]).rename(PERIOD_COLUMN)


def _group_keys(frame: pd.DataFrame, by: Sequence[str], period: str | None) -> list[pd.Series]:
    """Key series (segment columns, then the period) aligned with ``frame``."""
    names = _names(by)
    for name in names:
        if name not in frame.columns:
            raise DataValidationError(f"no column {name!r} to group by", column=name)
    keys = [frame[name] for name in names]
    if period is not None:
        keys.append(_period_series(frame, period))
    return keys


def _key_names(by: Sequence[str], period: str | None) -> list[str]:
    return _names(by) + ([PERIOD_COLUMN] if period is not None else [])


def _groupby(values: pd.DataFrame, keys: list[pd.Series]) -> Any:
    """Group ``values`` by ``keys`` (missing values kept as a group; one group when no keys)."""
    keys = keys or [pd.Series(0, index=values.index, name=_ALL)]
    return values.groupby(keys, dropna=False, sort=True, observed=True)


def _finish(table: pd.DataFrame, *, drop_empty: bool = True) -> pd.DataFrame:
    table = table.reset_index().drop(columns=_ALL, errors="ignore")
    if drop_empty:
        table = table.loc[table["n"] > 0]
    return table.reset_index(drop=True)


# --- NPS ----------------------------------------------------------------------------------


def nps_stats(scores: pd.Series | np.ndarray | Sequence[float | None]) -> dict[str, Any]:
    """NPS of 0-10 scores with its Wald and adjusted-Wald 95% intervals.

    Parameters
    ----------
    scores
        Integer answers 0-10, shape (n,). Missing values (None, NaN, NA) are skipped and not
        counted in ``n``.

    Returns
    -------
    dict
        JSON-safe: ``n``, ``promoters``, ``passives``, ``detractors`` (counts); ``nps`` in
        [-100, 100]; ``nps_se``; ``nps_ci`` ``[lo, hi]`` (Wald, NPS +- 1.96 SE, clipped to
        [-100, 100]); ``nps_adjusted`` and ``nps_ci_adjusted_wald`` ``[lo, hi]`` (n + 3,
        P + 3/4, D + 3/4). With ``n == 0`` every statistic is None.

    Raises
    ------
    DataValidationError
        When a score is not an integer 0-10 (e.g. 11, -1, 7.5, "9").
    """
    score = _checked(scores, low=schema.NPS_MIN, high=schema.NPS_MAX, column=schema.NPS_SCORE)
    counts = _total(_nps_counts(score))
    return table_records(nps_stats_columns(counts))[0]


def _nps_scores(frame: pd.DataFrame) -> pd.Series:
    return _checked(
        _column(frame, schema.NPS_SCORE),
        low=schema.NPS_MIN,
        high=schema.NPS_MAX,
        column=schema.NPS_SCORE,
    )


def nps_table(
    frame: pd.DataFrame, *, by: Sequence[str] = (), period: PeriodName | None = None
) -> pd.DataFrame:
    """NPS per group.

    Rows without a score are excluded from ``n`` and counted in ``n_missing_score``: survey
    rows (every row when the frame has no ``source`` column) with no ``nps_score``. Tickets
    without a score are not counted.

    Parameters
    ----------
    frame
        Canonical frame with ``nps_score`` (and ``created_at`` when ``period`` is given).
    by
        Segment columns to group by.
    period
        "day", "week" (Monday-Sunday) or "month" bucket of ``created_at`` in UTC.

    Returns
    -------
    DataFrame
        One row per group: key columns (``by``, then ``period``), then ``NPS_COLUMNS``:
        ``n``, ``promoters``, ``passives``, ``detractors``, ``nps``, ``nps_se``,
        ``nps_ci_lo``, ``nps_ci_hi``, ``nps_adjusted``, ``nps_ci_adjusted_wald_lo``,
        ``nps_ci_adjusted_wald_hi``, ``n_missing_score`` (see :func:`nps_stats`).
    """
    score = _nps_scores(frame)
    used = score.notna() | _source_mask(frame, schema.Source.SURVEY)
    sub, score = frame.loc[used], score.loc[used]
    counts = _nps_counts(score).assign(n_missing_score=score.isna())
    grouped = _groupby(counts, _group_keys(sub, by, period)).sum()
    return nps_from_counts(_finish(grouped, drop_empty=False), by=by, period=period)


def nps_from_counts(
    counts: pd.DataFrame, *, by: Sequence[str] = (), period: PeriodName | None = None
) -> pd.DataFrame:
    """:func:`nps_table` from counts per group (the key columns, ``n``, ``promoters``,
    ``passives``, ``detractors`` and ``n_missing_score``), such as the store counts them."""
    table = nps_stats_columns(counts)
    return table.loc[table["n"] > 0, [*_key_names(by, period), *NPS_COLUMNS]].reset_index(drop=True)


# --- CSAT ---------------------------------------------------------------------------------


def _csat_scores(scores: Any) -> pd.Series:
    return _checked(scores, low=schema.CSAT_MIN, high=schema.CSAT_MAX, column=schema.CSAT)


def csat_stats(scores: pd.Series | np.ndarray | Sequence[float | None]) -> dict[str, Any]:
    """CSAT: share of 4 and 5 on a 1-5 scale, x100, with a Wald 95% interval.

    Parameters
    ----------
    scores
        Integer answers 1-5, shape (n,); missing values are skipped.

    Returns
    -------
    dict
        JSON-safe: ``n``, ``satisfied`` (answers 4-5), ``csat`` in [0, 100], ``csat_se``
        (100 * sqrt(s (1 - s) / n)), ``csat_ci`` ``[lo, hi]`` (Wald interval for a proportion,
        +- 1.96 SE, clipped to [0, 100]; degenerate when every answer is on one side),
        ``csat_mean`` (mean answer on 1-5, given apart; it is not CSAT). None when n == 0.

    Raises
    ------
    DataValidationError
        When an answer is not an integer 1-5.
    """
    counts = _total(_csat_counts(_csat_scores(scores)))
    return table_records(_csat_stats_columns(counts))[0]


def csat_table(
    frame: pd.DataFrame, *, by: Sequence[str] = (), period: PeriodName | None = None
) -> pd.DataFrame:
    """CSAT per group (see :func:`csat_stats`); rows without ``csat`` are left out.

    Returns
    -------
    DataFrame
        Key columns (``by``, then ``period``), then ``CSAT_COLUMNS``: ``n``, ``satisfied``,
        ``csat``, ``csat_se``, ``csat_ci_lo``, ``csat_ci_hi``, ``csat_mean``.
    """
    score = _csat_scores(_column(frame, schema.CSAT))
    sub, score = frame.loc[score.notna()], score.dropna()
    table = _csat_stats_columns(_groupby(_csat_counts(score), _group_keys(sub, by, period)).sum())
    return _finish(table)[[*_key_names(by, period), *CSAT_COLUMNS]]


# --- CES ----------------------------------------------------------------------------------


def ces_table(
    frame: pd.DataFrame, *, by: Sequence[str] = (), period: PeriodName | None = None
) -> pd.DataFrame:
    """Customer Effort Score per group and declared scale; scales are never mixed.

    An answer is "easy" when it is ``>= top_from`` on a scale where higher is easier, and
    ``<= low + (high - top_from)`` on a reversed scale (``schema.CES_SCALES``). ``ces_mean``
    is the mean raw answer on the row's own scale (not reoriented).

    Returns
    -------
    DataFrame
        Key columns (``by``, then ``period``), then ``CES_COLUMNS``: ``ces_scale``, ``n``,
        ``easy`` (count), ``ces_easy_share`` (easy / n x100, in [0, 100]), ``ces_mean``.

    Raises
    ------
    DataValidationError
        When an answer has no declared scale, an unknown scale, or lies outside its scale.
    """
    scales = schema.CES_SCALES.values()
    answer = _checked(
        _column(frame, schema.CES),
        low=min(s.low for s in scales),
        high=max(s.high for s in scales),
        column=schema.CES,
    )
    sub, answer = frame.loc[answer.notna()], answer.dropna()
    scale = _column(sub, schema.CES_SCALE)
    if scale.isna().any():
        raise DataValidationError(
            f"{int(scale.isna().sum())} CES answer(s) have no declared {schema.CES_SCALE}",
            column=schema.CES_SCALE,
        )
    unknown = sorted(set(scale) - set(schema.CES_SCALES))
    if unknown:
        raise DataValidationError(
            f"unknown CES scale(s) {unknown}; known: {sorted(schema.CES_SCALES)}",
            column=schema.CES_SCALE,
        )

    def bound(attr: Callable[[schema.CesScale], int]) -> pd.Series:
        return scale.map({name: attr(s) for name, s in schema.CES_SCALES.items()}).astype(float)

    low, high = bound(lambda s: s.low), bound(lambda s: s.high)
    outside = ~answer.between(low, high)
    if outside.any():
        raise DataValidationError(
            f"{int(outside.sum())} CES answer(s) lie outside their declared scale",
            column=schema.CES,
        )
    easy_min = bound(lambda s: s.top_from if s.higher_is_easier else s.low)
    easy_max = bound(lambda s: s.high if s.higher_is_easier else s.low + s.high - s.top_from)
    counts = pd.DataFrame(
        {"n": True, "easy": (answer >= easy_min) & (answer <= easy_max), "score_sum": answer},
        index=sub.index,
    )
    keys = [*_group_keys(sub, by, period), scale.astype(str).rename(schema.CES_SCALE)]
    table = _groupby(counts, keys).sum()
    table = table.assign(
        ces_easy_share=100 * table["easy"] / table["n"],
        ces_mean=table["score_sum"] / table["n"],
    )
    return _finish(table)[[*_key_names(by, period), *CES_COLUMNS]]


# --- response times -----------------------------------------------------------------------


def _response_time_table(
    frame: pd.DataFrame, by: Sequence[str], period: str | None, *, drop_empty: bool
) -> pd.DataFrame:
    tickets = frame.loc[_source_mask(frame, schema.Source.TICKET)]
    ends: dict[str, tuple[str, pd.Series]] = {}
    if schema.FIRST_RESPONSE_AT in tickets.columns:
        ends["first_response"] = (schema.FIRST_RESPONSE_AT, tickets[schema.FIRST_RESPONSE_AT])
    if schema.RESOLVED_AT in tickets.columns:
        ends["resolution"] = (schema.RESOLVED_AT, tickets[schema.RESOLVED_AT])
    if schema.LAST_RESOLVED_AT in tickets.columns:
        last = tickets[schema.LAST_RESOLVED_AT]
        if schema.RESOLVED_AT in tickets.columns:
            last = last.fillna(tickets[schema.RESOLVED_AT])
        ends["resolution_last"] = (schema.LAST_RESOLVED_AT, last)
    key_names = _key_names(by, period)
    if tickets.empty or not ends:
        return pd.DataFrame(columns=[*key_names, *RESPONSE_TIME_COLUMNS])
    created = _column(tickets, schema.CREATED_AT)
    if created.isna().any():
        raise DataValidationError(
            f"{int(created.isna().sum())} ticket(s) have no {schema.CREATED_AT}",
            column=schema.CREATED_AT,
        )
    keys = _group_keys(tickets, by, period)
    tables = []
    for metric, (column, end) in ends.items():
        hours = (end - created).dt.total_seconds() / 3600
        if (hours < 0).any():
            raise DataValidationError(
                f"{int((hours < 0).sum())} ticket(s) have {column} before {schema.CREATED_AT}",
                column=column,
            )
        grouped = _groupby(pd.DataFrame({"hours": hours, "open": hours.isna()}), keys)
        table = grouped.agg(
            n=("hours", "count"),
            n_open=("open", "sum"),
            mean_hours=("hours", "mean"),
            median_hours=("hours", "median"),
        ).assign(p90_hours=grouped["hours"].quantile(0.9), metric=metric)
        tables.append(_finish(table, drop_empty=drop_empty))
    table = pd.concat(tables, ignore_index=True)
    if key_names:
        table = table.sort_values(key_names, kind="stable", ignore_index=True)
    return table[[*key_names, *RESPONSE_TIME_COLUMNS]]


def response_time_table(
    frame: pd.DataFrame, *, by: Sequence[str] = (), period: PeriodName | None = None
) -> pd.DataFrame:
    """Ticket response times in calendar hours per group.

    Tickets are rows with ``source == "ticket"`` (every row when there is no ``source``
    column). Metrics, each present when its column exists: ``first_response``
    (``first_response_at - created_at``), ``resolution`` (``resolved_at - created_at``, first
    solve) and ``resolution_last`` (``last_resolved_at - created_at``, the last solve of a
    reopened ticket; ``resolved_at`` for tickets never reopened). Tickets without the end
    time of a metric (open, not yet answered) are excluded from ``n`` and counted in
    ``n_open``. ``p90_hours`` is the 0.9 quantile with linear interpolation.

    Returns
    -------
    DataFrame
        Key columns (``by``, then ``period`` of ``created_at``), then
        ``RESPONSE_TIME_COLUMNS``: ``metric``, ``n``, ``n_open``, ``mean_hours``,
        ``median_hours``, ``p90_hours``; one row per group and metric.

    Raises
    ------
    DataValidationError
        When a duration is negative or a ticket has no ``created_at``.
    """
    return _response_time_table(frame, by, period, drop_empty=True)


# --- churn --------------------------------------------------------------------------------


def churn_table(
    frame: pd.DataFrame, *, by: Sequence[str] = (), period: PeriodName = "month"
) -> pd.DataFrame:
    """Customer churn per period from activity (``customer_id`` + ``created_at`` of any row).

    For each period P: customers at its start are the customers with activity in P-1; lost
    are those of them with no activity in P or any later period; churn rate = lost /
    customers at start x100. New customers (first activity in P) are excluded from both and
    reported apart. Periods run up to the last period with any activity in the frame; periods
    with no customers at start are dropped. Near the end of the data "lost" is provisional
    (a customer may come back later) and the last period may be partial. With ``by``, churn
    is computed within each segment from that segment's rows only. Rows without
    ``customer_id`` are ignored.

    Returns
    -------
    DataFrame
        Segment columns (``by``), then ``CHURN_COLUMNS``: ``period``, ``customers_at_start``
        (the n of the cell), ``lost``, ``churn_rate`` (in [0, 100]), ``new_customers``.
    """
    if schema.CUSTOMER_ID not in frame.columns:
        raise DataValidationError(
            f"churn needs a {schema.CUSTOMER_ID} column", column=schema.CUSTOMER_ID
        )
    segments = _names(by)
    active = frame.loc[frame[schema.CUSTOMER_ID].notna()]
    keys = [*_group_keys(active, segments, period), active[schema.CUSTOMER_ID]]
    pairs = pd.concat(keys, axis=1).drop_duplicates()
    if pairs.empty:
        return pd.DataFrame(columns=[*segments, *CHURN_COLUMNS])
    spans = (
        pairs.groupby([*segments, schema.CUSTOMER_ID], dropna=False, observed=True)[PERIOD_COLUMN]
        .agg(["min", "max"])
        .reset_index()
    )

    def count(rows: pd.DataFrame, periods: pd.Series) -> pd.Series:
        cells = rows[segments].assign(**{PERIOD_COLUMN: periods})
        return cells.groupby([*segments, PERIOD_COLUMN], dropna=False, observed=True).size()

    table = (
        pd.concat(
            {
                "customers_at_start": count(pairs, pairs[PERIOD_COLUMN] + 1),
                "lost": count(spans, spans["max"] + 1),
                "new_customers": count(spans, spans["min"]),
            },
            axis=1,
        )
        .fillna(0)
        .astype("int64")
        .reset_index()
    )
    table = table.loc[
        (table[PERIOD_COLUMN] <= pairs[PERIOD_COLUMN].max()) & (table["customers_at_start"] > 0)
    ]
    table = table.assign(churn_rate=100 * table["lost"] / table["customers_at_start"])
    return table.sort_values([*segments, PERIOD_COLUMN], ignore_index=True)[
        [*segments, *CHURN_COLUMNS]
    ]


# --- report -------------------------------------------------------------------------------


def metrics_report(
    frame: pd.DataFrame, *, by: Sequence[str] = (), period: PeriodName | None = None
) -> dict[str, Any]:
    """JSON-ready metrics for ``cxtext metrics --json``.

    Returns
    -------
    dict
        ``{"overall": {...}, "groups": [...]}`` with plain Python values only (None for
        undefined statistics). ``overall`` holds :func:`nps_stats` of every score plus
        ``n_missing_score``; ``"csat"`` (:func:`csat_stats`) when CSAT answers exist;
        ``"ces"`` (rows of :func:`ces_table`, one per scale) when CES answers exist;
        ``"response_times"`` (``{metric: {n, n_open, mean_hours, median_hours, p90_hours}}``,
        calendar hours) when there are tickets and ticket time columns. ``groups`` holds one
        dict per :func:`nps_table` row (keys, ``period`` as a string, NPS statistics with
        ``[lo, hi]`` intervals); empty without ``by`` and ``period``.
    """
    score = _nps_scores(frame)
    overall = nps_stats(score)
    missing = score.isna() & _source_mask(frame, schema.Source.SURVEY)
    overall["n_missing_score"] = int(missing.sum())
    if _column(frame, schema.CSAT).notna().any():
        overall["csat"] = csat_stats(frame[schema.CSAT])
    if _column(frame, schema.CES).notna().any():
        overall["ces"] = table_records(ces_table(frame))
    times = _response_time_table(frame, (), None, drop_empty=False)
    if not times.empty:
        overall["response_times"] = {
            row["metric"]: {k: v for k, v in row.items() if k != "metric"}
            for row in table_records(times)
        }
    groups = table_records(nps_table(frame, by=by, period=period)) if (by or period) else []
    return {"overall": overall, "groups": groups}
