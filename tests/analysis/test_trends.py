"""Tests for cxtext.analysis.trends: trends, emerging themes, segment comparisons."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtext.analysis import trends as t
from cxtext.analysis.differences import nps_difference
from cxtext.analysis.drivers import drivers_table
from cxtext.errors import ConfigError, DataValidationError

MONDAYS = ["2024-04-01", "2024-04-08", "2024-04-15", "2024-04-22", "2024-04-29"]


def weekly(counts: dict[int, Sequence[int]], *, comments: int = 100) -> pd.DataFrame:
    """``comments`` comments per week (Wednesdays); theme k on ``counts[k][week]`` of them."""
    rows = []
    for week, monday in enumerate(MONDAYS):
        themes: list[int | None] = [k for k, per in counts.items() for _ in range(per[week])]
        themes += [None] * (comments - len(themes))
        when = pd.Timestamp(monday, tz="UTC") + pd.Timedelta(days=2, hours=12)
        rows += [(when, [] if k is None else [k]) for k in themes]
    return pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(len(rows))],
            "created_at": pd.Series([w for w, _ in rows], dtype="datetime64[ns, UTC]"),
            "theme_ids": [k for _, k in rows],
            "theme_labels": [[f"t{i}" for i in k] for _, k in rows],
        }
    )


def theme(table: pd.DataFrame, theme_id: int) -> pd.Series:
    (picked,) = table.index[table["theme_id"] == theme_id]
    return table.loc[picked]


# --- trends -------------------------------------------------------------------------------


def test_theme_trends_per_week() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            # Sunday 2024-05-12 23:30 in New York is Monday 2024-05-13 in UTC
            "created_at": pd.Series(
                [
                    "2024-05-06T10:00Z",
                    "2024-05-12T10:00Z",
                    "2024-05-13T03:30Z",
                    None,
                    "2024-05-14T00:00Z",
                ],
                dtype="datetime64[ns, UTC]",
            ),
            "nps_score": pd.array([2, 10, 3, 0, 9], dtype="Int64"),
            "theme_ids": [[1], [], [1, 2], [1], [2]],
            "theme_labels": [["late"], [], ["late", "rude"], ["late"], ["rude"]],
            "clause_theme_ids": [[1], [-1], [1, 2], [1], [2]],
            "clause_sentiments": [[-0.8], [0.5], [-0.4, -0.6], [-1.0], [0.2]],
        }
    )
    trends = t.theme_trends(frame)
    assert trends.attrs["undated"] == 1
    assert [str(p) for p in trends["period"]] == [
        "2024-05-06/2024-05-12",
        "2024-05-13/2024-05-19",
        "2024-05-13/2024-05-19",
    ]
    assert trends["theme_id"].tolist() == [1, 1, 2]
    assert trends["volume"].tolist() == [1, 1, 2]
    assert trends["share"].tolist() == pytest.approx([50.0, 50.0, 100.0])
    assert trends["sentiment"].tolist() == pytest.approx([-0.8, -0.4, -0.2])
    assert trends["nps"].tolist() == pytest.approx([-100.0, -100.0, 0.0])
    # week 1: NPS 0 with both, 100 without "late": impact -100
    assert trends["impact"].iloc[0] == pytest.approx(-100.0)
    week2 = frame.iloc[[2, 4]]
    assert trends["impact"].iloc[1] == pytest.approx(drivers_table(week2)["impact"].iloc[0])
    assert math.isnan(trends["impact"].iloc[2])  # every respondent of the week mentions it
    assert list(trends.columns) == list(t.TREND_COLUMNS)


# --- emerging themes ----------------------------------------------------------------------


def test_jump_is_flagged_noisy_stable_theme_is_not() -> None:
    frame = weekly({1: [5, 5, 5, 5, 30], 2: [10, 30, 10, 30, 32], 3: [0, 0, 0, 0, 6]})
    table = t.emerging_themes(frame, window=4)
    jump, noisy, new = theme(table, 1), theme(table, 2), theme(table, 3)
    assert str(jump["latest_period"]) == "2024-04-29/2024-05-05"
    assert (jump["count"], jump["n_latest"]) == (30, 100)
    assert jump["baseline_share"] == pytest.approx(5.0)
    assert jump["ratio"] == pytest.approx(6.0)
    assert jump["phi"] == 1.0  # no spread beyond binomial in the baseline
    assert jump["z"] == pytest.approx(0.25 / math.sqrt(0.05 * 0.95 / 100))
    assert jump["emerging"] and not jump["new"]

    # baseline 20%: Pearson chi-square 4 * (10^2 / 16) = 25 over 3 degrees of freedom
    assert noisy["phi"] == pytest.approx(25 / 3)
    assert noisy["z"] == pytest.approx(0.12 / math.sqrt(25 / 3 * 0.16 / 100))
    assert 0.12 / math.sqrt(0.16 / 100) > 1.645  # a plain binomial test would flag it
    assert not noisy["emerging"]

    assert new["new"] and new["emerging"]
    assert (new["baseline_share"], new["p_value"]) == (0.0, 0.0)
    assert table["theme_id"].tolist()[:2] == [3, 1]  # emerging first, by p-value
    assert list(table.columns) == list(t.EMERGING_COLUMNS)


def test_p_values_are_benjamini_hochberg_adjusted() -> None:
    frame = weekly({1: [5, 5, 5, 5, 12], 2: [10, 12, 10, 12, 16], 3: [8, 8, 8, 8, 8]})
    table = t.emerging_themes(frame).sort_values("p_value")
    p = table["p_value"].to_numpy()
    expected = np.minimum.accumulate((p * 3 / np.arange(1, 4))[::-1])[::-1]
    assert table["p_adjusted"].to_numpy() == pytest.approx(np.minimum(expected, 1))


def test_min_count_holds_back_small_themes() -> None:
    frame = weekly({1: [0, 1, 0, 0, 4], 2: [0, 0, 0, 0, 3]})
    table = t.emerging_themes(frame, min_count=5)
    assert not table["emerging"].any()
    assert not table["new"].any()


def test_too_few_baseline_periods_are_refused() -> None:
    frame = weekly({1: [5, 5, 5, 5, 30]})
    two_weeks = frame.loc[frame["created_at"] >= pd.Timestamp("2024-04-22", tz="UTC")]
    with pytest.raises(DataValidationError, match="at least 2"):
        t.emerging_themes(two_weeks)
    gap = frame.loc[frame["created_at"] <= pd.Timestamp("2024-04-10", tz="UTC")]
    with pytest.raises(DataValidationError, match="found 0"):
        t.emerging_themes(pd.concat([gap, frame.iloc[-100:]]), window=2)
    with pytest.raises(ConfigError):
        t.emerging_themes(frame, window=1)


# --- segment comparison -------------------------------------------------------------------

SEGMENTS = pd.DataFrame(
    {
        "id": [f"c{i}" for i in range(8)],
        "nps_score": pd.array([0, 2, 9, None, 10, 10, 8, 5], dtype="Int64"),
        "theme_ids": [[1], [1], [1], [1], [1], [], [2], [1]],
        "theme_labels": [["late"]] * 5 + [[], ["price"], ["late"]],
        "country": ["pt", "pt", "pt", "pt", "nl", "nl", "nl", "nl"],
    }
)


def test_segment_comparison_by_hand() -> None:
    table = t.segment_comparison(SEGMENTS, segment="country")
    assert table[["country", "theme_id"]].values.tolist() == [
        ["nl", 1],
        ["nl", 2],
        ["pt", 1],
        ["pt", 2],
    ]
    pt = table.iloc[2]
    assert (pt["comments"], pt["volume"], pt["comments_rest"], pt["volume_rest"]) == (4, 4, 4, 2)
    assert (pt["share"], pt["share_rest"], pt["share_diff"]) == (100.0, 50.0, 50.0)
    half = 1.96 * 100 * math.sqrt(0 + 0.5 * 0.5 / 4)  # 49.0
    assert (pt["share_diff_ci_lo"], pt["share_diff_ci_hi"]) == pytest.approx((50 - half, 50 + half))
    assert bool(pt["share_excludes_zero"])
    # theme 1 respondents: pt 0, 2, 9 (NPS -33.3); nl 10, 5 (NPS 0)
    expected = nps_difference([0, 2, 9], [10, 5])
    assert (pt["n"], pt["n_rest"]) == (3, 2)
    assert pt["nps"] == pytest.approx(expected["nps_a"])
    assert pt["nps_diff"] == pytest.approx(expected["diff"])
    assert [pt["nps_diff_ci_lo"], pt["nps_diff_ci_hi"]] == pytest.approx(expected["diff_ci"])
    assert bool(pt["nps_excludes_zero"]) is expected["excludes_zero"]
    pt_price = table.iloc[3]
    assert (pt_price["volume"], pt_price["share"], pt_price["share_rest"]) == (0, 0.0, 25.0)
    assert pt_price["nps_excludes_zero"] is pd.NA  # no respondent in pt
    assert list(table.columns) == ["country", *t.SEGMENT_COLUMNS]


def test_segment_comparison_survives_parquet(tmp_path: Path) -> None:
    path = tmp_path / "tagged.parquet"
    SEGMENTS.to_parquet(path)
    back = pd.read_parquet(path)
    assert isinstance(back["theme_ids"].iloc[0], np.ndarray)
    pd.testing.assert_frame_equal(
        t.segment_comparison(back, segment="country"),
        t.segment_comparison(SEGMENTS, segment="country"),
    )


def test_segment_comparison_needs_the_column() -> None:
    with pytest.raises(DataValidationError, match="region"):
        t.segment_comparison(SEGMENTS, segment="region")
