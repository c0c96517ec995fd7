"""The daily count tables answer exactly what unnesting the comments answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxtext.store import ANY_MODEL, Filters, Store, period_theme_counts, queries, theme_counts
from cxtext.store.queries import COUNT_NAMES, segment_theme_counts, segment_values
from cxtext.store.schema import MIGRATIONS
from tests.store.frames import MODEL, VERSION, publish_demo, tagged_frame

START = date(2024, 1, 1)


def _write(store: Store, frame: pd.DataFrame, **run: str) -> None:
    store.write_comments(
        frame,
        run={"kind": "tag", **run},
        segments=["country", "plan"],
        model=MODEL,
        version=VERSION,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """300 tagged comments over 90 days, and 40 ingested untagged."""
    store = Store(tmp_path_factory.mktemp("daily") / "daily.duckdb")
    publish_demo(store)
    _write(store, tagged_frame(300, seed=3))
    untagged = tagged_frame(40, start=1000, seed=4)[
        ["id", "source", "created_at", "text", "language", "nps_score", "country"]
    ]
    store.write_comments(untagged, run={"kind": "ingest"}, segments=["country"])
    return store


@pytest.fixture
def cur(store: Store) -> Iterator[duckdb.DuckDBPyConnection]:
    with store.reader() as reader, reader.cursor() as cursor:
        yield cursor


def _both(
    cur: duckdb.DuckDBPyConnection, filters: Filters, level: str, period: str | None
) -> tuple[tuple[pd.DataFrame, pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]:
    """Counts from the daily tables and from the comments, for the same filters."""
    daily = queries._count_scope(cur, filters)
    assert daily.daily
    return (
        queries._counts(cur, daily, level, period),
        queries._counts(cur, queries._scope(cur, filters), level, period),
    )


def _assert_same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9, atol=1e-12)


days = st.integers(0, 95).map(lambda k: START + timedelta(days=k))


@st.composite
def one_dimension_filters(draw: st.DrawFn) -> Filters:
    """Dates, at most one of source / language / segment, and a model scope."""
    date_from, date_to = draw(st.none() | days), draw(st.none() | days)
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    dimension = draw(st.sampled_from(["none", "source", "language", "country", "plan"]))
    values = {
        "source": ["survey", "ticket", "chat"],
        "language": ["en", "pt", "nl", "de"],
        "country": ["PT", "NL", "XX"],
        "plan": ["free", "pro"],
    }
    value = draw(st.sampled_from(values.get(dimension, [""])))
    model = draw(st.sampled_from([None, ANY_MODEL, MODEL]))
    return Filters(
        date_from=date_from,
        date_to=date_to,
        source=value if dimension == "source" else None,
        language=value if dimension == "language" else None,
        segments={dimension: value} if dimension in ("country", "plan") else {},
        model=model,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    filters=one_dimension_filters(),
    level=st.sampled_from(["theme", "parent"]),
    period=st.sampled_from([None, "day", "week", "month"]),
)
def test_daily_tables_count_as_the_comments(
    cur: duckdb.DuckDBPyConnection, filters: Filters, level: str, period: str | None
) -> None:
    (themes, totals), (raw_themes, raw_totals) = _both(cur, filters, level, period)
    _assert_same(themes, raw_themes)
    _assert_same(totals, raw_totals)


def test_public_counts_read_the_daily_tables_and_fall_back_for_two_dimensions(
    cur: duckdb.DuckDBPyConnection,
) -> None:
    one = Filters(segments={"country": "PT"})
    assert queries._count_scope(cur, one).daily
    two = Filters(source="survey", segments={"country": "PT"})
    assert not queries._count_scope(cur, two).daily
    # The fallback's answer equals the daily answer of the same comments, filtered in pandas
    # terms: survey comments of PT are those of PT minus the tickets of PT.
    both, both_totals = theme_counts(cur, two)
    pt, pt_totals = theme_counts(cur, one)
    tickets, ticket_totals = theme_counts(cur, Filters(source="ticket", segments={"country": "PT"}))
    assert both_totals["comments"] + ticket_totals["comments"] == pt_totals["comments"]
    volume = both.set_index("theme_id")["volume"].add(
        tickets.set_index("theme_id")["volume"], fill_value=0
    )
    assert volume.sort_index().tolist() == pt.set_index("theme_id")["volume"].sort_index().tolist()


def test_rewrites_recompute_the_daily_tables(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    publish_demo(store)
    _write(store, tagged_frame(120, seed=5))
    with store.reader() as reader, reader.cursor() as cur:
        before = theme_counts(cur, Filters())
    # Re-tag half the comments with other themes, and add new ones.
    _write(store, tagged_frame(60, seed=5, theme_shift=2))
    _write(store, tagged_frame(30, start=500, seed=6))
    with store.reader() as reader, reader.cursor() as cur:
        after = theme_counts(cur, Filters())
        assert after[1]["comments"] == 150
        assert not after[0].equals(before[0])
        for period in (None, "week"):
            (themes, totals), (raw_themes, raw_totals) = _both(cur, Filters(), "theme", period)
            _assert_same(themes, raw_themes)
            _assert_same(totals, raw_totals)


def test_migration_builds_the_daily_tables_of_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    store = Store(path)
    publish_demo(store)
    _write(store, tagged_frame(80, seed=7))
    with store.reader() as reader, reader.cursor() as cur:
        expected = period_theme_counts(cur, Filters(segments={"plan": "pro"}), period="month")
    # Take the file back to schema 2, as a store written before the daily tables.
    with duckdb.connect(str(path)) as con:
        dropped = (
            "daily_totals",
            "daily_theme_counts",
            "cases",
            "case_events",
            "case_deliveries",
            "actions",
        )
        for table in dropped:
            con.execute(f"DROP TABLE {table}")
        con.execute("ALTER TABLE comments DROP COLUMN customer_id")
        con.execute("ALTER TABLE themes DROP COLUMN stability")
        con.execute("DELETE FROM schema_migrations WHERE version >= 3")
    assert MIGRATIONS[2].version == 3
    store.migrate()
    with store.reader() as reader, reader.cursor() as cur:
        got = period_theme_counts(cur, Filters(segments={"plan": "pro"}), period="month")
        assert segment_values(cur, "plan") == ["free", "pro"]
    # A store from before stability was measured has none to show.
    assert got[0]["stability"].isna().all()
    _assert_same(got[0].drop(columns="stability"), expected[0].drop(columns="stability"))
    _assert_same(got[1], expected[1])


def test_empty_scope_counts_zero(cur: duckdb.DuckDBPyConnection) -> None:
    themes, totals = theme_counts(cur, Filters(language="xx"))
    assert themes.empty and totals["comments"] == 0
    assert set(totals.values()) == {0}
    themes, totals = period_theme_counts(cur, Filters(date_from=date(2030, 1, 1)))
    assert themes.empty and totals.empty


def test_undated_comments_count_in_totals_not_in_periods(tmp_path: Path) -> None:
    store = Store(tmp_path / "u.duckdb")
    publish_demo(store)
    frame = tagged_frame(20, seed=8)
    frame.loc[:4, "created_at"] = pd.NaT
    _write(store, frame)
    with store.reader() as reader, reader.cursor() as cur:
        _, totals = theme_counts(cur, Filters())
        _, by_week = period_theme_counts(cur, Filters())
    assert totals["comments"] == 20
    assert int(np.sum(by_week["comments"])) == 15


@pytest.mark.parametrize("level", ["theme", "parent"])
def test_segment_breakdown_matches_a_count_per_value(
    cur: duckdb.DuckDBPyConnection, level: str
) -> None:
    flt = Filters(date_from=START + timedelta(days=10), model=MODEL, version=VERSION)
    frame = segment_theme_counts(cur, flt, "country", 1, level=level)
    assert queries._count_scope(cur, flt, by="segment:country").daily
    assert frame["value"].tolist() == ["NL", "PT"]
    for row in frame.to_dict("records"):
        themes, totals = theme_counts(cur, replace(flt, segments={"country": row["value"]}), level)
        theme = themes[themes["theme_id"] == 1].iloc[0]
        assert row["comments"] == totals["comments"] > 0
        assert [row[name] for name in COUNT_NAMES] == [totals[name] for name in COUNT_NAMES]
        assert (row["volume"], row["theme_detractors"], row["theme_promoters"]) == (
            theme["volume"],
            theme["detractors"],
            theme["promoters"],
        )
    # With another dimension in the filters, each value is counted on its own: same answer
    # as the comments give.
    survey = replace(flt, source="survey")
    assert not queries._count_scope(cur, survey, by="segment:country").daily
    by_value = segment_theme_counts(cur, survey, "country", 1, level=level)
    assert by_value["value"].tolist() == ["NL", "PT"]
    nl, nl_totals = theme_counts(cur, replace(survey, segments={"country": "NL"}), level)
    assert by_value.iloc[0]["comments"] == nl_totals["comments"]
    assert by_value.iloc[0]["volume"] == nl[nl["theme_id"] == 1]["volume"].iloc[0]
