"""Differences of a metric between two samples, segments or periods, with 95% Wald
intervals: NPS_a - NPS_b and CSAT_a - CSAT_b of independent samples, SE = sqrt(SE_a^2 +
SE_b^2) (docs/architecture.md, "Metric definitions")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.analysis.metrics import (
    PERIOD_COLUMN,
    Z95,
    PeriodName,
    _column,
    _group_keys,
    _json_safe,
    _period_series,
    csat_stats,
    nps_stats,
)
from cxtext.errors import ConfigError

__all__ = ["compare", "csat_difference", "nps_difference"]


def _difference(stats_a: dict[str, Any], stats_b: dict[str, Any], value: str) -> dict[str, Any]:
    se_key = f"{value}_se"
    out: dict[str, Any] = {
        "n_a": stats_a["n"],
        "n_b": stats_b["n"],
        f"{value}_a": stats_a[value],
        f"{value}_b": stats_b[value],
        "diff": None,
        "diff_se": None,
        "diff_ci": [None, None],
        "excludes_zero": None,
    }
    if stats_a["n"] and stats_b["n"]:
        diff = stats_a[value] - stats_b[value]
        se = math.hypot(stats_a[se_key], stats_b[se_key])
        lo, hi = diff - Z95 * se, diff + Z95 * se
        out.update(diff=diff, diff_se=se, diff_ci=[lo, hi], excludes_zero=lo > 0 or hi < 0)
    return out


def nps_difference(
    scores_a: pd.Series | np.ndarray | Sequence[float | None],
    scores_b: pd.Series | np.ndarray | Sequence[float | None],
) -> dict[str, Any]:
    """Difference NPS_a - NPS_b of two independent samples, with a 95% Wald interval.

    Returns
    -------
    dict
        JSON-safe: ``n_a``, ``n_b``, ``nps_a``, ``nps_b``, ``diff`` (NPS points),
        ``diff_se`` = sqrt(SE_a^2 + SE_b^2), ``diff_ci`` ``[lo, hi]`` (diff +- 1.96 SE),
        ``excludes_zero`` (bool). Statistics are None when either sample is empty.
    """
    return _difference(nps_stats(scores_a), nps_stats(scores_b), "nps")


def csat_difference(
    scores_a: pd.Series | np.ndarray | Sequence[float | None],
    scores_b: pd.Series | np.ndarray | Sequence[float | None],
) -> dict[str, Any]:
    """Difference CSAT_a - CSAT_b (points) of two independent samples, 95% Wald interval.

    Returns
    -------
    dict
        Keys as :func:`nps_difference` with ``csat_a`` and ``csat_b``.
    """
    return _difference(csat_stats(scores_a), csat_stats(scores_b), "csat")


def compare(
    frame: pd.DataFrame,
    *,
    a: Any,
    b: Any,
    column: str | None = None,
    period: PeriodName | None = None,
    metric: Literal["nps", "csat"] = "nps",
) -> dict[str, Any]:
    """Compare a metric between two segments or two periods of a frame.

    Parameters
    ----------
    frame
        Canonical frame.
    a, b
        Values of ``column`` (two segments), or two period labels such as ``"2024-05"``,
        ``"2024-05-06"`` or ``pandas.Period`` objects when ``period`` is given.
    column, period
        Exactly one: the segment column, or the period ("day" | "week" | "month").
    metric
        "nps" or "csat".

    Returns
    -------
    dict
        :func:`nps_difference` / :func:`csat_difference` of a minus b, plus ``metric``,
        ``column`` (the column name or ``"period"``), ``a`` and ``b``.
    """
    if (column is None) == (period is None):
        raise ConfigError("compare needs exactly one of column= or period=")
    if metric not in ("nps", "csat"):
        raise ConfigError(f"metric must be 'nps' or 'csat', not {metric!r}")
    values = _column(frame, schema.NPS_SCORE if metric == "nps" else schema.CSAT)
    rows, values = frame.loc[values.notna()], values.dropna()
    if period is not None:
        labels = _period_series(rows, period)
        a, b = (
            pd.Period(a, freq=schema.PERIOD_FREQ[period]),
            pd.Period(b, freq=schema.PERIOD_FREQ[period]),
        )
    else:
        labels = _group_keys(rows, [str(column)], None)[0]
    picked = [labels.eq(x).to_numpy(dtype=bool, na_value=False) for x in (a, b)]
    difference = nps_difference if metric == "nps" else csat_difference
    result = difference(values.loc[picked[0]], values.loc[picked[1]])
    return {
        "metric": metric,
        "column": column if column is not None else PERIOD_COLUMN,
        "a": _json_safe(a),
        "b": _json_safe(b),
        **result,
    }
