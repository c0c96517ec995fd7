"""Readers: formats, encodings, delimiters, chunking, unreadable files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxtext.errors import UnsupportedFormatError
from cxtext.io.delimited import detect_encoding, sniff_delimiter
from cxtext.io.readers import open_table

TEXT = "id,text\n1,café crème\n2,très bien\n"


def read_all(path: Path, **options: object) -> pd.DataFrame:
    table = open_table(path, **options)  # type: ignore[arg-type]
    return pd.concat(list(table.iter_chunks()), ignore_index=True)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(TEXT.encode(encoding))
    frame = read_all(path)
    assert list(frame.columns) == ["id", "text"]
    assert frame["text"].tolist() == ["café crème", "très bien"]


def test_cp1252_euro_sign_and_emoji_in_utf8(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("id,text\n1,kost 5 € te veel\n".encode("cp1252"))
    assert read_all(legacy)["text"].tolist() == ["kost 5 € te veel"]
    modern = tmp_path / "modern.csv"
    modern.write_text("id,text\n1,top 👍 شكرا\n", encoding="utf-8")
    assert read_all(modern)["text"].tolist() == ["top 👍 شكرا"]


def test_detect_encoding_rules() -> None:
    assert detect_encoding(b"\xef\xbb\xbfa,b\n", complete=True) == "utf-8-sig"
    assert detect_encoding("a,b\n".encode("utf-16"), complete=True) == "utf-16"
    assert detect_encoding("é".encode(), complete=True) == "utf-8"
    # A multi-byte character cut at the end of a partial sample is still UTF-8.
    assert detect_encoding("abcé".encode()[:-1], complete=False) == "utf-8"
    assert detect_encoding("abcé".encode("latin-1"), complete=True) == "cp1252"
    # 0x81 is undefined in cp1252: latin-1 decodes anything.
    assert detect_encoding(b"a\x81\xe9", complete=True) in {"latin-1", "cp1250", "cp1256"}


@pytest.mark.parametrize(
    ("delimiter", "name"), [(";", "in.csv"), ("\t", "in.csv"), ("|", "in.csv"), ("\t", "in.tsv")]
)
def test_delimiters(tmp_path: Path, delimiter: str, name: str) -> None:
    path = tmp_path / name
    rows = ["id", "text", "score"], ["1", "hello, world; yes", "7"], ["2", "ok", "8"]
    path.write_text(
        "\n".join(delimiter.join(f'"{v}"' if "," in v else v for v in r) for r in rows) + "\n"
    )
    frame = read_all(path)
    assert list(frame.columns) == ["id", "text", "score"]
    assert frame.to_dict("records") == [
        {"id": "1", "text": "hello, world; yes", "score": "7"},
        {"id": "2", "text": "ok", "score": "8"},
    ]


def test_sniff_delimiter_prefers_consistent_split() -> None:
    assert sniff_delimiter('a;b;c\n1;"x, y, z";3\n') == ";"
    assert sniff_delimiter('a,b\n1,"x; y"\n') == ","
    assert sniff_delimiter("only\none\n") == ","


def test_everything_is_read_as_text(write_csv) -> None:
    path = write_csv(
        ["id", "score", "empty"], [["570306133677760513", "007", ""], ["NA", "7.0", "null"]]
    )
    frame = read_all(path)
    assert frame["id"].tolist() == ["570306133677760513", "NA"]
    assert frame["score"].tolist() == ["007", "7.0"]
    assert frame["empty"].tolist() == ["", "null"]
    assert all(str(dtype) == "str" for dtype in frame.dtypes)


def test_chunks_respect_chunk_rows_and_mark_short_rows(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("a,b\n1,x\n2\n\n3,z\n4,w\n5,v\n")
    chunks = list(open_table(path, chunk_rows=2).iter_chunks())
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert all(list(c.index) == list(range(len(c))) for c in chunks)
    assert chunks[0].attrs["row_info"].damage == ["", "too_few_fields"]
    assert chunks[1].attrs["row_info"].lines == [5, 6]  # the blank line 4 is skipped
    frame = pd.concat(chunks, ignore_index=True)
    assert frame["a"].tolist() == ["1", "", "3", "4", "5"]
    assert frame["b"].tolist() == ["x", "", "z", "w", "v"]


def test_header_names_are_stripped_and_unnamed_columns_named(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(",  Comment ,Score\n0,hi,9\n")
    assert open_table(path).columns == ["Unnamed: 0", "Comment", "Score"]


def test_row_with_too_many_fields_is_damaged_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("a,b\n1,2\n3,4,5\n6,7,\n")
    (chunk,) = open_table(path).iter_chunks()
    assert chunk.to_dict("records") == [
        {"a": "1", "b": "2"},
        {"a": "", "b": ""},
        {"a": "6", "b": "7"},
    ]
    assert chunk.attrs["row_info"].damage == ["", "too_many_fields", ""]
    assert chunk.attrs["row_info"].raw[1] == "3,4,5\n"
    assert chunk.attrs["row_info"].lines == [2, 3, 4]


def test_jsonl_keeps_exact_values(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        '{"id": 570306133677760513, "score": 7.0, "ok": true, "gone": null, "meta": {"a": 1}}',
        "",
        '{"id": "x2", "text": "später 👍", "score": 10}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert open_table(path).columns == ["id", "score", "ok", "gone", "meta", "text"]
    frame = read_all(path)
    assert frame.to_dict("records") == [
        {
            "id": "570306133677760513",
            "score": "7.0",
            "ok": "true",
            "gone": "",
            "meta": '{"a": 1}',
            "text": "",
        },
        {"id": "x2", "score": "10", "ok": "", "gone": "", "meta": "", "text": "später 👍"},
    ]
    # Columns are the keys of the first chunk: with one row per chunk, "text" comes too late.
    assert open_table(path, chunk_rows=1).columns == ["id", "score", "ok", "gone", "meta"]
    assert "text" not in read_all(path, chunk_rows=1).columns


def test_jsonl_invalid_line_is_damaged_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1}\n\n[2]\n{"id": 2\n{"id": 3}\n')
    (chunk,) = open_table(path).iter_chunks()
    assert chunk["id"].tolist() == ["1", "", "", "3"]
    assert chunk.attrs["row_info"].damage == ["", "not_an_object", "invalid_json", ""]
    assert chunk.attrs["row_info"].lines == [1, 3, 4, 5]
    assert chunk.attrs["row_info"].raw[2] == '{"id": 2\n'


def test_parquet_columns_become_text_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    table = pa.table(
        {
            "id": pa.array([570306133677760513, 2, 3], pa.int64()),
            "score": pa.array([7.0, None, 7.5]),
            "when": pa.array(
                [dt.datetime(2024, 1, 2, 3, 4, 5), None, None], pa.timestamp("us", tz="UTC")
            ),
            "tags": pa.array([["a"], [], None]),
            "text": pa.array(["é 👍", None, "x"]).dictionary_encode(),
        }
    )
    pq.write_table(table, path)
    chunks = list(open_table(path, chunk_rows=2).iter_chunks())
    assert [len(c) for c in chunks] == [2, 1]
    frame = pd.concat(chunks, ignore_index=True)
    assert frame["id"].tolist() == ["570306133677760513", "2", "3"]
    assert frame["score"].tolist() == ["7", "", "7.5"]
    assert pd.Timestamp(frame["when"][0]) == pd.Timestamp("2024-01-02 03:04:05", tz="UTC")
    assert json.loads(frame["tags"][0]) == ["a"]
    assert frame["text"].tolist() == ["é 👍", "", "x"]


def test_xlsx_first_sheet_dates_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "text", "score", "when", None])
    sheet.append([1, "café 👍", 7, dt.datetime(2024, 3, 1, 9, 30), None])
    sheet.append([None, None, None, None, None])
    sheet.append(["2", "مرحبا", 7.5, None, "extra"])
    other = book.create_sheet("second")
    other.append(["x"])
    other.append(["only here"])
    book.save(path)
    frame = read_all(path)
    assert list(frame.columns) == ["id", "text", "score", "when", "Unnamed: 4"]
    assert frame.to_dict("records") == [
        {
            "id": "1",
            "text": "café 👍",
            "score": "7",
            "when": "2024-03-01 09:30:00",
            "Unnamed: 4": "",
        },
        {"id": "2", "text": "مرحبا", "score": "7.5", "when": "", "Unnamed: 4": "extra"},
    ]
    assert read_all(path, sheet="second")["x"].tolist() == ["only here"]
    with pytest.raises(UnsupportedFormatError, match="no worksheet 'nope'"):
        open_table(path, sheet="nope")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("in.docx", b"x", "unsupported file extension '.docx'"),
        ("noext", b"x", "unsupported file extension"),
        ("in.csv", b"", "empty"),
        ("in.xlsx", b"not a zip", "cannot open as xlsx"),
        ("in.parquet", b"not parquet", "cannot read as parquet"),
    ],
)
def test_unreadable_files_raise_unsupported_format(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnsupportedFormatError, match=message) as info:
        open_table(path)
    assert info.value.file == str(path)


def test_missing_file_raises_unsupported_format(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match="cannot read the file"):
        open_table(tmp_path / "absent.csv")


def test_undecodable_text_with_forced_encoding(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("id,text\n1,é\n2,ok\n".encode("latin-1"))
    (chunk,) = open_table(path, encoding="utf-8").iter_chunks()
    assert chunk["text"].tolist() == ["\ufffd", "ok"]
    assert chunk.attrs["row_info"].bad_bytes == [(0, "text")]
