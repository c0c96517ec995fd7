"""Themes over time and across segments: trends, emerging themes, segment comparisons.

Pure functions over a tagged frame (see :mod:`cxtext.analysis.drivers`); no I/O. Periods
follow :mod:`cxtext.analysis.metrics`: ``created_at`` bucketed in UTC by "day", "week"
(Monday to Sunday) or "month" into a ``pandas.Period`` column ``"period"``. Shares are in
points [0, 100]; NPS values and differences in NPS points.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
from scipy import stats

from cxtext import schema
from cxtext.analysis.drivers import LevelName, drivers_table, ratio, tally
from cxtext.analysis.metrics import (
    PERIOD_COLUMN,
    Z95,
    PeriodName,
    _period_series,
    nps_stats_columns,
)
from cxtext.errors import ConfigError, DataValidationError

__all__ = [
    "EMERGING_COLUMNS",
    "SEGMENT_COLUMNS",
    "TREND_COLUMNS",
    "emerging_from_counts",
    "emerging_themes",
    "segment_comparison",
    "theme_trends",
]

TREND_COLUMNS: Final[tuple[str, ...]] = (
    PERIOD_COLUMN,
    "theme_id",
    "theme_label",
    "volume",
    "share",
    "sentiment",
    "n",
    "nps",
    "impact",
    "impact_ci_lo",
    "impact_ci_hi",
)
EMERGING_COLUMNS: Final[tuple[str, ...]] = (
    "theme_id",
    "theme_label",
    "latest_period",
    "count",
    "n_latest",
    "share",
    "baseline_share",
    "ratio",
    "z",
    "p_value",
    "p_adjusted",
    "phi",
    "emerging",
    "new",
)
SEGMENT_COLUMNS: Final[tuple[str, ...]] = (
    "theme_id",
    "theme_label",
    "comments",
    "volume",
    "share",
    "comments_rest",
    "volume_rest",
    "share_rest",
    "share_diff",
    "share_diff_ci_lo",
    "share_diff_ci_hi",
    "share_excludes_zero",
    "n",
    "nps",
    "n_rest",
    "nps_rest",
    "nps_diff",
    "nps_diff_ci_lo",
    "nps_diff_ci_hi",
    "nps_excludes_zero",
)


def _dated(frame: pd.DataFrame, period: str) -> tuple[pd.DataFrame, int]:
    """Rows with a ``created_at``, with their ``period`` column; and how many had none."""
    if schema.CREATED_AT not in frame.columns:
        raise DataValidationError(
            f"no {schema.CREATED_AT} column to bucket by {period}", column=schema.CREATED_AT
        )
    undated = frame[schema.CREATED_AT].isna()
    dated = frame.loc[~undated]
    return dated.assign(**{PERIOD_COLUMN: _period_series(dated, period)}), int(undated.sum())


def theme_trends(
    frame: pd.DataFrame, *, period: PeriodName = "week", level: LevelName = "theme"
) -> pd.DataFrame:
    """Volume, share, sentiment, NPS and impact of each theme per period.

    Parameters
    ----------
    frame
        Tagged frame with ``created_at``.
    period
        "day", "week" (Monday-Sunday) or "month", in UTC.
    level
        "theme" or "parent".

    Returns
    -------
    DataFrame
        One row per period and theme mentioned in it, sorted by period and ``theme_id``:
        ``TREND_COLUMNS``. ``share`` is 100 * volume / the period's comments; ``sentiment``
        the mean of the theme's clause sentiments; ``n``, ``nps`` its respondents; ``impact``
        and its 95% interval computed within the period
        (:func:`cxtext.analysis.drivers.theme_impact`). Rows without ``created_at`` are left
        out and counted in ``attrs["undated"]``.
    """
    dated, undated = _dated(frame, period)
    table = drivers_table(dated, level=level, by=[PERIOD_COLUMN])
    table = table.sort_values([PERIOD_COLUMN, "theme_id"], ignore_index=True)[list(TREND_COLUMNS)]
    table.attrs["undated"] = undated
    return table


def emerging_themes(
    frame: pd.DataFrame,
    *,
    period: PeriodName = "week",
    window: int = 4,
    alpha: float = 0.05,
    min_count: int = 5,
    level: LevelName = "theme",
) -> pd.DataFrame:
    """Themes whose share of comments in the latest period rose above their recent baseline.

    The latest period (the last one with dated comments) is compared with the ``window``
    periods before it; of those, the k periods holding comments form the baseline. For each
    theme with x_i mentions among n_i comments in baseline period i:

    - baseline share p0 = sum x_i / sum n_i (pooled);
    - over-dispersion (quasi-binomial) phi = max(1, X^2 / (k - 1)), X^2 the Pearson
      chi-square sum (x_i - n_i p0)^2 / (n_i p0 (1 - p0)) of the baseline periods (terms
      with p0 in {0, 1} count 0), so that a theme whose share swings from period to period
      needs a larger jump;
    - one-sided z test of the latest share p1 = x1 / n1 against p0:
      z = (p1 - p0) / sqrt(phi p0 (1 - p0) / n1), p = 1 - Phi(z) (with p0 = 0 any mention
      gives z = inf and p = 0);
    - p-values adjusted across the tested themes with Benjamini-Hochberg.

    ``emerging`` = adjusted p < ``alpha`` and x1 >= ``min_count``. ``new`` = no mention in the
    baseline and x1 >= ``min_count`` (new themes are emerging too).

    Parameters
    ----------
    frame
        Tagged frame with ``created_at``; undated rows are left out.
    period
        "day", "week" (Monday-Sunday) or "month", in UTC.
    window
        Periods before the latest that form the baseline (at least 2).
    alpha
        False discovery rate.
    min_count
        Mentions the latest period needs for a theme to be flagged.
    level
        "theme" or "parent".

    Returns
    -------
    DataFrame
        One row per theme mentioned in the baseline or the latest period:
        ``EMERGING_COLUMNS`` (``share``, ``baseline_share`` in points, ``ratio`` = share /
        baseline share, NaN for a zero baseline). Emerging themes first, then by p-value.

    Raises
    ------
    DataValidationError
        When fewer than 2 baseline periods hold comments.
    ConfigError
        When ``window`` < 2.
    """
    dated, _ = _dated(frame, period)
    comments = dated.groupby(PERIOD_COLUMN).size()
    themes, _ = tally(dated, level, [PERIOD_COLUMN])
    counts = themes.pivot_table(
        index="theme_id", columns=PERIOD_COLUMN, values="volume", aggfunc="sum", fill_value=0
    )
    labels = themes.groupby("theme_id")["theme_label"].first()
    return emerging_from_counts(
        counts, comments, labels, period=period, window=window, alpha=alpha, min_count=min_count
    )


def emerging_from_counts(
    counts: pd.DataFrame,
    comments: pd.Series,
    labels: pd.Series,
    *,
    period: PeriodName = "week",
    window: int = 4,
    alpha: float = 0.05,
    min_count: int = 5,
) -> pd.DataFrame:
    """:func:`emerging_themes` from counts (e.g. aggregated by a database).

    Parameters
    ----------
    counts
        Mentions per theme (index ``theme_id``) and period (columns, ``pandas.Period``).
    comments
        Comments per period (index ``pandas.Period``).
    labels
        Theme label by theme id.
    """
    if window < 2:
        raise ConfigError(f"window must be at least 2 periods, not {window}")
    latest = comments.index.max() if len(comments) else None
    baseline = (
        comments.reindex([latest - k for k in range(window, 0, -1)], fill_value=0)
        if latest is not None
        else comments
    )
    baseline = baseline.loc[baseline > 0]
    if len(baseline) < 2:
        raise DataValidationError(
            f"emerging themes compare the latest {period} with the {window} before it and need"
            f" comments in at least 2 of those; found {len(baseline)}",
            column=schema.CREATED_AT,
        )
    counts = counts.reindex(columns=[*baseline.index, latest], fill_value=0)
    counts = counts.loc[counts.sum(axis=1) > 0]
    x = counts[list(baseline.index)].to_numpy(dtype="float64")
    n = baseline.to_numpy(dtype="float64")
    x1, n1 = counts[latest].to_numpy(dtype="float64"), float(comments[latest])
    p0, p1 = x.sum(axis=1) / n.sum(), x1 / n1
    variance = p0 * (1 - p0)
    chi2 = ratio((x - np.outer(p0, n)) ** 2, np.outer(variance, n))
    phi = np.maximum(1.0, np.nan_to_num(chi2).sum(axis=1) / (len(baseline) - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(p1 == p0, 0.0, (p1 - p0) / np.sqrt(phi * variance / n1))
    p_value = stats.norm.sf(z)
    p_adjusted = stats.false_discovery_control(p_value, method="bh") if len(z) else p_value
    new = (x.sum(axis=1) == 0) & (x1 >= min_count)
    table = pd.DataFrame(
        {
            "theme_id": counts.index.to_numpy(),
            "theme_label": labels.reindex(counts.index).to_numpy(),
            "latest_period": latest,
            "count": x1.astype("int64"),
            "n_latest": int(n1),
            "share": 100 * p1,
            "baseline_share": 100 * p0,
            "ratio": ratio(p1, p0),
            "z": z,
            "p_value": p_value,
            "p_adjusted": p_adjusted,
            "phi": phi,
            "emerging": ((p_adjusted < alpha) & (x1 >= min_count)) | new,
            "new": new,
        }
    )
    return table.sort_values(
        ["emerging", "p_value", "theme_id"], ascending=[False, True, True], ignore_index=True
    )


def segment_comparison(
    frame: pd.DataFrame, *, segment: str, level: LevelName = "theme"
) -> pd.DataFrame:
    """Each theme in each segment against the rest of the frame: share and NPS.

    For segment value s and theme t, "rest" is every row whose ``segment`` is not s
    (missing values form their own segment).

    - Share: 100 * x_s / n_s (theme mentions among the segment's comments) against the same
      in the rest; difference with a 95% Wald interval for two independent proportions,
      diff +- 1.96 * 100 sqrt(p_s (1 - p_s) / n_s + p_r (1 - p_r) / n_r).
    - NPS of the theme's respondents in s against the theme's respondents in the rest, as
      :func:`cxtext.analysis.differences.nps_difference`: diff +- 1.96 sqrt(SE_s^2 + SE_r^2) with
      Wald SEs.

    Parameters
    ----------
    frame
        Tagged frame.
    segment
        Segment column, e.g. ``"country"``.
    level
        "theme" or "parent".

    Returns
    -------
    DataFrame
        One row per segment value x theme (every theme of the frame, also where the segment
        has no mention), sorted by both: ``segment``, then ``SEGMENT_COLUMNS``. ``*_excludes_zero``
        (nullable boolean) flags intervals that exclude 0; statistics are NaN / NA when a side
        has no comments or no respondents.
    """
    themes, totals = tally(frame, level, [segment])
    overall, overall_totals = tally(frame, level, [])
    counts = ["volume", "n", "promoters", "passives", "detractors"]
    grid = (
        totals[[segment, "comments"]]
        .merge(overall[["theme_id", "theme_label"]], how="cross")
        .merge(themes[[segment, "theme_id", *counts]], on=[segment, "theme_id"], how="left")
        .fillna(dict.fromkeys(counts, 0))
        .astype(dict.fromkeys(counts, "int64"))
    )
    rest = overall.set_index("theme_id").loc[grid["theme_id"], counts].to_numpy() - grid[counts]
    grid["comments_rest"] = int(overall_totals["comments"].sum()) - grid["comments"]
    grid["volume_rest"], grid["n_rest"] = rest["volume"], rest["n"]

    p_s = ratio(grid["volume"], grid["comments"])
    p_r = ratio(grid["volume_rest"], grid["comments_rest"])
    with np.errstate(invalid="ignore"):
        share_se = 100 * np.sqrt(
            p_s * (1 - p_s) / grid["comments"] + p_r * (1 - p_r) / grid["comments_rest"]
        )
    nps_s = nps_stats_columns(grid[["n", "promoters", "detractors"]])
    nps_r = nps_stats_columns(rest[["n", "promoters", "detractors"]])
    nps_se = np.hypot(nps_s["nps_se"], nps_r["nps_se"])
    grid = grid.assign(
        share=100 * p_s,
        share_rest=100 * p_r,
        share_diff=100 * (p_s - p_r),
        nps=nps_s["nps"],
        nps_rest=nps_r["nps"],
        nps_diff=nps_s["nps"] - nps_r["nps"],
    )
    for name, se in (("share_diff", share_se), ("nps_diff", nps_se)):
        lo, hi = grid[name] - Z95 * se, grid[name] + Z95 * se
        flag = pd.array((lo > 0) | (hi < 0), dtype="boolean")
        flag[np.isnan(np.asarray(se, dtype="float64"))] = pd.NA
        grid = grid.assign(**{f"{name}_ci_lo": lo, f"{name}_ci_hi": hi})
        grid[f"{name.removesuffix('_diff')}_excludes_zero"] = flag
    grid = grid.sort_values([segment, "theme_id"], ignore_index=True)
    return grid[[segment, *SEGMENT_COLUMNS]]
