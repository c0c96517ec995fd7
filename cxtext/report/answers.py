"""What the API, the dashboard and the HTML report answer, over a store cursor: plain
functions returning JSON-safe dicts, no web framework.

Counts come from SQL aggregations in :mod:`cxtext.store.queries`; the statistics from
the pure functions of :mod:`cxtext.analysis` (impact with its interval, emerging themes,
metrics), so the API, the report and the CLI give the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.analysis.drivers import IMPACT_METHOD, theme_impact
from cxtext.analysis.metrics import (
    ces_table,
    csat_stats,
    csat_table,
    nps_from_counts,
    nps_stats_columns,
    response_time_table,
    table_records,
)
from cxtext.analysis.trends import emerging_from_counts
from cxtext.errors import ConfigError
from cxtext.store import (
    Filters,
    nps_counts,
    period_theme_counts,
    score_rows,
    theme_counts,
    theme_detail,
    undated_comments,
)
from cxtext.store.queries import (
    ANY_MODEL,
    Level,
    Period,
    comments_page,
    facets,
    recent_filters,
    resolve_model,
    segment_theme_counts,
)

GROUPS = ("detractors", "passives", "promoters")


def filters(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    source: str | None = None,
    language: str | None = None,
    segment: Sequence[str] = (),
) -> Filters:
    """Filters from query parameters; ``segment`` items are ``name:value``."""
    segments = {}
    for item in segment:
        name, sep, value = item.partition(":")
        if not sep or not name:
            raise ConfigError(f"segment filter {item!r}: expected name:value")
        segments[name] = value
    return Filters(
        date_from=date_from, date_to=date_to, source=source, language=language, segments=segments
    )


def _impacts(themes: pd.DataFrame, totals: dict[str, int] | pd.DataFrame) -> pd.DataFrame:
    """Theme counts plus n, NPS, share and impact with its interval."""
    out = themes.copy()
    out["n"] = out[list(GROUPS)].sum(axis=1)
    out["nps"] = nps_stats_columns(out)["nps"].to_numpy()
    impact = theme_impact(out[list(GROUPS)], totals)
    for column in ("impact", "impact_ci_lo", "impact_ci_hi"):
        out[column] = impact[column].to_numpy()
    out["significant"] = impact["significant"].to_numpy()
    return out


def _theme_record(row: dict[str, Any], comments: int) -> dict[str, Any]:
    return {
        "theme_id": int(row["theme_id"]),
        "label": row.get("label"),
        "volume": int(row["volume"]),
        "share": round(100 * row["volume"] / comments, 3) if comments else None,
        "sentiment": row["sentiment"],
        "n": int(row["n"]),
        "detractors": int(row["detractors"]),
        "passives": int(row["passives"]),
        "promoters": int(row["promoters"]),
        "nps": row["nps"],
        "impact": row["impact"],
        "impact_ci": [row["impact_ci_lo"], row["impact_ci_hi"]],
        "significant": row["significant"],
        "unscored": int(row["unscored"]),
        "stability": row.get("stability"),
    }


def _overall(totals: dict[str, int]) -> dict[str, Any]:
    counts = pd.DataFrame([{g: totals[g] for g in GROUPS}])
    counts["n"] = counts.sum(axis=1)
    stats = table_records(nps_stats_columns(counts))[0]
    return {"comments": totals["comments"], **{k: stats[k] for k in ("n", *GROUPS, "nps")}}


def model_of(flt: Filters) -> str | None:
    """``name/version`` of the model scope of resolved filters (:func:`resolve_model`),
    None when no model is active."""
    return None if flt.model in (None, ANY_MODEL) else f"{flt.model}/{flt.version}"


def themes(
    cur: duckdb.DuckDBPyConnection,
    flt: Filters,
    *,
    level: Level = "theme",
    period: Period = "week",
    periods: int = 4,
) -> dict[str, Any]:
    """Themes with volume, share, sentiment, NPS, impact and the share trend of the last
    ``periods`` periods."""
    flt = resolve_model(cur, flt)
    counts, totals = theme_counts(cur, flt, level=level)
    table = _impacts(counts, totals)
    trend = _recent_shares(cur, flt, level=level, period=period, periods=periods)
    records = []
    for row in table_records(table):
        record = _theme_record(row, totals["comments"])
        record["trend"] = trend.get(record["theme_id"], [])
        records.append(record)
    return {
        "model": model_of(flt),
        "level": level,
        "overall": _overall(totals),
        "themes": records,
        "method": IMPACT_METHOD,
    }


def _recent_shares(
    cur: duckdb.DuckDBPyConnection, flt: Filters, *, level: Level, period: Period, periods: int
) -> dict[int, list[dict[str, Any]]]:
    recent_only = recent_filters(cur, flt, period=period, periods=periods)
    counts, totals = period_theme_counts(cur, recent_only, period=period, level=level)
    recent = sorted(totals["period"].unique())[-periods:]
    if counts.empty or not recent:
        return {}
    column = {p: k for k, p in enumerate(recent)}
    theme_ids = sorted(int(t) for t in counts["theme_id"].unique())
    row = {t: k for k, t in enumerate(theme_ids)}
    volume = np.zeros((len(theme_ids), len(recent)), np.int64)
    for p, t, v in zip(counts["period"], counts["theme_id"], counts["volume"], strict=True):
        if p in column:
            volume[row[int(t)], column[p]] += int(v)
    comments = totals.set_index("period")["comments"].reindex(recent).to_numpy(dtype=float)
    share = 100 * volume / comments
    labels = [str(p) for p in recent]
    return {
        theme_id: [
            {"period": label, "volume": int(v), "share": round(float(sh), 3)}
            for label, v, sh in zip(labels, volume[k], share[k], strict=True)
        ]
        for k, theme_id in enumerate(theme_ids)
    }


def drivers(
    cur: duckdb.DuckDBPyConnection, flt: Filters, *, level: Level = "theme", top: int = 10
) -> dict[str, Any]:
    """Ranked drivers of detraction (most negative impact first) and of promotion."""
    flt = resolve_model(cur, flt)
    counts, totals = theme_counts(cur, flt, level=level)
    table = _impacts(counts, totals)
    records = [_theme_record(r, totals["comments"]) for r in table_records(table)]
    scored = [r for r in records if r["impact"] is not None]
    return {
        "model": model_of(flt),
        "level": level,
        "overall": _overall(totals),
        "detraction": sorted((r for r in scored if r["impact"] < 0), key=lambda r: r["impact"])[
            :top
        ],
        "promotion": sorted((r for r in scored if r["impact"] > 0), key=lambda r: -r["impact"])[
            :top
        ],
        "method": IMPACT_METHOD,
    }


def theme(
    cur: duckdb.DuckDBPyConnection,
    flt: Filters,
    theme_id: int,
    *,
    level: Level = "theme",
    by: str | None = None,
    period: Period = "week",
    periods: int = 8,
) -> dict[str, Any] | None:
    """One theme: label, keywords per language, representatives, sub-themes, trend, and
    its counts by NPS group and (``by``) by segment value. None when unknown."""
    flt = resolve_model(cur, flt)
    if flt.model == ANY_MODEL or flt.model is None or flt.version is None:
        return None
    detail = theme_detail(cur, flt.model, flt.version, theme_id, level)
    if detail is None:
        return None
    counts, totals = theme_counts(cur, flt, level=level)
    row = counts[counts["theme_id"] == theme_id]
    summary = (
        _theme_record(table_records(_impacts(row, totals))[0], totals["comments"])
        if len(row)
        else None
    )
    trend = _recent_shares(cur, flt, level=level, period=period, periods=periods)
    detail |= {
        "summary": summary,
        "trend": trend.get(theme_id, []),
        "by_nps_group": {g: (summary or {}).get(g, 0) for g in GROUPS}
        | {"unscored": (summary or {}).get("unscored", 0)},
    }
    if by:
        detail["by_segment"] = _by_segment(cur, flt, theme_id, level=level, segment=by)
    return detail


def _by_segment(
    cur: duckdb.DuckDBPyConnection, flt: Filters, theme_id: int, *, level: Level, segment: str
) -> list[dict[str, Any]]:
    frame = segment_theme_counts(cur, flt, segment, theme_id, level=level)
    theme = frame[["theme_detractors", "theme_passives", "theme_promoters"]].set_axis(
        list(GROUPS), axis=1
    )
    theme["n"] = theme.sum(axis=1)
    nps = nps_stats_columns(theme)["nps"].to_numpy()
    impact = theme_impact(theme[list(GROUPS)], frame[list(GROUPS)])["impact"].to_numpy()
    out = []
    for k, row in enumerate(frame.itertuples(index=False)):
        comments, volume = int(row.comments), int(row.volume)
        record: dict[str, Any] = {
            "value": row.value,
            "comments": comments,
            "volume": volume,
            "share": round(100 * volume / comments, 3) if comments else None,
        }
        if volume:
            record |= {"nps": _float(nps[k]), "impact": _float(impact[k])}
        out.append(record)
    return out


def _float(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def trends(
    cur: duckdb.DuckDBPyConnection, flt: Filters, *, level: Level = "theme", period: Period = "week"
) -> dict[str, Any]:
    """Per period and theme: volume, share, sentiment, NPS and impact with its interval."""
    flt = resolve_model(cur, flt)
    counts, totals = period_theme_counts(cur, flt, period=period, level=level)
    # Each row beside its period's totals, for one vectorised impact computation.
    per_row = totals.set_index("period").loc[counts["period"]]
    table = _impacts(counts, per_row[list(GROUPS)].reset_index(drop=True))
    rows = [
        {"period": str(row["period"])} | _theme_record(row, int(comments))
        for row, comments in zip(table_records(table), per_row["comments"], strict=True)
    ]
    return {"model": model_of(flt), "level": level, "period": period, "rows": rows}


def emerging(
    cur: duckdb.DuckDBPyConnection,
    flt: Filters,
    *,
    level: Level = "theme",
    period: Period = "week",
    window: int = 4,
    alpha: float = 0.05,
    min_count: int = 5,
) -> dict[str, Any]:
    """Themes rising in the latest period (see :func:`emerging_from_counts`)."""
    flt = resolve_model(cur, flt)
    counts, totals = period_theme_counts(cur, flt, period=period, level=level)
    table = emerging_from_counts(
        counts.pivot_table(
            index="theme_id", columns="period", values="volume", aggfunc="sum", fill_value=0
        ),
        totals.set_index("period")["comments"],
        counts.groupby("theme_id")["label"].first(),
        period=period,
        window=window,
        alpha=alpha,
        min_count=min_count,
    )
    return {
        "model": model_of(flt),
        "period": period,
        "window": window,
        "themes": table_records(table),
        "method": "one-sided z test of the latest period's share against the pooled share of "
        "the trailing periods, over-dispersion from those periods (quasi-binomial), "
        "Benjamini-Hochberg adjusted",
    }


def metrics(
    cur: duckdb.DuckDBPyConnection,
    flt: Filters,
    kind: str,
    *,
    by: Sequence[str] = (),
    period: Period | None = None,
) -> dict[str, Any]:
    """NPS, CSAT, CES or ticket response times overall, by segment and by period (the CLI's
    metrics tables). NPS and CSAT give one overall record; CES one per declared scale,
    response times one per metric (first response, resolution). Undated comments count
    in the overall and segment figures and in no period; ``n_undated`` says how many."""
    flt = resolve_model(cur, flt)
    figures = _nps_figures if kind == "nps" else _score_row_figures
    overall, groups, undated = figures(cur, flt, kind, by, period)
    return {
        "model": model_of(flt),
        "metric": kind,
        "overall": overall,
        "groups": groups,
        "n_undated": undated,
    }


_Figures = tuple[dict[str, Any] | list[dict[str, Any]], list[dict[str, Any]], int]


def _nps_figures(
    cur: duckdb.DuckDBPyConnection,
    flt: Filters,
    kind: str,
    by: Sequence[str],
    period: Period | None,
) -> _Figures:
    """The NPS from counts the store aggregates, without moving its rows."""
    total = nps_counts(cur, flt)[["n", "promoters", "passives", "detractors"]]
    overall = table_records(nps_stats_columns(total))[0]
    groups = (
        table_records(nps_from_counts(nps_counts(cur, flt, by, period), by=by, period=period))
        if by or period
        else []
    )
    return overall, groups, undated_comments(cur, flt)


def _score_row_figures(
    cur: duckdb.DuckDBPyConnection,
    flt: Filters,
    kind: str,
    by: Sequence[str],
    period: Period | None,
) -> _Figures:
    """CSAT, CES or response times from the filtered comments' score rows."""
    frame = score_rows(cur, flt, list(by))
    undated = frame[schema.CREATED_AT].isna().to_numpy()
    table_of = {
        "csat": csat_table,
        "ces": ces_table,
        "response-times": response_time_table,
    }[kind]
    overall = csat_stats(frame["csat"]) if kind == "csat" else table_records(table_of(frame))
    groups = (
        table_records(table_of(frame[~undated] if period else frame, by=by, period=period))
        if by or period
        else []
    )
    return overall, groups, int(undated.sum())


def comments(cur: duckdb.DuckDBPyConnection, flt: Filters, **options: Any) -> dict[str, Any]:
    """A page of comments (PII redacted at ingestion) and the cursor of the next one."""
    flt = resolve_model(cur, flt)
    rows, next_cursor = comments_page(cur, flt, **options)
    return {"comments": rows, "next_cursor": next_cursor}


def filter_options(cur: duckdb.DuckDBPyConnection, flt: Filters) -> dict[str, Any]:
    """What the active model's comments can be filtered by (:func:`facets`)."""
    flt = resolve_model(cur, flt)
    return {"model": model_of(flt)} | facets(cur, flt)
