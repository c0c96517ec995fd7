"""The command line as scripts use it: flags, JSON shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxtext.cli import EXIT_DATA, EXIT_USAGE, app

runner = CliRunner()

HEADER = ["ResponseId", "Date", "Score", "Comment", "Country"]
ROWS = [
    ["r1", "2025-01-03", "10", "Great service, mail me at ann@example.com", "NL"],
    ["r2", "2025-01-04", "3", "De factuur klopt weer niet", "NL"],
    ["r3", "2025-01-05", "11", "Score out of range", "BE"],
    ["r4", "not a date", "7", "Fine", "BE"],
    ["r2", "2025-01-06", "8", "Duplicate id", "BE"],
    ["r5", "2025-02-01", "9", "", "BE"],
]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    pd.DataFrame(ROWS, columns=HEADER).to_csv(path, index=False)
    return path


def _flags() -> list[str]:
    return [
        "--id-col",
        "ResponseId",
        "--text-col",
        "Comment",
        "--score-col",
        "Score",
        "--date-col",
        "Date",
    ]


def test_ingest_json_counts_add_up_and_name_reasons(export: Path, tmp_path: Path) -> None:
    out, quarantine = tmp_path / "out.parquet", tmp_path / "bad.csv"
    result = runner.invoke(
        app,
        [
            "ingest",
            str(export),
            *_flags(),
            "--out",
            str(out),
            "--quarantine",
            str(quarantine),
            "--no-detect-language",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["read"] == 6
    assert report["accepted"] == 3 and report["quarantined"] == 3
    assert report["read"] == report["accepted"] + report["quarantined"]
    assert sum(report["reasons"].values()) >= 3
    assert {"nps_score:out_of_range", "created_at:unparseable_date", "id:duplicate"} <= set(
        report["reasons"]
    )
    frame = pd.read_parquet(out)
    assert sorted(frame["id"]) == ["r1", "r2", "r5"]
    assert "<EMAIL>" in frame.set_index("id").loc["r1", "text"]
    assert len(pd.read_csv(quarantine)) == 3


def test_strict_ingest_exits_with_the_data_code_and_names_the_place(
    export: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "ingest",
            str(export),
            *_flags(),
            "--strict",
            "--no-detect-language",
            "--out",
            str(tmp_path / "o.parquet"),
        ],
    )
    assert result.exit_code == EXIT_DATA
    assert "row 3" in result.stderr and "Score" in result.stderr


def test_ingest_without_any_mapping_is_a_usage_error(export: Path) -> None:
    result = runner.invoke(app, ["ingest", str(export)])
    assert result.exit_code == EXIT_USAGE
    assert "--mapping" in result.stderr


def test_metrics_json_contract(export: Path) -> None:
    result = runner.invoke(app, ["metrics", str(export), *_flags(), "--by", "Country", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    overall = report["overall"]
    for key in (
        "n",
        "promoters",
        "passives",
        "detractors",
        "nps",
        "nps_se",
        "nps_ci",
        "nps_ci_adjusted_wald",
    ):
        assert key in overall
    # r1 (10), r2 (3), r5 (9): the three accepted answers.
    assert overall["n"] == 3 and overall["promoters"] == 2 and overall["detractors"] == 1
    assert overall["nps"] == pytest.approx(100 / 3)
    assert len(overall["nps_ci"]) == 2
    assert {g["Country"] for g in report["groups"]} == {"NL", "BE"}


def test_metrics_reads_a_canonical_parquet_and_rejects_a_bad_period(
    export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c.parquet"
    runner.invoke(
        app, ["ingest", str(export), *_flags(), "--out", str(out), "--no-detect-language", "--json"]
    )
    result = runner.invoke(app, ["metrics", str(out), "--period", "month", "--json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    assert [(g["period"], g["n"]) for g in groups] == [("2025-01", 2), ("2025-02", 1)]
    bad = runner.invoke(app, ["metrics", str(out), "--period", "year"])
    assert bad.exit_code == EXIT_USAGE


def test_demo_runs_end_to_end_without_the_encoder(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "demo",
            "--out",
            str(tmp_path),
            "--survey-rows",
            "300",
            "--ticket-rows",
            "100",
            "--no-themes",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    survey = report["ingest"]["survey"]
    assert survey["read"] == 300 == survey["accepted"] + survey["quarantined"]
    assert survey["quarantined"] > 0  # the generator plants bad rows
    assert report["metrics"]["overall"]["n"] == survey["accepted"]
    assert len(report["metrics"]["groups"]) > 3  # by country
    assert "NPS by country" in result.stdout


@pytest.mark.integration
def test_encoder_info_reports_the_verified_default(encoder_folder: Path) -> None:
    result = runner.invoke(
        app, ["encoder", "info", "--verify", "--json", "--cache-dir", str(encoder_folder.parent)]
    )
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["id"] == "cxtext/multilingual-e5-small" and info["dim"] == 384
    assert info["verified"] is True and info["path"] == str(encoder_folder)
    assert info["size_mb"] > 100


def test_compare_two_segments_gives_the_difference_and_its_interval(export: Path) -> None:
    result = runner.invoke(
        app,
        [
            "compare",
            str(export),
            *_flags(),
            "--column",
            "Country",
            "--a",
            "NL",
            "--b",
            "BE",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    # NL: r1 (10) and r2 (3) -> NPS 0; BE: r5 (9) -> NPS 100.
    assert (diff["n_a"], diff["n_b"]) == (2, 1)
    assert diff["diff"] == pytest.approx(-100.0)
    # SE_NL = 100 * sqrt((0.5 + 0.5 - 0) / 2), SE_BE = 0 (a single promoter).
    assert diff["diff_se"] == pytest.approx(100 * 0.5**0.5)
    margin = 1.96 * 100 * 0.5**0.5
    assert diff["diff_ci"] == pytest.approx([-100 - margin, -100 + margin])
    assert diff["excludes_zero"] is False
