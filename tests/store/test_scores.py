"""NPS counted by the store equals the NPS computed from the rows in pandas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cxtext import schema
from cxtext.analysis.metrics import nps_stats, nps_table, table_records
from cxtext.errors import ConfigError, DataValidationError
from cxtext.report import answers
from cxtext.store import ANY_MODEL, Filters, Store, nps_counts, score_rows, undated_comments
from tests.store.frames import MODEL, VERSION, tagged_frame


@pytest.fixture(scope="module")
def cur(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    frame = tagged_frame(600, seed=3)
    # undated comments, and times near midnight and month ends in other offsets
    frame.loc[frame.index % 13 == 0, schema.CREATED_AT] = pd.NaT
    frame.loc[frame.index % 17 == 0, schema.CREATED_AT] = pd.Timestamp("2024-01-31 23:30:00Z")
    frame.loc[frame.index % 19 == 0, schema.CREATED_AT] = pd.Timestamp("2024-02-04 23:59:59Z")
    store = Store(Path(tmp_path_factory.mktemp("scores")) / "s.duckdb")
    store.write_comments(
        frame, run={"kind": "tag"}, segments=["country", "plan"], model=MODEL, version=VERSION
    )
    with store.reader() as reader, reader.cursor() as cursor:
        yield cursor


FILTERS = [
    Filters(model=ANY_MODEL),
    Filters(model=ANY_MODEL, source="survey"),
    Filters(model=ANY_MODEL, segments={"country": "NL"}),
    Filters(model=ANY_MODEL, language="pt", date_from=pd.Timestamp("2024-02-01").date()),
]


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize(
    ("by", "period"),
    [
        ((), None),
        ((), "day"),
        ((), "week"),
        ((), "month"),
        (("country",), None),
        (("country", "plan"), "month"),
    ],
)
def test_the_store_counts_give_the_pandas_answer(
    cur: duckdb.DuckDBPyConnection, flt: Filters, by: tuple[str, ...], period: str | None
) -> None:
    rows = score_rows(cur, flt, list(by))
    undated = rows[schema.CREATED_AT].isna()
    expected_groups = (
        table_records(nps_table(rows[~undated] if period else rows, by=by, period=period))
        if by or period
        else []
    )
    got = answers.metrics(cur, flt, "nps", by=by, period=period)  # type: ignore[arg-type]
    assert got["overall"] == nps_stats(rows[schema.NPS_SCORE])
    assert got["groups"] == expected_groups
    assert got["n_undated"] == int(undated.sum())
    assert got["n_undated"] > 0 or flt.date_from is not None  # dated filters drop them


def test_counts_add_up_and_a_bad_period_is_refused(cur: duckdb.DuckDBPyConnection) -> None:
    rows = score_rows(cur, Filters(model=ANY_MODEL))
    used = rows[schema.NPS_SCORE].notna() | rows[schema.SOURCE].eq("survey")
    total = nps_counts(cur, Filters(model=ANY_MODEL))
    by_month = nps_counts(cur, Filters(model=ANY_MODEL), period="month")
    undated = undated_comments(cur, Filters(model=ANY_MODEL))
    assert int(total["n"].sum() + total["n_missing_score"].sum()) == int(used.sum())
    dated = used & rows[schema.CREATED_AT].notna()
    assert int(by_month[["n", "n_missing_score"]].to_numpy().sum()) == int(dated.sum())
    assert undated == int(rows[schema.CREATED_AT].isna().sum())
    with pytest.raises(ConfigError, match="period must be one of"):
        nps_counts(cur, Filters(model=ANY_MODEL), period="year")  # type: ignore[arg-type]


@pytest.mark.parametrize("by", [("country", "country"), ("nps_score",), ("period",)])
def test_repeated_or_reserved_segment_names_are_refused(
    cur: duckdb.DuckDBPyConnection, by: tuple[str, ...]
) -> None:
    with pytest.raises(DataValidationError, match="segment columns must be distinct"):
        answers.metrics(cur, Filters(model=ANY_MODEL), "nps", by=by, period="month")
