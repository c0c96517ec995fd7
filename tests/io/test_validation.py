"""Row validation through ingestion: every reason, quarantine file, strict mode, counts."""

from __future__ import annotations

import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxtext.errors import DataValidationError
from cxtext.io import ColumnMapping, ingest_file

FAST = {"detect_language": False}
SURVEY = ColumnMapping(
    columns={
        "id": ("ResponseId",),
        "text": ("Comment",),
        "nps_score": ("Q1",),
        "created_at": ("EndDate",),
    }
)


def ingest(path: Path, mapping: ColumnMapping = SURVEY, **options: object):
    return ingest_file(path, mapping, **{**FAST, **options})


def reasons_of(quarantine: Path) -> dict[int, str]:
    frame = pd.read_csv(quarantine, dtype=str, keep_default_na=False)
    return dict(zip(frame["source_row"].astype(int), frame["reasons"], strict=True))


def test_nps_scores(write_csv, tmp_path: Path) -> None:
    scores = ["7", "7.0", " 10 ", "0", "", "7.5", "ten", "11", "-1", "inf", "nan"]
    path = write_csv(
        ["ResponseId", "Comment", "Q1", "EndDate"],
        [[str(i), "ok", s, "2024-01-01"] for i, s in enumerate(scores)],
    )
    result = ingest(path, quarantine_path=tmp_path / "q.csv")
    frame = result.frame
    assert frame["nps_score"].tolist()[:4] == [7, 7, 10, 0]
    assert frame["nps_score"].isna().tolist() == [False] * 4 + [True]
    assert frame["nps_group"].tolist()[:4] == ["passive", "passive", "promoter", "detractor"]
    assert pd.isna(frame["nps_group"].iloc[4])
    assert reasons_of(tmp_path / "q.csv") == {
        6: "nps_score:not_an_integer",
        7: "nps_score:not_a_number",
        8: "nps_score:out_of_range",
        9: "nps_score:out_of_range",
        10: "nps_score:not_an_integer",
        11: "nps_score:not_a_number",
    }
    assert result.report.reasons == {
        "nps_score:not_an_integer": 2,
        "nps_score:not_a_number": 2,
        "nps_score:out_of_range": 2,
    }


def test_csat_and_ces_scales(write_csv, tmp_path: Path) -> None:
    path = write_csv(
        ["id", "csat", "ces", "scale"],
        [
            ["1", "5", "7", "1-7"],
            ["2", "0", "", ""],
            ["3", "6", "", ""],
            ["4", "", "6", "1-5"],
            ["5", "", "3", ""],
            ["6", "", "3", "0-10"],
            ["7", "1", "5", "1-5-Reversed"],
        ],
    )
    mapping = ColumnMapping(
        columns={"id": ("id",), "csat": ("csat",), "ces": ("ces",), "ces_scale": ("scale",)}
    )
    result = ingest(path, mapping, quarantine_path=tmp_path / "q.csv")
    assert result.frame["id"].tolist() == ["1", "7"]
    assert result.frame["ces_scale"].tolist() == ["1-7", "1-5-reversed"]
    assert reasons_of(tmp_path / "q.csv") == {
        2: "csat:out_of_range",
        3: "csat:out_of_range",
        4: "ces:out_of_range",
        5: "ces:no_scale",
        6: "ces_scale:unknown_value;ces:no_scale",
    }


def test_ces_without_any_declared_scale(write_csv) -> None:
    path = write_csv(["id", "ces"], [["1", "4"], ["2", ""]])
    result = ingest(path, ColumnMapping(columns={"id": ("id",), "ces": ("ces",)}))
    assert result.report.reasons == {"ces:no_scale": 1}
    assert result.frame["id"].tolist() == ["2"]
    constant = ColumnMapping(
        columns={"id": ("id",), "ces": ("ces",)}, constants={"ces_scale": "1-7"}
    )
    assert ingest(path, constant).frame["ces"].tolist()[0] == 4


def test_dates_offsets_naive_as_utc_and_bad_dates(write_csv, tmp_path: Path) -> None:
    dates = [
        "2015-02-24 11:35:52 -0800",
        "2017-10-31T22:10:47Z",
        "2020-05-27 12:05:15",
        "",
        "garbage",
        "9999-12-31",
        "2024-02-30",
    ]
    path = write_csv(
        ["ResponseId", "Comment", "Q1", "EndDate"],
        [[str(i), "x", "9", d] for i, d in enumerate(dates)],
    )
    result = ingest(path, quarantine_path=tmp_path / "q.csv")
    created = result.frame["created_at"]
    assert str(created.dtype) == "datetime64[ns, UTC]"
    assert created.tolist()[:3] == [
        pd.Timestamp("2015-02-24 19:35:52", tz="UTC"),
        pd.Timestamp("2017-10-31 22:10:47", tz="UTC"),
        pd.Timestamp("2020-05-27 12:05:15", tz="UTC"),
    ]
    assert pd.isna(created.iloc[3])  # an empty date is missing, not bad
    assert reasons_of(tmp_path / "q.csv") == {
        5: "created_at:unparseable_date",
        6: "created_at:out_of_range",
        7: "created_at:unparseable_date",
    }


def test_dayfirst_and_date_format(write_csv) -> None:
    path = write_csv(["id", "d"], [["1", "02/03/2024"], ["2", "13/03/2024"]])
    dayfirst = ColumnMapping(columns={"id": ("id",), "created_at": ("d",)}, dayfirst=True)
    assert ingest(path, dayfirst).frame["created_at"].dt.month.tolist() == [3, 3]
    strict = ColumnMapping(columns={"id": ("id",), "created_at": ("d",)}, date_format="%m/%d/%Y")
    result = ingest(path, strict)
    assert result.frame["created_at"].dt.day.tolist() == [3]
    assert result.report.reasons == {"created_at:unparseable_date": 1}


def test_ticket_times_before_creation(write_csv, tmp_path: Path) -> None:
    path = write_csv(
        ["id", "opened", "replied", "solved", "last"],
        [
            ["1", "2024-01-02 10:00", "2024-01-02 11:00", "2024-01-03", "2024-01-04"],
            ["2", "2024-01-02 10:00", "2024-01-02 09:00", "", ""],
            ["3", "2024-01-02 10:00", "", "2024-01-01", "2024-01-01"],
            ["4", "2024-01-02 10:00", "", "2024-01-05", "2024-01-04"],
            ["5", "", "2024-01-02 09:00", "", ""],
        ],
    )
    mapping = ColumnMapping(
        columns={
            "id": ("id",),
            "created_at": ("opened",),
            "first_response_at": ("replied",),
            "resolved_at": ("solved",),
            "last_resolved_at": ("last",),
        },
        constants={"source": "ticket"},
    )
    result = ingest(path, mapping, quarantine_path=tmp_path / "q.csv")
    assert result.frame["id"].tolist() == ["1", "5"]
    assert reasons_of(tmp_path / "q.csv") == {
        2: "first_response_at:before_created_at",
        3: "resolved_at:before_created_at;last_resolved_at:before_created_at",
        4: "last_resolved_at:before_resolved_at",
    }


def test_source_and_survey_type_columns(write_csv, tmp_path: Path) -> None:
    path = write_csv(
        ["id", "kind", "type"],
        [
            ["1", "Survey", "Relational"],
            ["2", "ticket", ""],
            ["3", "chat", "in-the-moment"],
            ["4", "", "yearly"],
        ],
    )
    mapping = ColumnMapping(columns={"id": ("id",), "source": ("kind",), "survey_type": ("type",)})
    result = ingest(path, mapping, quarantine_path=tmp_path / "q.csv")
    assert result.frame["source"].tolist() == ["survey", "ticket"]
    assert result.frame["survey_type"].tolist()[0] == "relational"
    assert pd.isna(result.frame["survey_type"].iloc[1])
    assert reasons_of(tmp_path / "q.csv") == {
        3: "source:unknown_value",
        4: "source:missing;survey_type:unknown_value",
    }


def test_ids_missing_duplicate_and_composite(write_csv, tmp_path: Path) -> None:
    path = write_csv(
        ["conv", "turn", "text"],
        [["1", "0", "a"], ["1", "1", "b"], ["1", "0", "c"], ["", "2", "d"], ["2", "0", "e"]],
    )
    mapping = ColumnMapping(columns={"id": ("conv", "turn"), "text": ("text",)})
    result = ingest(path, mapping, quarantine_path=tmp_path / "q.csv")
    assert result.frame["id"].tolist() == ["1:0", "1:1", "2:0"]
    assert reasons_of(tmp_path / "q.csv") == {3: "id:duplicate", 4: "id:missing"}


def test_duplicate_ids_across_chunk_boundaries(write_csv, tmp_path: Path) -> None:
    ids = ["a", "b", "c", "a", "d", "b", "b", "e"]
    path = write_csv(["id", "text"], [[i, "x"] for i in ids])
    mapping = ColumnMapping(columns={"id": ("id",), "text": ("text",)})
    result = ingest(path, mapping, chunk_rows=2, quarantine_path=tmp_path / "q.csv")
    assert result.frame["id"].tolist() == ["a", "b", "c", "d", "e"]
    assert result.frame["source_row"].tolist() == [1, 2, 3, 5, 8]
    assert reasons_of(tmp_path / "q.csv") == {
        4: "id:duplicate",
        6: "id:duplicate",
        7: "id:duplicate",
    }
    assert result.report.reasons == {"id:duplicate": 3}


def test_without_id_column_the_row_number_is_the_id(write_csv) -> None:
    path = write_csv(["text"], [["a"], ["b"], ["c"]])
    result = ingest(path, ColumnMapping.from_flags(text_col="text"), chunk_rows=2)
    assert result.frame["id"].tolist() == ["1", "2", "3"]
    assert result.frame["source_row"].tolist() == [1, 2, 3]


def test_all_problems_of_a_row_are_collected(write_csv, tmp_path: Path) -> None:
    path = write_csv(
        ["ResponseId", "Comment", "Q1", "EndDate"],
        [["1", "fine", "9", "2024-01-01"], ["1", "bad", "12", "yesterday-ish"]],
    )
    result = ingest(path, quarantine_path=tmp_path / "q.csv")
    assert reasons_of(tmp_path / "q.csv") == {
        2: "id:duplicate;created_at:unparseable_date;nps_score:out_of_range"
    }
    assert result.report.quarantined == 1
    assert result.report.reasons == {
        "id:duplicate": 1,
        "created_at:unparseable_date": 1,
        "nps_score:out_of_range": 1,
    }


def test_empty_text_is_kept_and_flagged(write_csv) -> None:
    path = write_csv(
        ["ResponseId", "Comment", "Q1", "EndDate"],
        [["1", "", "3", ""], ["2", "  <br> ", "10", ""], ["3", "Great", "9", ""]],
    )
    result = ingest(path)
    assert result.report.accepted == 3 and result.report.quarantined == 0
    assert result.frame["text_flag"].tolist() == ["empty", "empty", ""]
    assert result.frame["text"].tolist() == ["", "", "Great"]
    assert result.report.empty_text == 2


def test_quarantine_file_layout_keeps_raw_values(write_csv, tmp_path: Path) -> None:
    path = write_csv(
        ["ResponseId", "Comment", "Q1", "EndDate", "Extra"],
        [["1", "ok", "9", "", "x"], ["2", " mail a@b.com ", "7.5", "", "y"]],
    )
    quarantine = tmp_path / "out" / "q.csv"
    result = ingest(path, quarantine_path=quarantine)
    assert result.report.quarantine_file == str(quarantine)
    frame = pd.read_csv(quarantine, dtype=str, keep_default_na=False)
    assert frame.to_dict("records") == [
        {
            "source_row": "2",
            "source_line": "3",
            "reasons": "nps_score:not_an_integer",
            "raw_record": "",
            "ResponseId": "2",
            "Comment": " mail a@b.com ",
            "Q1": "7.5",
            "EndDate": "",
            "Extra": "y",
        }
    ]


def test_quarantine_header_written_once_over_chunks(write_csv, tmp_path: Path) -> None:
    path = write_csv(["id", "s"], [[str(i), "99" if i % 2 else "5"] for i in range(7)])
    mapping = ColumnMapping(columns={"id": ("id",), "nps_score": ("s",)})
    ingest(path, mapping, chunk_rows=2, quarantine_path=tmp_path / "q.csv")
    lines = (tmp_path / "q.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("source_row,source_line,reasons,raw_record,")
    assert [line.split(",")[0] for line in lines[1:]] == ["2", "4", "6"]


def test_no_stale_quarantine_file(write_csv, tmp_path: Path) -> None:
    quarantine = tmp_path / "q.csv"
    quarantine.write_text("old run\n")
    path = write_csv(["ResponseId", "Comment", "Q1", "EndDate"], [["1", "ok", "9", ""]])
    result = ingest(path, quarantine_path=quarantine)
    assert not quarantine.exists()
    assert result.report.quarantine_file is None


def test_strict_mode_names_file_row_and_column(write_csv, tmp_path: Path) -> None:
    path = write_csv(
        ["ResponseId", "Comment", "Q1", "EndDate"],
        [
            ["1", "ok", "9", ""],
            ["2", "ok", "8", ""],
            ["3", "ok", "eleven", ""],
            ["4", "", "99", ""],
        ],
    )
    with pytest.raises(DataValidationError) as info:
        ingest(path, strict=True, chunk_rows=2, quarantine_path=tmp_path / "q.csv")
    error = info.value
    assert (error.file, error.row, error.column) == (str(path), 3, "Q1")
    where = f"file {path}, row 3, column 'Q1'"
    assert str(error) == f"{where}: nps_score:not_a_number on line 4: 'eleven'"
    assert not (tmp_path / "q.csv").exists()


def test_strict_mode_on_clean_file_is_silent(write_csv) -> None:
    path = write_csv(["ResponseId", "Comment", "Q1", "EndDate"], [["1", "ok", "9", "2024-01-01"]])
    assert ingest(path, strict=True).report.accepted == 1


GOOD_SCORES = [str(i) for i in range(11)] + ["7.0", ""]
BAD_SCORES = ["11", "-3", "7.5", "x", "1e9"]
GOOD_DATES = ["2024-01-31", "2024-02-01 10:00:00", ""]
BAD_DATES = ["not a date", "2024-13-45"]


@st.composite
def rows(draw: st.DrawFn) -> list[list[str]]:
    n = draw(st.integers(min_value=0, max_value=25))
    ids = draw(
        st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", ""]), min_size=n, max_size=n)
    )
    out = []
    for row_id in ids:
        score = draw(st.sampled_from(GOOD_SCORES + BAD_SCORES))
        date = draw(st.sampled_from(GOOD_DATES + BAD_DATES))
        text = draw(st.text(alphabet=string.ascii_letters + " éü👍", max_size=8))
        out.append([row_id, text, score, date])
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=rows(), chunk_rows=st.integers(min_value=1, max_value=6))
def test_counts_always_add_up(
    write_csv, tmp_path: Path, data: list[list[str]], chunk_rows: int
) -> None:
    path = write_csv(["ResponseId", "Comment", "Q1", "EndDate"], data)
    quarantine = tmp_path / "q.csv"
    result = ingest(path, chunk_rows=chunk_rows, quarantine_path=quarantine)
    report = result.report
    assert report.read == len(data) == report.accepted + report.quarantined
    assert len(result.frame) == report.accepted
    written = len(pd.read_csv(quarantine, dtype=str)) if quarantine.exists() else 0
    assert written == report.quarantined
    # Every accepted row is valid, every rejected row has a reason.
    seen: set[str] = set()
    expected_bad = 0
    for row_id, _, score, date in data:
        bad = row_id == "" or row_id in seen or score in BAD_SCORES or date in BAD_DATES
        if row_id:
            seen.add(row_id)
        expected_bad += bad
    assert report.quarantined == expected_bad
    assert set(result.frame["id"]) <= set("abcdefg") and result.frame["id"].is_unique
