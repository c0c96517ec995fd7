"""Tests for cxtext.analysis.metrics: hand-computed cases and properties."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxtext import schema
from cxtext.analysis import differences as d
from cxtext.analysis import metrics as m
from cxtext.errors import ConfigError, DataValidationError

# n=400, 180 P, 80 D: the worked example of docs/architecture.md.
DESIGN_SCORES = [10] * 180 + [8] * 140 + [3] * 80


def utc(*stamps: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(stamps), utc=True, format="ISO8601"))


def survey_frame(
    scores: Sequence[int | None], created: Sequence[str], **segments: Sequence[str | None]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.SOURCE: pd.array(["survey"] * len(scores), dtype="string"),
            schema.CREATED_AT: utc(*created),
            schema.NPS_SCORE: pd.array(scores, dtype="Int64"),
            **{name: pd.array(values, dtype="string") for name, values in segments.items()},
        }
    )


# --- NPS ------------------------------------------------------------------------------------


def test_nps_design_example() -> None:
    stats = m.nps_stats(DESIGN_SCORES)
    assert (stats["n"], stats["promoters"], stats["passives"], stats["detractors"]) == (
        400,
        180,
        140,
        80,
    )
    assert stats["nps"] == pytest.approx(25.0)
    assert round(stats["nps_se"], 2) == 3.83
    lo, hi = stats["nps_ci"]
    assert round(hi - stats["nps"], 1) == 7.5
    assert round(stats["nps"] - lo, 1) == 7.5
    assert round(stats["nps_adjusted"], 1) == 24.8
    assert [round(x, 1) for x in stats["nps_ci_adjusted_wald"]] == [17.3, 32.3]


def test_nps_stats_is_json_safe() -> None:
    stats = m.nps_stats(np.array(DESIGN_SCORES))
    assert json.loads(json.dumps(stats)) == stats
    assert type(stats["n"]) is int
    assert set(stats) >= {"n", "promoters", "passives", "detractors", "nps", "nps_se"}
    assert set(stats) >= {"nps_ci", "nps_ci_adjusted_wald", "nps_adjusted"}


def test_all_promoters() -> None:
    stats = m.nps_stats([9, 10, 10, 9, 10])
    assert stats["nps"] == 100.0
    assert stats["nps_se"] == 0.0
    assert stats["nps_ci"] == [100.0, 100.0]
    # adjusted Wald: (5.75 - 0.75) / 8 -> 62.5, a non-degenerate interval capped at 100
    assert stats["nps_adjusted"] == pytest.approx(62.5)
    lo, hi = stats["nps_ci_adjusted_wald"]
    assert lo < 62.5 < hi <= 100.0


def test_empty_input() -> None:
    stats = m.nps_stats([])
    assert stats["n"] == stats["promoters"] == stats["detractors"] == 0
    assert stats["nps"] is None and stats["nps_se"] is None
    assert stats["nps_ci"] == [None, None]
    assert stats["nps_ci_adjusted_wald"] == [None, None]
    assert m.nps_stats([None, np.nan])["n"] == 0


def test_missing_scores_are_skipped() -> None:
    stats = m.nps_stats(pd.Series([10, None, 0], dtype="Int64"))
    assert (stats["n"], stats["nps"]) == (2, 0.0)


@pytest.mark.parametrize("bad", [[11], [-1], [7.5], ["9"], [True], [float("inf")]])
def test_rejects_scores_outside_0_10(bad: list[object]) -> None:
    with pytest.raises(DataValidationError, match="nps_score"):
        m.nps_stats([9, *bad])


def test_integral_floats_are_accepted() -> None:
    assert m.nps_stats([9.0, 3.0])["nps"] == 0.0


def test_nps_table_by_segment_and_missing_scores() -> None:
    frame = survey_frame(
        [10, 0, 8, None, 9],
        ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
        country=["PT", "PT", "NL", "NL", None],
    )
    table = m.nps_table(frame, by=["country"])
    assert list(table.columns) == ["country", *m.NPS_COLUMNS]
    assert table["country"].tolist()[:2] == ["NL", "PT"]
    assert pd.isna(table["country"].iloc[2])  # missing segment value is its own group
    assert table["n"].tolist() == [1, 2, 1]
    assert table["n_missing_score"].tolist() == [1, 0, 0]
    assert table["nps"].tolist() == [0.0, 0.0, 100.0]


def test_nps_table_drops_groups_without_scores() -> None:
    frame = survey_frame([9, None], ["2024-01-01", "2024-01-02"], country=["PT", "NL"])
    assert m.nps_table(frame, by="country")["country"].tolist() == ["PT"]


def test_nps_table_ignores_unscored_tickets() -> None:
    frame = survey_frame([9, None], ["2024-01-01", "2024-01-02"])
    frame.loc[1, schema.SOURCE] = "ticket"
    assert m.nps_table(frame)["n_missing_score"].tolist() == [0]


def test_nps_table_weeks_start_monday() -> None:
    # 2024-01-07 is a Sunday, 2024-01-08 a Monday
    frame = survey_frame(
        [10, 0, 9],
        ["2024-01-01T08:00", "2024-01-07T23:59", "2024-01-08T00:00"],
    )
    table = m.nps_table(frame, period="week")
    assert table["period"].map(lambda p: p.start_time.strftime("%a %Y-%m-%d")).tolist() == [
        "Mon 2024-01-01",
        "Mon 2024-01-08",
    ]
    assert table["n"].tolist() == [2, 1]
    assert table["nps"].tolist() == [0.0, 100.0]


def test_nps_table_month_and_day_periods() -> None:
    frame = survey_frame([10, 0, 9], ["2024-01-31T23:00", "2024-02-01T01:00", "2024-02-01T02:00"])
    assert m.nps_table(frame, period="month")["period"].astype(str).tolist() == [
        "2024-01",
        "2024-02",
    ]
    assert m.nps_table(frame, period="day")["n"].tolist() == [1, 2]


def test_period_in_utc() -> None:
    frame = survey_frame([9], ["2024-01-31T23:30-02:00"])  # 01:30 UTC on Feb 1
    assert str(m.nps_table(frame, period="month")["period"].iloc[0]) == "2024-02"


def test_table_argument_errors() -> None:
    frame = survey_frame([9], ["2024-01-01"])
    with pytest.raises(DataValidationError, match="country"):
        m.nps_table(frame, by=["country"])
    with pytest.raises(ConfigError):
        m.nps_table(frame, period="year")  # type: ignore[arg-type]
    frame[schema.CREATED_AT] = pd.NaT
    with pytest.raises(DataValidationError, match="created_at"):
        m.nps_table(frame, period="week")


def test_nps_table_empty_frame_keeps_columns() -> None:
    frame = survey_frame([], [], country=[])
    table = m.nps_table(frame, by=["country"], period="month")
    assert table.empty
    assert list(table.columns) == ["country", "period", *m.NPS_COLUMNS]


# --- CSAT -----------------------------------------------------------------------------------


def test_csat_is_share_not_mean() -> None:
    stats = m.csat_stats([5, 4, 3, 1])
    assert stats["csat"] == 50.0
    assert stats["csat_mean"] == 3.25
    assert (stats["n"], stats["satisfied"]) == (4, 2)
    # Wald for a proportion: 100 * sqrt(.5 * .5 / 4) = 25
    assert stats["csat_se"] == 25.0
    assert stats["csat_ci"] == pytest.approx([1.0, 99.0])


@pytest.mark.parametrize("bad", [0, 6, 4.5])
def test_csat_rejects_out_of_range(bad: float) -> None:
    with pytest.raises(DataValidationError, match="csat"):
        m.csat_stats([5, bad])


def test_csat_table() -> None:
    frame = pd.DataFrame(
        {
            "country": ["PT", "PT", "NL", "NL"],
            schema.CSAT: pd.array([5, 4, 2, None], dtype="Int64"),
        }
    )
    table = m.csat_table(frame, by=["country"])
    assert list(table.columns) == ["country", *m.CSAT_COLUMNS]
    assert table.set_index("country")["csat"].to_dict() == {"NL": 0.0, "PT": 100.0}
    assert table.set_index("country")["n"].to_dict() == {"NL": 1, "PT": 2}


# --- CES ------------------------------------------------------------------------------------


def ces_frame(answers: Sequence[int], scales: Sequence[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.CES: pd.array(answers, dtype="Int64"),
            schema.CES_SCALE: pd.array(scales, dtype="string"),
        }
    )


def test_ces_scales_are_never_mixed() -> None:
    frame = ces_frame([7, 5, 4, 1, 5, 4, 3], ["1-7"] * 4 + ["1-5"] * 3)
    table = m.ces_table(frame).set_index(schema.CES_SCALE)
    assert list(table.index) == ["1-5", "1-7"]
    assert table.loc["1-7", "n"] == 4
    assert table.loc["1-7", "ces_mean"] == 4.25
    assert table.loc["1-7", "ces_easy_share"] == 50.0  # 7 and 5 are >= 5
    assert table.loc["1-5", "ces_mean"] == 4.0
    assert table.loc["1-5", "ces_easy_share"] == pytest.approx(200 / 3)  # 5 and 4 are >= 4


def test_ces_reversed_scale() -> None:
    # 1-5 reversed, top_from 4: easy answers are <= 1 + (5 - 4) = 2
    frame = ces_frame([1, 2, 3, 5], ["1-5-reversed"] * 4)
    row = m.ces_table(frame).iloc[0]
    assert (row["n"], row["easy"], row["ces_easy_share"], row["ces_mean"]) == (4, 2, 50.0, 2.75)


def test_ces_errors() -> None:
    with pytest.raises(DataValidationError, match="ces_scale"):
        m.ces_table(ces_frame([5], [None]))
    with pytest.raises(DataValidationError, match="unknown"):
        m.ces_table(ces_frame([5], ["0-10"]))
    with pytest.raises(DataValidationError, match="outside"):
        m.ces_table(ces_frame([7], ["1-5"]))


def test_ces_by_segment() -> None:
    frame = ces_frame([7, 1, 5], ["1-7", "1-7", "1-5"]).assign(country=["PT", "NL", "PT"])
    table = m.ces_table(frame, by=["country"])
    assert list(table.columns) == ["country", *m.CES_COLUMNS]
    assert list(zip(table["country"], table[schema.CES_SCALE], strict=True)) == [
        ("NL", "1-7"),
        ("PT", "1-5"),
        ("PT", "1-7"),
    ]


# --- response times ---------------------------------------------------------------------------


def ticket_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.SOURCE: ["ticket"] * 4 + ["survey"],
            schema.CREATED_AT: utc(
                "2024-01-01T00:00",
                "2024-01-01T00:00",
                "2024-01-02T00:00",
                "2024-01-03T00:00",  # open: no reply, no solve
                "2024-01-03T00:00",
            ),
            schema.FIRST_RESPONSE_AT: utc(
                "2024-01-01T01:00", "2024-01-01T02:00", "2024-01-02T06:00", None, None
            ),
            schema.RESOLVED_AT: utc(
                "2024-01-01T10:00", "2024-01-02T00:00", "2024-01-03T00:00", None, None
            ),
            schema.LAST_RESOLVED_AT: utc("2024-01-05T00:00", None, None, None, None),
            "channel": ["email", "email", "chat", "chat", None],
        }
    )


def test_response_times_in_hours() -> None:
    table = m.response_time_table(ticket_frame()).set_index("metric")
    assert list(table.index) == ["first_response", "resolution", "resolution_last"]
    first = table.loc["first_response"]
    assert (first["n"], first["n_open"]) == (3, 1)  # survey row is not a ticket
    assert first["mean_hours"] == pytest.approx(3.0)  # 1, 2, 6
    assert first["median_hours"] == 2.0
    assert first["p90_hours"] == pytest.approx(5.2)  # 2 + 0.8 * (6 - 2)
    solve = table.loc["resolution"]
    assert solve["mean_hours"] == pytest.approx(58 / 3)  # 10, 24, 24
    assert solve["median_hours"] == 24.0
    last = table.loc["resolution_last"]  # 96 (reopened), 24, 24
    assert (last["n"], last["n_open"], last["mean_hours"]) == (3, 1, 48.0)


def test_response_times_by_segment() -> None:
    table = m.response_time_table(ticket_frame(), by=["channel"])
    assert list(table.columns) == ["channel", *m.RESPONSE_TIME_COLUMNS]
    chat = table.loc[(table["channel"] == "chat") & (table["metric"] == "resolution")].iloc[0]
    assert (chat["n"], chat["n_open"], chat["mean_hours"]) == (1, 1, 24.0)


def test_negative_duration_is_an_error() -> None:
    frame = ticket_frame()
    frame.loc[0, schema.RESOLVED_AT] = pd.Timestamp("2023-12-31", tz="UTC")
    with pytest.raises(DataValidationError, match="resolved_at"):
        m.response_time_table(frame)


# --- churn ----------------------------------------------------------------------------------


def activity(rows: Sequence[tuple[str | None, str]], **segments: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            schema.CUSTOMER_ID: pd.array([c for c, _ in rows], dtype="string"),
            schema.CREATED_AT: utc(*(t for _, t in rows)),
            **segments,
        }
    )


def test_churn_by_month() -> None:
    log = activity(
        [
            ("a", "2024-01-05"),
            ("b", "2024-01-09"),
            ("c", "2024-01-20"),
            ("a", "2024-02-03"),
            ("d", "2024-02-10"),  # new in February: excluded from February's base
            ("a", "2024-03-01"),
            ("d", "2024-03-02"),
            ("b", "2024-04-01"),  # b skipped Feb and Mar: not present at March's start
            (None, "2024-01-02"),  # no customer id: ignored
        ]
    )
    table = m.churn_table(log, period="month")
    assert list(table.columns) == list(m.CHURN_COLUMNS)
    assert table["period"].astype(str).tolist() == ["2024-02", "2024-03", "2024-04"]
    # Feb: start {a, b, c}; lost c (b comes back in April) -> 1/3; new d
    # Mar: start {a, d}; lost none; Apr: start {a, d}; lost both
    assert table["customers_at_start"].tolist() == [3, 2, 2]
    assert table["lost"].tolist() == [1, 0, 2]
    assert table["new_customers"].tolist() == [1, 0, 0]
    assert table["churn_rate"].tolist() == pytest.approx([100 / 3, 0.0, 100.0])


def test_churn_by_segment_and_week() -> None:
    log = activity(
        [("a", "2024-01-01"), ("b", "2024-01-02"), ("a", "2024-01-08"), ("b", "2024-01-10")],
        country=["PT", "NL", "PT", "PT"],
    )
    table = m.churn_table(log, by=["country"], period="week")
    assert list(table.columns) == ["country", *m.CHURN_COLUMNS]
    rows = table.assign(period=table["period"].astype(str)).to_dict("records")
    assert rows == [
        {
            "country": "NL",
            "period": "2024-01-08/2024-01-14",
            "customers_at_start": 1,
            "lost": 1,
            "churn_rate": 100.0,
            "new_customers": 0,
        },
        {
            "country": "PT",
            "period": "2024-01-08/2024-01-14",
            "customers_at_start": 1,
            "lost": 0,
            "churn_rate": 0.0,
            "new_customers": 1,
        },
    ]


def test_churn_needs_customers() -> None:
    with pytest.raises(DataValidationError, match="customer_id"):
        m.churn_table(pd.DataFrame({schema.CREATED_AT: utc("2024-01-01")}))
    assert m.churn_table(activity([])).empty


# --- differences ------------------------------------------------------------------------------


def test_nps_difference() -> None:
    a = [10] * 60 + [8] * 20 + [0] * 20  # NPS 40, var = (.8 - .16) / 100
    b = [10] * 30 + [8] * 40 + [0] * 30  # NPS 0, var = .6 / 100
    result = d.nps_difference(a, b)
    assert (result["nps_a"], result["nps_b"], result["diff"]) == pytest.approx((40.0, 0.0, 40.0))
    se = 100 * math.sqrt(0.64 / 100 + 0.6 / 100)
    assert result["diff_se"] == pytest.approx(se)
    assert result["diff_ci"] == pytest.approx([40 - 1.96 * se, 40 + 1.96 * se])
    assert result["excludes_zero"] is True
    assert d.nps_difference(a, a)["excludes_zero"] is False
    assert d.nps_difference(a, [])["diff"] is None


def test_csat_difference() -> None:
    result = d.csat_difference([5, 4, 3, 1], [5, 5, 5, 5])
    assert result["diff"] == -50.0
    assert result["diff_se"] == 25.0  # second sample has SE 0
    assert result["diff_ci"] == pytest.approx([-99.0, -1.0])
    assert result["excludes_zero"] is True


def test_compare_segments_and_periods() -> None:
    frame = survey_frame(
        [10, 9, 0, 1, 8],
        ["2024-01-01", "2024-01-02", "2024-02-01", "2024-02-02", "2024-02-03"],
        country=["PT", "PT", "NL", "NL", "PT"],
    )
    by_country = d.compare(frame, column="country", a="PT", b="NL")
    assert (by_country["nps_a"], by_country["nps_b"]) == pytest.approx((200 / 3, -100.0))
    by_month = d.compare(frame, period="month", a="2024-01", b="2024-02")
    assert (by_month["a"], by_month["n_a"], by_month["n_b"]) == ("2024-01", 2, 3)
    assert by_month["diff"] == pytest.approx(100 - (-200 / 3))
    json.dumps(by_month)
    with pytest.raises(ConfigError):
        d.compare(frame, a="PT", b="NL")


# --- report -----------------------------------------------------------------------------------


def test_metrics_report_is_json_ready() -> None:
    surveys = survey_frame(
        [10, 0, None], ["2024-01-01", "2024-01-08", "2024-01-09"], country=["PT", "NL", "NL"]
    ).assign(**{schema.CSAT: pd.array([5, 2, None], dtype="Int64")})
    frame = pd.concat([surveys, ticket_frame()], ignore_index=True)
    report = m.metrics_report(frame, by=["country"], period="week")
    assert json.loads(json.dumps(report, allow_nan=False)) == report
    overall = report["overall"]
    assert (overall["n"], overall["nps"], overall["n_missing_score"]) == (2, 0.0, 2)
    assert overall["csat"]["csat"] == 50.0
    assert "ces" not in overall
    assert overall["response_times"]["first_response"]["n_open"] == 1
    assert [(g["country"], g["period"], g["n"]) for g in report["groups"]] == [
        ("NL", "2024-01-08/2024-01-14", 1),
        ("PT", "2024-01-01/2024-01-07", 1),
    ]
    assert report["groups"][0]["nps_ci"] == [-100.0, -100.0]


def test_metrics_report_empty() -> None:
    report = m.metrics_report(survey_frame([], []))
    assert report == {
        "overall": {
            "n": 0,
            "promoters": 0,
            "passives": 0,
            "detractors": 0,
            "nps": None,
            "nps_se": None,
            "nps_ci": [None, None],
            "nps_adjusted": None,
            "nps_ci_adjusted_wald": [None, None],
            "n_missing_score": 0,
        },
        "groups": [],
    }


# --- properties -------------------------------------------------------------------------------

scores = st.lists(st.integers(min_value=0, max_value=10), max_size=200)


@given(scores)
def test_groups_add_up(values: list[int]) -> None:
    stats = m.nps_stats(values)
    assert stats["promoters"] + stats["passives"] + stats["detractors"] == stats["n"]


@given(scores.filter(bool))
def test_nps_range_and_intervals(values: list[int]) -> None:
    stats = m.nps_stats(values)
    assert -100 <= stats["nps"] <= 100
    lo, hi = stats["nps_ci"]
    assert -100 <= lo <= stats["nps"] <= hi <= 100
    lo, hi = stats["nps_ci_adjusted_wald"]
    assert -100 <= lo <= stats["nps_adjusted"] <= hi <= 100


@given(scores.filter(bool), scores.filter(bool))
def test_union_is_weighted_mean(a: list[int], b: list[int]) -> None:
    sa, sb, union = m.nps_stats(a), m.nps_stats(b), m.nps_stats(a + b)
    weighted = (sa["n"] * sa["nps"] + sb["n"] * sb["nps"]) / (sa["n"] + sb["n"])
    assert union["nps"] == pytest.approx(weighted, abs=1e-9)


@given(scores.filter(bool))
def test_table_matches_stats(values: list[int]) -> None:
    frame = survey_frame(list(values), ["2024-01-01"] * len(values))
    row = m.nps_table(frame).iloc[0]
    stats = m.nps_stats(values)
    assert row["n"] == stats["n"]
    assert row["nps"] == pytest.approx(stats["nps"])
    assert [row["nps_ci_lo"], row["nps_ci_hi"]] == pytest.approx(stats["nps_ci"])
