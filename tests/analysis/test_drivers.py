"""Tests for cxtext.analysis.drivers: hand-computed impacts and properties."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxtext.analysis import drivers as d
from cxtext.analysis.metrics import nps_stats
from cxtext.errors import ConfigError, DataValidationError


def tagged(
    scores: Sequence[int | None],
    themes: Sequence[Sequence[int]],
    **columns: Sequence[Any],
) -> pd.DataFrame:
    """Tagged frame: one comment per score, ``themes`` its theme ids (one clause each)."""
    return pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(len(scores))],
            "nps_score": pd.array(scores, dtype="Int64"),
            "theme_ids": [list(t) for t in themes],
            "theme_labels": [[f"t{i}" for i in t] for t in themes],
            "clause_theme_ids": [list(t) for t in themes],
            "clause_sentiments": [[0.0] * len(t) for t in themes],
            **columns,
        }
    )


def row(table: pd.DataFrame, theme_id: int) -> pd.Series:
    (picked,) = table.index[table["theme_id"] == theme_id]
    return table.loc[picked]


def adjusted_se(promoters: int, detractors: int, n: int) -> float:
    p, d_ = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    return 100 * math.sqrt((p + d_ - (p - d_) ** 2) / (n + 3))


# --- hand-computed cases ------------------------------------------------------------------

# 10 respondents: 3 detractors mention theme 1, one more detractor, 3 passives, 3 promoters.
TEN = tagged([2, 2, 2, 0, 7, 8, 7, 9, 10, 10], [[1], [1], [1], [], [2], [2], [], [3], [3], []])


def test_theme_held_by_three_detractors() -> None:
    table = d.drivers_table(TEN)
    delivery = row(table, 1)
    nps_all = 100 * (3 - 4) / 10  # -10
    nps_rest = 100 * (3 - 1) / 7  # 28.57: the 7 others, 3 promoters and 1 detractor
    assert delivery["impact"] == pytest.approx(nps_all - nps_rest)  # -38.57
    assert delivery["impact"] == pytest.approx(3 * (-100 - nps_rest) / 10)
    half = 1.96 * 0.3 * math.hypot(adjusted_se(0, 3, 3), adjusted_se(3, 1, 7))
    assert half == pytest.approx(21.55, abs=0.01)
    assert delivery["impact_ci_lo"] == pytest.approx(delivery["impact"] - half)
    assert delivery["impact_ci_hi"] == pytest.approx(delivery["impact"] + half)
    assert bool(delivery["significant"])
    assert (delivery["n"], delivery["detractors"], delivery["nps"]) == (3, 3, -100.0)
    assert delivery["detractor_share"] == 100.0
    assert delivery["detractor_lift"] == pytest.approx(1.0 / 0.4)
    assert delivery["share"] == pytest.approx(30.0)
    assert table["theme_id"].tolist()[0] == 1  # most negative first


def test_theme_on_everyone_has_no_impact() -> None:
    frame = tagged([0, 8, 10], [[1, 2], [1], [1]])
    everyone = row(d.drivers_table(frame), 1)
    assert math.isnan(everyone["impact"])
    assert math.isnan(everyone["impact_ci_lo"])
    assert everyone["significant"] is pd.NA
    themes = d.drivers_report(frame)["themes"]
    assert [t["impact"] for t in themes if t["theme_id"] == 1] == [None]


def test_theme_on_nobody_has_zero_impact_and_no_interval() -> None:
    result = d.theme_impact(
        {"promoters": 0, "passives": 0, "detractors": 0},
        {"promoters": 4, "passives": 3, "detractors": 3},
    )
    assert result["impact"].tolist() == [0.0]
    assert np.isnan(result[["impact_ci_lo", "impact_ci_hi"]].to_numpy()).all()
    assert result["significant"].isna().all()


def test_theme_impact_refuses_counts_above_the_totals() -> None:
    with pytest.raises(DataValidationError, match="between 0 and the total"):
        d.theme_impact(
            {"promoters": 5, "passives": 0, "detractors": 0},
            {"promoters": 4, "passives": 3, "detractors": 3},
        )


def test_clause_sentiment_is_per_clause_not_the_comment_average() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a"],
            "nps_score": [6],
            "theme_ids": [[1, 2]],
            "theme_labels": [["delivery", "support"]],
            "clause_theme_ids": [[1, 2]],  # "delivery fast" | "but support rude"
            "clause_sentiments": [[0.8, -0.7]],
            "sentiment": [0.05],
        }
    )
    table = d.drivers_table(frame)
    assert row(table, 1)["sentiment"] == pytest.approx(0.8)
    assert row(table, 2)["sentiment"] == pytest.approx(-0.7)


def test_unassigned_clauses_are_left_out_of_sentiment() -> None:
    frame = tagged([3, 9], [[1], [1]])
    frame["clause_theme_ids"] = [[1, -1], [1]]
    frame["clause_sentiments"] = [[-0.5, 0.9], [0.3]]
    assert row(d.drivers_table(frame), 1)["sentiment"] == pytest.approx(-0.1)


def test_ticket_only_theme_gets_volume_sentiment_and_predicted_shares() -> None:
    frame = tagged(
        [0, 10, None, None, None],
        [[1], [2], [3], [3], [3]],
        source=["survey", "survey", "ticket", "ticket", "ticket"],
        predicted_nps_group=[None, None, "detractor", "passive", None],
    )
    frame["clause_sentiments"] = [[-0.2], [0.6], [-0.9], [-0.5], [-0.4]]
    ticket = row(d.drivers_table(frame), 3)
    assert (ticket["volume"], ticket["n"], ticket["unscored"]) == (3, 0, 3)
    assert ticket["share"] == pytest.approx(60.0)
    assert ticket["sentiment"] == pytest.approx(-0.6)
    assert ticket["predicted_detractor_share"] == pytest.approx(50.0)
    assert ticket["predicted_passive_share"] == pytest.approx(50.0)
    assert ticket["predicted_promoter_share"] == 0.0
    assert ticket["impact"] == 0.0
    assert math.isnan(ticket["nps"]) and math.isnan(ticket["impact_ci_lo"])
    assert math.isnan(row(d.drivers_table(frame), 1)["predicted_detractor_share"])


def test_impacts_are_computed_within_each_group() -> None:
    frame = pd.concat([TEN.assign(country="pt"), TEN.iloc[3:].assign(country="nl")])
    table = d.drivers_table(frame, by=["country"])
    assert table["country"].tolist() == ["nl"] * 2 + ["pt"] * 3
    for country, group in frame.groupby("country"):
        alone = d.drivers_table(group)
        mine = table.loc[table["country"] == country].drop(columns="country")
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone)


def test_nps_group_column_is_used_and_derived_alike() -> None:
    derived = d.drivers_table(TEN)
    groups = ["detractor"] * 4 + ["passive"] * 3 + ["promoter"] * 3
    given_groups = d.drivers_table(TEN.drop(columns="nps_score").assign(nps_group=groups))
    pd.testing.assert_frame_equal(derived, given_groups)
    with pytest.raises(DataValidationError, match="unknown NPS group"):
        d.drivers_table(TEN.assign(nps_group="fan"))


def test_the_documented_columns_are_enough_labels_come_from_the_main_theme() -> None:
    """theme_id, theme_label and theme_ids suffice: each theme's label is the one its
    comments carry as their main theme, "theme <id>" when no comment has it as main."""
    main = [t[0] if t else -1 for t in TEN["theme_ids"]]
    documented = TEN.drop(columns="theme_labels").assign(
        theme_id=main, theme_label=[f"t{i}" if i in (1, 2) else "" for i in main]
    )
    full = d.drivers_table(TEN)
    derived = d.drivers_table(documented)
    labels = dict(zip(derived["theme_id"], derived["theme_label"], strict=True))
    assert labels == {1: "t1", 2: "t2", 3: ""}
    unlabelled = d.drivers_table(TEN.drop(columns="theme_labels"))
    assert sorted(unlabelled["theme_label"]) == ["theme 1", "theme 2", "theme 3"]
    numbers = [c for c in full.columns if c != "theme_label"]
    pd.testing.assert_frame_equal(derived[numbers], full[numbers])


def test_parent_level_uses_parent_columns() -> None:
    frame = TEN.assign(
        parent_theme_ids=[[10] if t else [] for t in TEN["theme_ids"]],
        parent_theme_labels=[["logistics"] if t else [] for t in TEN["theme_ids"]],
        clause_parent_ids=[[10] * len(t) for t in TEN["theme_ids"]],
    )
    parent = d.drivers_table(frame, level="parent")
    assert parent["theme_id"].tolist() == [10]
    assert parent["theme_label"].tolist() == ["logistics"]
    assert parent["n"].tolist() == [7]
    with pytest.raises(ConfigError):
        d.drivers_table(frame, level="topic")  # type: ignore[arg-type]


def test_parquet_round_trip_lists_work(tmp_path: Path) -> None:
    path = tmp_path / "tagged.parquet"
    TEN.to_parquet(path)
    back = pd.read_parquet(path)
    assert isinstance(back["theme_ids"].iloc[0], np.ndarray)
    pd.testing.assert_frame_equal(d.drivers_table(back), d.drivers_table(TEN))


def test_key_drivers_pick_each_direction() -> None:
    table = d.drivers_table(TEN)
    drivers = d.key_drivers(table, top=1)
    assert drivers["detraction"]["theme_id"].tolist() == [1]
    assert drivers["promotion"]["theme_id"].tolist() == [3]
    significant = d.key_drivers(table, significant_only=True)
    assert significant["detraction"]["theme_id"].tolist() == [1]
    assert bool(significant["promotion"]["significant"].all())
    by = d.key_drivers(d.drivers_table(TEN.assign(country=["a"] * 5 + ["b"] * 5), by=["country"]))
    assert set(by["detraction"]["country"]) <= {"a", "b"}


def test_drivers_report_is_json_safe_and_follows_the_contract() -> None:
    report = d.drivers_report(TEN)
    json.dumps(report, allow_nan=False)
    overall = nps_stats(TEN["nps_score"])
    assert report["overall"] == {**overall, "comments": 10}
    first = report["themes"][0]
    for key in ("theme_id", "theme_label", "n", "detractors", "passives", "promoters", "nps"):
        assert key in first
    assert first["impact_ci"] == pytest.approx(
        [first["impact"] - 21.55, first["impact"] + 21.55], abs=0.01
    )
    assert "impact_ci_lo" not in first
    assert [t["theme_id"] for t in report["key_drivers"]["detraction"]] == [1]
    assert "1.96" in report["method"]


# --- properties ---------------------------------------------------------------------------

comments = st.lists(
    st.tuples(st.none() | st.integers(0, 10), st.sets(st.integers(1, 4), max_size=3)),
    min_size=1,
    max_size=25,
)
group_counts = st.fixed_dictionaries(
    {k: st.integers(0, 30) for k in ("promoters", "passives", "detractors")}
)


def frame_of(rows: list[tuple[int | None, set[int]]]) -> pd.DataFrame:
    return tagged([s for s, _ in rows], [sorted(t) for _, t in rows])


@settings(max_examples=40, deadline=None)
@given(comments)
def test_counts_add_up(rows: list[tuple[int | None, set[int]]]) -> None:
    table = d.drivers_table(frame_of(rows))
    assert (table[["detractors", "passives", "promoters"]].sum(axis=1) == table["n"]).all()
    assert (table["n"] + table["unscored"] == table["volume"]).all()
    assert (table["volume"] <= len(rows)).all()


@settings(max_examples=40, deadline=None)
@given(comments)
def test_impact_is_the_nps_change_from_removing_the_theme(
    rows: list[tuple[int | None, set[int]]],
) -> None:
    table = d.drivers_table(frame_of(rows))
    scores = [s for s, _ in rows if s is not None]
    for theme in table.itertuples():
        rest = [s for s, t in rows if s is not None and theme.theme_id not in t]
        mine = [s for s, t in rows if s is not None and theme.theme_id in t]
        if not rest:
            assert math.isnan(theme.impact)
            continue
        nps_all, nps_rest = nps_stats(scores)["nps"], nps_stats(rest)["nps"]
        assert theme.impact == pytest.approx(nps_all - nps_rest, abs=1e-9)
        if mine:
            by_formula = len(mine) * (nps_stats(mine)["nps"] - nps_rest) / len(scores)
            assert theme.impact == pytest.approx(by_formula, abs=1e-9)
            assert theme.impact_ci_lo < theme.impact < theme.impact_ci_hi


@given(group_counts)
def test_removing_nothing_changes_nothing(total: dict[str, int]) -> None:
    nothing = dict.fromkeys(total, 0)
    result = d.theme_impact(nothing, total)
    assert result["impact"].iloc[0] == 0.0 or sum(total.values()) == 0


@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 5)), min_size=2, max_size=40))
def test_partition_weighted_impacts_sum_to_zero(rows: list[tuple[int, int]]) -> None:
    # impact_t = n_t (NPS_t - NPS_all) / (N - n_t), so sum_t (1 - n_t / N) impact_t = 0
    table = d.drivers_table(tagged([s for s, _ in rows], [[t] for _, t in rows]))
    weights = 1 - table["n"] / len(rows)
    assert (weights * table["impact"].fillna(0)).sum() == pytest.approx(0.0, abs=1e-9)


@given(st.lists(group_counts, min_size=1, max_size=5), group_counts)
def test_vectorized_impact_matches_one_at_a_time(
    themes: list[dict[str, int]], extra: dict[str, int]
) -> None:
    total = {k: sum(t[k] for t in themes) + extra[k] for k in extra}
    together = d.theme_impact(pd.DataFrame(themes), total)
    for i, theme in enumerate(themes):
        alone = d.theme_impact(theme, total)
        pd.testing.assert_frame_equal(together.iloc[[i]].reset_index(drop=True), alone)
