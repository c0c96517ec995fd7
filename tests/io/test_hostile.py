"""Hostile input files, made here: every kind of damage is counted, none moves a value.

Each file is written by the test (invalid bytes, mixed encodings, BOMs, NUL, unbalanced
quotes, giant fields, formula cells, repeated headers, truncated files, RTL and emoji),
and a property test damages random CSVs at random.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cxtext.errors import ConfigError, DataValidationError, UnsupportedFormatError
from cxtext.io import ColumnMapping, ingest_file
from cxtext.text.clean import clean_text

MAPPING = ColumnMapping(
    columns={
        "id": ("id",),
        "text": ("text",),
        "nps_score": ("score",),
        "created_at": ("date",),
    }
)
TEXT_ONLY = ColumnMapping(columns={"id": ("id",), "text": ("text",)})
FAST = {"detect_language": False, "redact_pii": False}


def ingest(path: Path, mapping: ColumnMapping = MAPPING, **options: object):
    return ingest_file(path, mapping, **{**FAST, **options})


def quarantined(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def by_id(frame: pd.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["id"], frame[column], strict=True))


def test_one_bad_byte_keeps_the_file_utf8(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(
        "id,text\n1,Très bien\n2,bad \xff\n3,ممتاز جدا 👍\n".encode().replace(
            "\xff".encode(), b"\xff"
        )
    )
    result = ingest(path, TEXT_ONLY, quarantine_path=tmp_path / "q.csv")
    assert by_id(result.frame, "text") == {"1": "Très bien", "3": "ممتاز جدا 👍"}
    report = result.report
    assert (report.read, report.accepted, report.quarantined) == (3, 2, 1)
    assert report.reasons == {"text:invalid_encoding": 1}
    rows = quarantined(tmp_path / "q.csv")
    assert rows[["source_row", "source_line", "text"]].values.tolist() == [["2", "3", "bad \ufffd"]]
    with pytest.raises(DataValidationError, match="line 3") as info:
        ingest(path, TEXT_ONLY, strict=True)
    assert (info.value.row, info.value.column) == (2, "text")


def test_mixed_encodings_quarantine_the_minority_rows(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    utf8 = "".join(f"{i},Größe passt, très bien {i}\n" for i in range(1, 6)).encode()
    legacy = "6,Très bien\n".encode("cp1252")
    path.write_bytes(b"id,text\n" + utf8.replace(b", tr", b" tr") + legacy)
    result = ingest(path, TEXT_ONLY)
    assert result.report.reasons == {"text:invalid_encoding": 1}
    assert result.frame["text"].str.contains("Größe").sum() == 5


def test_legacy_file_whose_first_megabyte_is_ascii(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    ascii_rows = "".join(f"{i},plain ascii comment number {i}\n" for i in range(40_000))
    path.write_bytes(b"id,text\n" + ascii_rows.encode() + "40000,Très bien\n".encode("cp1252"))
    assert path.stat().st_size > 1 << 20
    result = ingest(path, TEXT_ONLY)
    assert result.report.quarantined == 0
    assert result.frame["text"].iloc[-1] == "Très bien"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("id,text\n1,façade\n".encode(encoding))
    result = ingest(path, TEXT_ONLY)
    assert by_id(result.frame, "text") == {"1": "façade"}


def test_nul_is_removed_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"id,text\n1,bad\x00 thing\n2,fine\n")
    result = ingest(path, TEXT_ONLY)
    assert by_id(result.frame, "text") == {"1": "bad thing", "2": "fine"}
    assert result.report.nul_removed == 1


def test_unbalanced_quote_never_moves_values(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        'id,text,score,date\n1,"a,9,2025-01-01\n2,b,5,2025-01-02\n3,c "m" q,7,2025-01-03\n'
    )
    result = ingest(path, quarantine_path=tmp_path / "bad.csv")
    report = result.report
    assert (report.lines, report.read, report.accepted, report.quarantined) == (4, 3, 2, 1)
    assert report.reasons == {"row:unbalanced_quote": 1}
    assert by_id(result.frame, "nps_score") == {"2": 5, "3": 7}
    assert by_id(result.frame, "text") == {"2": "b", "3": 'c "m" q'}
    bad = quarantined(tmp_path / "bad.csv")
    assert bad[["source_row", "source_line", "reasons"]].values.tolist() == [
        ["1", "2", "row:unbalanced_quote"]
    ]
    assert bad["raw_record"].iloc[0] == '1,"a,9,2025-01-01\n'
    with pytest.raises(DataValidationError, match="line 2"):
        ingest(path, strict=True)


@pytest.mark.parametrize(
    "body",
    [
        # The quote closes properly, but in a later row.
        '1,"a,9,2025-01-01\n2,b,5,2025-01-02\n3,c",7,2025-01-03\n',
        # The file ends inside the quote.
        '1,b,5,2025-01-02\n2,"a,9,2025-01-01\n',
    ],
)
def test_quote_closed_in_a_later_row_or_never(tmp_path: Path, body: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text("id,text,score,date\n" + body)
    result = ingest(path)
    assert result.report.reasons == {"row:unbalanced_quote": 1}
    assert result.report.read == result.report.accepted + 1
    assert "a" not in set(result.frame["text"])


def test_multiline_comment_with_commas_is_one_record(tmp_path: Path) -> None:
    comment = "Lovely skirt.\ncolors: red, pink, green, and blue\n\nlength: short, fine"
    path = tmp_path / "multi.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "score", "date"])
        writer.writerow(["1", comment, "9", "2025-01-01"])
        writer.writerow(["2", "next", "3", "2025-01-02"])
    result = ingest(path)
    assert result.report.quarantined == 0
    assert by_id(result.frame, "nps_score") == {"1": 9, "2": 3}
    assert result.frame["text"].iloc[0] == clean_text(comment)


def test_extra_fields_are_quarantined_trailing_delimiters_are_not(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("id,text,score,date\n1,a,b,9,2025-01-01\n2,ok,5,2025-01-02,\n")
    result = ingest(path)
    assert result.report.reasons == {"row:too_many_fields": 1}
    assert by_id(result.frame, "nps_score") == {"2": 5}


def test_giant_field_in_the_first_rows(tmp_path: Path) -> None:
    path = tmp_path / "giant.csv"
    giant = "word " * 60_000
    path.write_text(f'id,text\n1,"{giant}"\n2,short\n')
    result = ingest(path, TEXT_ONLY)
    assert result.report.accepted == 2
    assert len(result.frame["text"].iloc[0]) == len(giant.strip())


def test_quarantine_neutralises_formula_cells(tmp_path: Path) -> None:
    path = tmp_path / "formula.csv"
    path.write_text(
        'id,text,score,date\n1,"=HYPERLINK(""http://x"")",11,2025-01-01\n'
        "2, \t@SUM(A1),11,2025-01-01\n3,-2+3,-5,2025-01-01\n4,+cmd,-5,2025-01-01\n"
    )
    ingest(path, quarantine_path=tmp_path / "bad.csv")
    bad = quarantined(tmp_path / "bad.csv")
    assert bad["text"].tolist() == ['\'=HYPERLINK("http://x")', "' \t@SUM(A1)", "'-2+3", "'+cmd"]
    assert bad["score"].tolist() == ["11", "11", "-5", "-5"]


def test_repeated_mapped_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,text,text,extra,extra\n1,a,b,c,d\n")
    with pytest.raises(DataValidationError, match="'text'") as info:
        ingest(path, TEXT_ONLY)
    assert info.value.column == "text"
    unmapped = ColumnMapping(columns={"id": ("id",), "text": ("extra",)})
    path.write_text("id,text,extra,text\n1,a,c,d\n")
    assert ingest(path, unmapped).frame["text"].tolist() == ["c"]


def test_truncated_jsonl_quarantines_the_cut_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_text('{"id": "1", "text": "ok"}\n{"id": "2", "text": "fi')
    result = ingest(path, TEXT_ONLY)
    assert (result.report.read, result.report.quarantined) == (2, 1)
    assert result.report.reasons == {"row:invalid_json": 1}


def test_truncated_parquet_and_xlsx_are_clear_errors(tmp_path: Path) -> None:
    parquet = tmp_path / "cut.parquet"
    pq.write_table(pa.table({"id": ["1"] * 1000, "text": ["a comment"] * 1000}), parquet)
    parquet.write_bytes(parquet.read_bytes()[:-200])
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "text"])
    workbook.active.append(["1", "a comment"])
    xlsx = tmp_path / "cut.xlsx"
    workbook.save(xlsx)
    xlsx.write_bytes(xlsx.read_bytes()[:-300])
    for path in (parquet, xlsx):
        with pytest.raises(UnsupportedFormatError, match=path.name):
            ingest(path, TEXT_ONLY)


def test_rtl_and_emoji_survive(tmp_path: Path) -> None:
    path = tmp_path / "rtl.csv"
    texts = ["الخدمة ممتازة \u200f👍🏽", "שירות איטי 😡", "👩‍👩‍👧 family plan"]
    path.write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(texts)))
    assert ingest(path, TEXT_ONLY).frame["text"].tolist() == texts


def test_a_quote_closed_at_the_end_of_the_next_row_takes_none_of_its_values(
    tmp_path: Path,
) -> None:
    # Row 0 opens a quote it never closes; row 1 lost its opening quote, so its closing
    # one ends row 0's text field: a strict CSV parser reads one record of the two.
    path = tmp_path / "borrowed.csv"
    path.write_bytes(b'id,score,text\r\n0,5,"tok0\r\n1,0,tok1 a,b"\r\n2,3,tok2\r\n')
    mapping = ColumnMapping(columns={"id": ("id",), "text": ("text",), "nps_score": ("score",)})
    result = ingest(path, mapping)
    assert result.report.reasons == {"row:unbalanced_quote": 1, "row:too_many_fields": 1}
    assert by_id(result.frame, "text") == {"2": "tok2"}
    path.write_bytes(b'id,score,text\r\n0,5,"I called\r\nthree times, twice"\r\n2,3,ok\r\n')
    result = ingest(path, mapping)  # a real comment over two lines stays whole
    assert by_id(result.frame, "text") == {"0": "I called three times, twice", "2": "ok"}


# --- property: random damage never moves a value between rows --------------------------

WORDS = st.sampled_from(["good", "slow", "refund", "a,b", 'say "hi"', "line\nbreak", ""])


def _damage(line: bytes, kind: str, at: int) -> bytes:
    """Damage one physical line of a row (never its id or score)."""
    if kind == "quote":
        return line[: 2 + at % 5] + b'"' + line[2 + at % 5 :]
    if kind == "byte":
        return line.replace(b"tok", b"t\xffok", 1)
    if kind == "nul":
        return line.replace(b"tok", b"t\x00ok", 1)
    if kind == "extra":
        return line.rstrip(b"\r\n") + b",surplus\r\n"
    return line.replace(b'"', b"", 1)  # "unquote": an opening or closing quote goes


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(
    texts=st.lists(st.lists(WORDS, max_size=4), min_size=1, max_size=8),
    scores=st.lists(st.integers(0, 10), min_size=8, max_size=8),
    damage=st.lists(
        st.tuples(
            st.integers(0, 7),
            st.sampled_from(["quote", "byte", "nul", "extra", "unquote"]),
            st.integers(0, 50),
        ),
        max_size=3,
    ),
)
def test_random_damage_never_moves_values(
    tmp_path: Path, texts: list[list[str]], scores: list[int], damage: list
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "score", "text"])
    for i, words in enumerate(texts):
        writer.writerow([str(i), str(scores[i]), " ".join([f"tok{i}", *words])])
    lines = out.getvalue().encode().splitlines(keepends=True)
    for row, kind, at in damage:
        if row + 1 < len(lines):
            lines[row + 1] = _damage(lines[row + 1], kind, at)
    path = tmp_path / "damaged.csv"
    path.write_bytes(b"".join(lines))

    mapping = ColumnMapping(columns={"id": ("id",), "text": ("text",), "nps_score": ("score",)})
    result = ingest(path, mapping)
    report = result.report
    assert report.read == report.accepted + report.quarantined
    event(f"quarantined={min(report.quarantined, 2)}")
    event(f"reasons={sorted(report.reasons)}")
    frame = result.frame
    assert frame["id"].is_unique
    for row_id, score, text in zip(frame["id"], frame["nps_score"], frame["text"], strict=True):
        i = int(row_id)
        assert score == scores[i]
        # The row's own token (maybe with a damaged byte or quote), and no other row's.
        plain = re.sub(r"[^a-z0-9\s]", "", text)
        assert set(re.findall(r"tok(\d+)", plain)) == {str(i)}, (i, text)


def test_relative_date_words_are_not_the_runs_clock(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("id,text,score,date\n1,a,9,now\n2,b,9,Today\n3,c,9,2025-01-02\n")
    result = ingest(path)
    assert result.report.reasons == {"created_at:unparseable_date": 2}
    assert by_id(result.frame, "nps_score") == {"3": 9}


def test_segment_names_with_a_colon_are_refused() -> None:
    with pytest.raises(ConfigError, match="region"):
        ColumnMapping(columns={"text": ("text",)}, segments={"Q3: Region": "Q3: Region"})
