"""Ingestion end to end: report shape, text steps, streaming, Parquet output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from cxtext.errors import DataValidationError
from cxtext.io import ColumnMapping, ingest_file, iter_ingest, write_ingest
from cxtext.schema import CANONICAL_DTYPES

MAPPING = ColumnMapping(
    columns={"id": ("id",), "text": ("comment",), "nps_score": ("score",), "created_at": ("at",)},
    segments={"country": "Country"},
    constants={"survey_type": "relational"},
)
ROWS = [
    ["1", "<p>Great&nbsp;service &amp; fast 👍</p>", "10", "2024-01-01", "NL"],
    ["2", "Mail me: jan@example.nl", "3", "2024-01-02", ""],
    ["3", "", "8", "2024-01-03", "BE"],
    ["4", "Bad", "99", "2024-01-04", "NL"],
]
HEADER = ["id", "comment", "score", "at", "Country"]


def test_report_and_canonical_frame(write_csv) -> None:
    path = write_csv(HEADER, ROWS)
    result = ingest_file(path, MAPPING, detect_language=False)
    frame, report = result.frame, result.report
    assert list(frame.columns) == list(MAPPING.output_dtypes(with_language=False))
    for name in frame.columns:
        expected = CANONICAL_DTYPES.get(name, "string")
        assert str(frame[name].dtype) == str(pd.Series(dtype=expected).dtype), name
    assert frame["text"].tolist() == ["Great service & fast 👍", "Mail me: <EMAIL>", ""]
    assert frame["text_flag"].tolist() == ["", "", "empty"]
    assert frame["source"].tolist() == ["survey"] * 3
    assert frame["survey_type"].tolist() == ["relational"] * 3
    assert frame["country"].tolist()[::2] == ["NL", "BE"] and pd.isna(frame["country"][1])
    data = report.to_dict()
    assert {"read", "accepted", "quarantined", "reasons"} <= set(data)
    assert (data["read"], data["accepted"], data["quarantined"]) == (4, 3, 1)
    assert data["reasons"] == {"nps_score:out_of_range": 1}
    assert data["empty_text"] == 1
    assert data["pii"] == {"email": 1, "iban": 0, "card": 0, "phone": 0}
    assert data["languages"] == {}
    json.dumps(data)


def test_language_detection_and_redaction_switch(write_csv) -> None:
    rows = [
        ["1", "De levering was te laat en niemand heeft mijn e-mails beantwoord.", "", "", ""],
        ["2", "Die aflewering was laat en niemand het my e-posse beantwoord nie.", "", "", ""],
        ["3", "ok", "", "", ""],
        ["4", "call 0612345678", "", "", ""],
    ]
    path = write_csv(HEADER, rows)
    result = ingest_file(path, MAPPING, redact_pii=False, languages=("nl", "af", "en"))
    assert result.frame["language"].tolist()[:3] == ["nl", "af", "und"]
    assert result.frame["text"].iloc[3] == "call 0612345678"
    assert result.report.pii == {}
    assert sum(result.report.languages.values()) == 4


def test_stream_reports_progress_and_fills_report(write_csv) -> None:
    path = write_csv(HEADER, [[str(i), "x", "9", "", ""] for i in range(5)])
    progress: list[int] = []
    stream = iter_ingest(
        path, MAPPING, detect_language=False, chunk_rows=2, on_progress=progress.append
    )
    sizes = [len(chunk) for chunk in stream]
    assert sizes == [2, 2, 1]
    assert progress == [2, 4, 5]
    assert stream.report.read == stream.report.accepted == 5
    assert stream.report.seconds > 0


def test_only_needed_columns_without_text(write_csv) -> None:
    path = write_csv(["score"], [["9"], ["4"]])
    result = ingest_file(path, ColumnMapping.from_flags(score_col="score"))
    assert list(result.frame.columns) == ["id", "source", "nps_score", "nps_group", "source_row"]
    assert result.frame["nps_group"].tolist() == ["promoter", "detractor"]


def test_all_rows_rejected_gives_empty_typed_frame(write_csv) -> None:
    path = write_csv(HEADER, [["1", "x", "11", "", ""]])
    result = ingest_file(path, MAPPING, detect_language=False)
    assert len(result.frame) == 0
    assert list(result.frame.columns) == list(MAPPING.output_dtypes(with_language=False))
    assert str(result.frame["created_at"].dtype) == "datetime64[ns, UTC]"


@pytest.mark.parametrize("suffix", ["jsonl", "parquet", "xlsx"])
def test_other_formats_ingest_alike(tmp_path: Path, suffix: str) -> None:
    raw = pd.DataFrame(ROWS, columns=HEADER)
    path = tmp_path / f"in.{suffix}"
    if suffix == "jsonl":
        raw.to_json(path, orient="records", lines=True, force_ascii=False)
    elif suffix == "parquet":
        raw.to_parquet(path)
    else:
        raw.to_excel(path, index=False)
    result = ingest_file(path, MAPPING, detect_language=False)
    assert result.report.to_dict()["accepted"] == 3
    assert result.frame["text"].iloc[0] == "Great service & fast 👍"
    assert result.frame["nps_score"].tolist() == [10, 3, 8]


def test_write_ingest_parquet_has_one_schema(write_csv, tmp_path: Path) -> None:
    # Chunk 1 has no country and no date at all, chunk 2 has them: the schema must not move.
    rows = [["1", "a", "9", "", ""], ["2", "b", "7", "", ""], ["3", "c", "1", "2024-05-01", "PT"]]
    path = write_csv(HEADER, rows)
    out = tmp_path / "out" / "canonical.parquet"
    report = write_ingest(path, MAPPING, out, detect_language=False, chunk_rows=2)
    assert report.accepted == 3
    assert not out.with_name("canonical.parquet.partial").exists()
    parquet = pq.ParquetFile(out)
    assert parquet.metadata.num_row_groups == 2
    schema = parquet.schema_arrow
    assert str(schema.field("created_at").type) == "timestamp[ns, tz=UTC]"
    assert str(schema.field("nps_score").type) == "int64"
    assert str(schema.field("country").type) == "string"
    back = pd.read_parquet(out)
    assert back["id"].tolist() == ["1", "2", "3"]
    assert back["country"].isna().tolist() == [True, True, False]


def test_write_ingest_failure_leaves_no_file(write_csv, tmp_path: Path) -> None:
    path = write_csv(HEADER, [["1", "a", "9", "", ""], ["2", "b", "x", "", ""]])
    out = tmp_path / "canonical.parquet"
    with pytest.raises(DataValidationError):
        write_ingest(path, MAPPING, out, detect_language=False, strict=True, chunk_rows=1)
    assert list(tmp_path.glob("canonical.parquet*")) == []


def test_write_ingest_reuses_a_killed_runs_partial_and_cleans_up_on_failure(
    write_csv, tmp_path: Path
) -> None:
    path = write_csv(HEADER, ROWS)
    out = tmp_path / "canonical.parquet"
    partial = out.with_name("canonical.parquet.partial")
    partial.write_bytes(b"half a parquet file from a killed run")
    write_ingest(path, MAPPING, out, detect_language=False)
    assert not partial.exists()
    assert len(pd.read_parquet(out)) == 3
    before = out.read_bytes()
    broken = tmp_path / "broken.csv"
    broken.write_text("id,comment,score,at,Country\n1,a,11,,\n")
    with pytest.raises(DataValidationError):
        write_ingest(broken, MAPPING, out, detect_language=False, strict=True)
    assert not partial.exists()
    assert out.read_bytes() == before
