"""Queries over the tiny hand-checked store (tests/store/frames.py, TINY and UNTAGGED)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxtext import schema
from cxtext.analysis.drivers import theme_impact
from cxtext.errors import DataValidationError
from cxtext.store import (
    ANY_MODEL,
    Filters,
    Store,
    comments_page,
    period_theme_counts,
    score_rows,
    theme_counts,
    theme_detail,
)
from tests.store.frames import MODEL, VERSION, ids_of, tagged_frame


@pytest.fixture
def cur(tiny_store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    with tiny_store.reader() as reader, reader.cursor() as cursor:
        yield cursor


def _counts(frame: pd.DataFrame) -> dict[int, dict[str, object]]:
    return {int(row.pop("theme_id")): row for row in frame.to_dict("records")}


def test_theme_counts_by_hand(cur: duckdb.DuckDBPyConnection) -> None:
    themes, totals = theme_counts(cur, Filters())
    assert totals == {
        "comments": 6,
        "detractors": 1,
        "passives": 1,
        "promoters": 2,
        "unscored": 2,
        "predicted_detractors": 1,
        "predicted_passives": 0,
        "predicted_promoters": 0,
    }
    assert themes["theme_id"].tolist() == [2, 1, 3]  # by volume, then id
    counts = _counts(themes)
    columns = ["volume", "detractors", "passives", "promoters", "unscored", "predicted_detractors"]
    assert [counts[1][c] for c in columns] == [2, 1, 0, 1, 0, 0]  # a, b
    assert [counts[2][c] for c in columns] == [3, 1, 0, 1, 1, 1]  # a, c, e
    assert [counts[3][c] for c in columns] == [2, 0, 0, 1, 1, 0]  # e, f (f has no prediction)
    # Clause sentiment: theme 1 (-0.8, -0.4, 0.6), theme 2 (0.2, -0.5, 0.9), theme 3 (0.4, -0.2)
    assert counts[1]["sentiment"] == pytest.approx(-0.2)
    assert counts[2]["sentiment"] == pytest.approx(0.2)
    assert counts[3]["sentiment"] == pytest.approx(0.1)
    assert counts[2]["label"] == "theme 2"
    # theme 1: respondents a (detractor), b (promoter); the rest d (passive), e (promoter)
    impact = theme_impact(themes, totals)
    assert impact["impact"].iloc[1] == pytest.approx(2 * (0 - 50) / 4)


def test_parent_counts_by_hand(cur: duckdb.DuckDBPyConnection) -> None:
    themes, _ = theme_counts(cur, Filters(), level="parent")
    counts = _counts(themes)
    assert set(counts) == {0, 1}
    assert (counts[0]["volume"], counts[0]["sentiment"]) == (2, pytest.approx(-0.2))
    assert counts[1]["volume"] == 4  # a, c, e, f
    assert counts[1]["sentiment"] == pytest.approx((0.2 - 0.5 + 0.4 + 0.9 - 0.2) / 5)
    assert (counts[1]["unscored"], counts[1]["predicted_detractors"]) == (2, 1)
    assert counts[1]["label"] == "group 1"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(date_from=date(2024, 3, 1), date_to=date(2024, 3, 1)), ["a", "b"]),
        (Filters(date_from=date(2024, 3, 2)), ["c", "d", "e"]),
        (Filters(date_to=date(2024, 3, 31)), ["a", "b", "c", "d"]),
        (Filters(source="ticket"), ["c", "f"]),
        (Filters(language="pt"), ["b", "c"]),
        (Filters(segments={"country": "PT"}), ["a", "b", "f"]),
        (Filters(segments={"country": "PT", "plan": "free"}), ["b", "f"]),
        (Filters(segments={"plan": "pro"}, source="survey"), ["a", "e"]),
        (Filters(segments={"nothing": "PT"}), []),
        (Filters(model=ANY_MODEL), ["a", "b", "c", "d", "e", "f", "g"]),
        (Filters(model=ANY_MODEL, segments={"country": "PT"}), ["a", "b", "f", "g"]),
        (Filters(model=MODEL, version="v0"), []),
        (Filters(model=MODEL), ["a", "b", "c", "d", "e", "f"]),
    ],
)
def test_filters(cur: duckdb.DuckDBPyConnection, filters: Filters, expected: list[str]) -> None:
    assert ids_of(score_rows(cur, filters)) == expected
    _, totals = theme_counts(cur, filters)
    assert totals["comments"] == len(expected)
    rows, _ = comments_page(cur, filters, limit=10)
    assert sorted(row["id"] for row in rows) == expected


@pytest.mark.parametrize(
    "filters",
    [
        Filters(date_from=date.min),
        Filters(date_to=date.max),
        Filters(date_from=date.min, date_to=date.max),
        Filters(date_to=date.max, source="survey", language="en"),  # read from the comments
    ],
)
def test_calendar_limits_are_valid_bounds(cur: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    """0001-01-01 and 9999-12-31 are bounds like any other: every query answers as with
    bounds far from the data."""
    unbounded = replace(
        filters,
        date_from=filters.date_from and date(1900, 1, 1),
        date_to=filters.date_to and date(2100, 12, 31),
    )
    assert ids_of(score_rows(cur, filters)) == ids_of(score_rows(cur, unbounded))
    assert theme_counts(cur, filters)[1] == theme_counts(cur, unbounded)[1]
    assert len(period_theme_counts(cur, filters)[0]) == len(period_theme_counts(cur, unbounded)[0])
    rows, _ = comments_page(cur, filters, limit=10)
    assert [r["id"] for r in rows] == [r["id"] for r in comments_page(cur, unbounded, limit=10)[0]]


def test_filters_reject_reversed_dates(cur: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(DataValidationError, match="date_from"):
        theme_counts(cur, Filters(date_from=date(2024, 3, 2), date_to=date(2024, 3, 1)))


def test_filtered_theme_counts(cur: duckdb.DuckDBPyConnection) -> None:
    themes, totals = theme_counts(cur, Filters(segments={"country": "PT"}))  # a, b, f
    assert (totals["comments"], totals["detractors"], totals["promoters"]) == (3, 1, 1)
    counts = _counts(themes)
    assert {t: c["volume"] for t, c in counts.items()} == {1: 2, 2: 1, 3: 1}
    assert counts[3]["sentiment"] == pytest.approx(-0.2)


def test_period_theme_counts(cur: duckdb.DuckDBPyConnection) -> None:
    themes, totals = period_theme_counts(cur, Filters(), period="week")
    weeks = [str(p.start_time.date()) for p in totals["period"]]
    assert weeks == ["2024-02-26", "2024-03-04", "2024-04-01"]  # Mondays; f has no date
    assert totals["comments"].tolist() == [3, 1, 1]
    by_key = {
        (str(p.start_time.date()), int(t)): v
        for p, t, v in themes[["period", "theme_id", "volume"]].itertuples(index=False)
    }
    assert by_key == {
        ("2024-02-26", 1): 2,
        ("2024-02-26", 2): 2,
        ("2024-04-01", 2): 1,
        ("2024-04-01", 3): 1,
    }
    _, month_totals = period_theme_counts(cur, Filters(), period="month", level="parent")
    assert [str(p) for p in month_totals["period"]] == ["2024-03", "2024-04"]
    assert month_totals["comments"].tolist() == [4, 1]
    with pytest.raises(DataValidationError, match="period"):
        period_theme_counts(cur, Filters(), period="year")  # type: ignore[arg-type]


def test_comments_page_filters_and_rows(cur: duckdb.DuckDBPyConnection) -> None:
    def ids(**kwargs: object) -> list[str]:
        rows, _ = comments_page(cur, Filters(), **kwargs)  # type: ignore[arg-type]
        return [row["id"] for row in rows]

    assert ids() == ["e", "d", "c", "b", "a", "f"]  # newest first, undated last
    assert ids(theme_id=2) == ["e", "c", "a"]
    assert ids(theme_id=1, level="parent") == ["e", "c", "a", "f"]
    assert ids(nps_group="promoter") == ["e", "b"]
    assert ids(sentiment_min=0.0, sentiment_max=0.65) == ["d", "b"]
    assert ids(text_query="late") == ["e", "c", "a"]  # case-insensitive
    assert ids(text_query="_fee") == ["c"]
    assert ids(text_query="100%") == ["c"]  # % and _ are literal
    assert ids(text_query="%") == ["c"]
    (row,), _ = comments_page(cur, Filters(), theme_id=2, nps_group="detractor")
    assert row["id"] == "a"
    assert row["theme_ids"] == [1, 2]
    assert row["parent_theme_ids"] == [0, 1]
    assert row["segments"] == {"country": "PT", "plan": "pro"}
    assert (row["theme_label"], row["model"], row["model_version"]) == ("theme 1", MODEL, VERSION)
    assert (row["nps_score"], row["nps_group"], row["created_at"].isoformat()) == (
        2,
        "detractor",
        "2024-03-01T10:00:00+00:00",
    )
    with pytest.raises(DataValidationError, match="nps_group"):
        ids(nps_group="angry")
    with pytest.raises(DataValidationError, match="limit"):
        ids(limit=0)


def test_pagination_walks_every_row_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    frame = tagged_frame(237)
    frame.loc[::3, schema.CREATED_AT] = pd.Timestamp("2024-02-01", tz="UTC")  # ties
    frame.loc[::7, schema.CREATED_AT] = pd.NaT  # undated
    store.write_comments(frame, run={"kind": "tag"})
    expected = (
        frame.assign(undated=frame[schema.CREATED_AT].isna())
        .sort_values(["undated", schema.CREATED_AT, schema.ID], ascending=[True, False, False])[
            schema.ID
        ]
        .tolist()
    )
    seen: list[str] = []
    cursor = None
    pages = 0
    with store.reader() as reader, reader.cursor() as cur:
        while True:
            rows, cursor = comments_page(cur, Filters(), cursor=cursor, limit=20)
            seen += [row["id"] for row in rows]
            pages += 1
            if cursor is None:
                break
    assert seen == expected
    assert pages == 12  # 237 rows / 20, the last page short
    assert len(set(seen)) == len(seen) == 237


def test_filtered_pages_of_writes_out_of_time_order(tmp_path: Path) -> None:
    """Pages look back in growing windows; a sparse filter and an older second write must
    still give every matching row once, newest first."""
    store = Store(tmp_path / "s.duckdb")
    newer = tagged_frame(150, seed=1)
    older = tagged_frame(150, start=500, seed=2)
    older[schema.CREATED_AT] -= pd.Timedelta(days=400)
    store.write_comments(newer, run={"kind": "tag"})
    store.write_comments(older, run={"kind": "tag"})
    frame = pd.concat([newer, older], ignore_index=True)
    match = frame[[2 in list(ids) for ids in frame[schema.THEME_IDS]]]
    match = match[match[schema.SOURCE] == "ticket"]
    expected = match.sort_values([schema.CREATED_AT, schema.ID], ascending=False)[schema.ID]
    seen: list[str] = []
    cursor = None
    with store.reader() as reader, reader.cursor() as cur:
        while True:
            rows, cursor = comments_page(
                cur, Filters(source="ticket"), theme_id=2, cursor=cursor, limit=7
            )
            seen += [row["id"] for row in rows]
            if cursor is None:
                break
    assert len(expected) > 20
    assert seen == expected.tolist()


@pytest.mark.parametrize("moment", ["2024-W09-5", "20240301T000000Z", "2024-03-01T00:00:00"])
def test_cursor_times_in_other_iso_forms(cur: duckdb.DuckDBPyConnection, moment: str) -> None:
    """Any ISO 8601 time Python reads is a valid cursor time (naive means UTC)."""
    cursor = base64.urlsafe_b64encode(json.dumps([moment, "zzz"]).encode()).decode()
    rows, _ = comments_page(cur, Filters(), cursor=cursor)
    # 2024-03-01 00:00 UTC: every tagged comment is newer, but for the undated one
    assert [row["id"] for row in rows] == ["f"]


def _cursor(moment: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([moment, "zzz"]).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "bm90IGpzb24=",
        "WzFd",
        "WyJ4IiwgImEiXQ==",
        _cursor("9999-12-31T23:00:00-05:00"),  # past the calendar in UTC
        _cursor("0001-01-01T00:00:00+05:00"),  # before it
    ],
)
def test_invalid_cursor(cur: duckdb.DuckDBPyConnection, cursor: str) -> None:
    with pytest.raises(DataValidationError, match="cursor"):
        comments_page(cur, Filters(), cursor=cursor)


def test_score_rows_for_metrics(cur: duckdb.DuckDBPyConnection) -> None:
    rows = score_rows(cur, Filters(model=ANY_MODEL), ["country", "plan"])
    assert list(rows.columns) == [
        schema.ID,
        schema.SOURCE,
        schema.CREATED_AT,
        schema.LANGUAGE,
        schema.NPS_SCORE,
        schema.NPS_GROUP,
        schema.CSAT,
        schema.SENTIMENT,
        schema.PREDICTED_NPS_GROUP,
        schema.CES,
        schema.CES_SCALE,
        schema.FIRST_RESPONSE_AT,
        schema.RESOLVED_AT,
        schema.LAST_RESOLVED_AT,
        "country",
        "plan",
    ]
    assert str(rows[schema.CREATED_AT].dtype) == "datetime64[ns, UTC]"
    assert str(rows[schema.NPS_SCORE].dtype) == "Int64"
    g = rows.set_index(schema.ID).loc["g"]
    assert (g[schema.NPS_SCORE], g[schema.NPS_GROUP], g["country"]) == (3, "detractor", "PT")
    assert pd.isna(g["plan"])
    assert rows[schema.NPS_SCORE].sum() == 2 + 9 + 7 + 10 + 3
    with pytest.raises(DataValidationError, match="segment columns"):
        score_rows(cur, Filters(), ["source"])


def test_theme_detail(cur: duckdb.DuckDBPyConnection) -> None:
    theme = theme_detail(cur, MODEL, VERSION, 1, "theme")
    assert theme is not None
    assert (theme["label"], theme["parent_id"], theme["size"], theme["origin"]) == (
        "theme 1",
        0,
        20,
        "discovered",
    )
    assert theme["keywords_by_language"]["pt"] == [["palavra", 0.4]]
    assert theme["representatives"][0]["text"] == "example"
    assert theme["children"] == []
    parent = theme_detail(cur, MODEL, VERSION, 1, "parent")
    assert parent is not None
    assert [child["theme_id"] for child in parent["children"]] == [2, 3]
    assert theme_detail(cur, MODEL, VERSION, 99, "theme") is None


def test_labels_follow_the_model_scope(cur: duckdb.DuckDBPyConnection) -> None:
    themes, _ = theme_counts(cur, Filters(model=ANY_MODEL))
    assert themes["label"].isna().all()  # no single model version: no labels
    assert np.array_equal(themes["volume"].to_numpy(), [3, 2, 2])


def test_ces_and_ticket_times_are_stored_and_replaced(tmp_path: Path) -> None:
    from cxtext.analysis.metrics import ces_table, response_time_table

    created = pd.Timestamp("2026-01-05 09:00", tz="UTC")
    frame = pd.DataFrame(
        {
            schema.ID: ["t1", "t2", "s1"],
            schema.SOURCE: ["ticket", "ticket", "survey"],
            schema.CREATED_AT: [created] * 3,
            schema.FIRST_RESPONSE_AT: [created + pd.Timedelta(hours=2), pd.NaT, pd.NaT],
            schema.RESOLVED_AT: [created + pd.Timedelta(hours=5), pd.NaT, pd.NaT],
            schema.CES: pd.array([None, None, 6], dtype="Int64"),
            schema.CES_SCALE: [None, None, "1-7"],
        }
    )
    store = Store(tmp_path / "s.duckdb")
    store.write_comments(frame, run={"kind": "ingest"})
    store.write_comments(frame, run={"kind": "ingest"})  # replaced, not doubled
    with store.reader() as reader:
        rows = score_rows(reader.cursor(), Filters(model=ANY_MODEL))
        facts = reader.cursor().execute("SELECT count(*) FROM comment_facts").fetchall()
    assert facts[0][0] == 2  # t2 has none of the facts
    times = response_time_table(rows).set_index("metric")
    assert times.loc["first_response", "median_hours"] == pytest.approx(2.0)
    assert times.loc["first_response", "n_open"] == 1
    assert ces_table(rows)["n"].tolist() == [1]


def test_recent_filters_keep_exactly_the_last_periods(cur: duckdb.DuckDBPyConnection) -> None:
    from cxtext.store.queries import recent_filters

    full, full_totals = period_theme_counts(cur, Filters(), period="week")
    for periods in (1, 2):
        narrowed = recent_filters(cur, Filters(), period="week", periods=periods)
        assert narrowed.date_from is not None and narrowed.date_from.weekday() == 0
        part, totals = period_theme_counts(cur, narrowed, period="week")
        last = sorted(full_totals["period"].unique())[-periods:]
        assert sorted(totals["period"].unique()) == [p for p in last if p >= totals["period"].min()]
        expected = full[full["period"].isin(totals["period"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(part.reset_index(drop=True), expected)
