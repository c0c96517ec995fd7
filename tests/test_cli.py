"""The command line as scripts use it: flags, JSON shapes and exit codes."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxtext.cli import EXIT_DATA, EXIT_USAGE, app
from cxtext.cli import themes as cli_themes
from cxtext.persistence import replacing
from cxtext.store import Store, incoming
from tests.fakes import PHRASES, FakeEncoder
from tests.fakes import fake_models as build_fake_models

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


# --- tag with the fake encoder ---------------------------------------------------------

TAG_HEADER = ["Id", "Date", "Score", "Comment"]


@pytest.fixture(scope="module")
def fake_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Theme bundles v1 and v2 and a sentiment bundle, trained on fake-encoder vectors."""
    return build_fake_models(tmp_path_factory.mktemp("fake_models"))


@pytest.fixture
def to_tag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """20 answers of which 3 are bad (a repeated id, a score of 11, a date that is none);
    the command line encodes with the fake encoder."""
    monkeypatch.setattr(cli_themes, "encoder_for", lambda *args, **kwargs: FakeEncoder())
    rows = [
        [f"a{i}", f"2025-03-{i + 1:02d}", str(i % 11), f"{PHRASES[i % 3]} this week"]
        for i in range(17)
    ]
    rows += [["a1", "2025-03-20", "5", "again"], ["b1", "2025-03-21", "11", "high"]]
    rows += [["b2", "someday", "4", "the invoice was wrong"]]
    path = tmp_path / "answers.csv"
    pd.DataFrame(rows, columns=TAG_HEADER).to_csv(path, index=False)
    path.with_suffix(".toml").write_text(
        'source = "survey"\n[columns]\nid = "Id"\ntext = "Comment"\nnps_score = "Score"\n'
        'created_at = "Date"\n'
    )
    return path


def _tag(
    source: Path, models: dict[str, Path], out: Path, *extra: str
) -> tuple[int, dict[str, object], str]:
    result = runner.invoke(
        app,
        [
            "tag",
            str(source),
            "--mapping",
            str(source.with_suffix(".toml")),
            "--out",
            str(out),
            "--sentiment-model",
            str(models["sentiment"]),
            *extra,
        ],
    )
    report = json.loads(result.stdout) if "--json" in extra and result.exit_code == 0 else {}
    return result.exit_code, report, result.output


def _stored(path: Path, sql: str) -> list[tuple[object, ...]]:
    with Store(path).reader() as reader, reader.cursor() as cur:
        return [tuple(row.values()) for row in cur.sql(sql).to_arrow_table().to_pylist()]


def test_tag_counts_and_quarantines_the_rows_it_leaves_out(
    to_tag: Path, fake_models: dict[str, Path], tmp_path: Path
) -> None:
    out, store = tmp_path / "tagged.parquet", tmp_path / "cx.duckdb"
    models = ["--model", str(fake_models["themes"] / "v1")]
    code, report, output = _tag(to_tag, fake_models, out, *models, "--store", str(store), "--json")
    assert code == 0, output
    assert (report["read"], report["tagged"], report["quarantined"]) == (20, 17, 3)
    assert report["rows"] == 17 == len(pd.read_parquet(out))
    reasons = report["reasons"]
    assert isinstance(reasons, dict)
    assert reasons == {
        "created_at:unparseable_date": 1,
        "id:duplicate": 1,
        "nps_score:out_of_range": 1,
    }
    quarantine = tmp_path / "tagged.quarantine.csv"
    assert report["quarantine_file"] == str(quarantine)
    assert sorted(pd.read_csv(quarantine)["Id"]) == ["a1", "b1", "b2"]
    assert _stored(store, "SELECT read, accepted, quarantined, reasons FROM runs") == [
        (20, 17, 3, json.dumps(reasons))
    ]
    code, _, output = _tag(to_tag, fake_models, out, *models, "--chunk-rows", "4")
    assert code == 0 and "read 20 rows: tagged 17, quarantined 3" in output
    assert "id:duplicate 1" in output and str(quarantine) in output
    assert "5 chunks, local engine" in output and "rows/s" in output
    assert len(pd.read_parquet(out)) == 17


def test_tag_reads_a_folder_and_refuses_a_bad_engine(
    to_tag: Path, fake_models: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    to_tag.rename(folder / to_tag.name)
    options = ["--mapping", str(to_tag.with_suffix(".toml")), "--out", str(tmp_path / "t.pq")]
    options += ["--sentiment-model", str(fake_models["sentiment"])]
    options += ["--model", str(fake_models["themes"])]
    result = runner.invoke(app, ["tag", str(folder), *options, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tagged"] == 17
    result = runner.invoke(app, ["tag", str(folder), *options, "--engine", "spark"])
    assert result.exit_code == EXIT_USAGE and "unknown engine 'spark'" in result.output
    result = runner.invoke(app, ["tag", str(tmp_path / "none-*.csv"), *options])
    assert result.exit_code == EXIT_USAGE and "no input file" in result.output


def test_tag_store_is_one_write_of_model_comments_and_run(
    to_tag: Path, fake_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, store = tmp_path / "tagged.parquet", tmp_path / "cx.duckdb"
    v1 = ["--model", str(fake_models["themes"] / "v1"), "--store", str(store)]
    assert _tag(to_tag, fake_models, out, *v1)[0] == 0
    before = store.read_bytes()
    # Tagging with v2 dies while its comments are written: v2, its comments and its run
    # must not appear.
    monkeypatch.setattr(incoming, "REBUILD_DAILY_COUNTS", ("SELECT error('killed')",))
    v2 = ["--model", str(fake_models["themes"] / "v2"), "--store", str(store)]
    assert _tag(to_tag, fake_models, out, *v2)[0] != 0
    assert store.read_bytes() == before
    assert _stored(store, "SELECT version, active FROM model_versions") == [("v1", True)]
    assert _stored(store, "SELECT DISTINCT model_version FROM comments") == [("v1",)]
    assert _stored(store, "SELECT count(*), max(model_version) FROM runs") == [(1, "v1")]
    monkeypatch.undo()
    monkeypatch.setattr(cli_themes, "encoder_for", lambda *args, **kwargs: FakeEncoder())
    assert _tag(to_tag, fake_models, out, *v2)[0] == 0
    assert _stored(store, "SELECT version, active FROM model_versions ORDER BY 1") == [
        ("v1", True),
        ("v2", False),
    ]
    assert _stored(store, "SELECT model_version, count(*) FROM comments GROUP BY ALL") == [
        ("v2", 17)
    ]
    assert _stored(store, "SELECT count(*) FROM runs WHERE model_version = 'v2'") == [(1,)]


def test_tag_output_reuses_a_stale_partial_and_leaves_none_on_failure(
    to_tag: Path, fake_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "tagged.parquet"
    partial = tmp_path / "tagged.parquet.partial"
    partial.write_bytes(b"half a parquet file from a killed run" * 1000)
    model = ["--model", str(fake_models["themes"])]
    assert _tag(to_tag, fake_models, out, *model)[0] == 0
    assert not partial.exists() and len(pd.read_parquet(out)) == 17
    before = out.read_bytes()

    def fail(frame: pd.DataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_bytes(b"half written")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail)
    assert _tag(to_tag, fake_models, out, *model)[0] != 0
    assert not partial.exists() and out.read_bytes() == before


def test_replacing_never_touches_a_live_writers_partial(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    order: list[str] = []
    with replacing(target) as partial:
        partial.write_text("first")

        def second() -> None:
            with replacing(target) as again:
                order.append("second starts")
                again.write_text("second")

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and partial.read_text() == "first"  # waits for the lock
        order.append("first renames")
    thread.join(5)
    assert order == ["first renames", "second starts"]
    assert target.read_text() == "second" and not partial.exists()


def test_metrics_csv_neutralizes_formulas_but_keeps_negative_numbers(tmp_path: Path) -> None:
    export = tmp_path / "formula.csv"
    rows = [
        ["f1", "2025-01-03", "2", "bad", "=1+1"],
        ["f2", "2025-01-04", "3", "worse", "=1+1"],
        ["f3", "2025-01-05", "10", "good", "-NL"],
    ]
    pd.DataFrame(rows, columns=HEADER).to_csv(export, index=False)
    target = tmp_path / "nps.csv"
    result = runner.invoke(
        app, ["metrics", str(export), *_flags(), "--by", "Country", "--csv", str(target)]
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(target, dtype=str).set_index("Country")
    assert set(written.index) == {"'=1+1", "'-NL"}
    assert written.loc["'=1+1", "nps"] == "-100.0"  # a number, written as one
    assert pd.read_csv(target).set_index("Country").loc["'=1+1", "nps"] == -100


def test_python_dash_m_runs_the_same_command_line(export: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cxtext", "ingest", str(export), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: cxtext ingest" in done.stdout
