"""drivers, trends and emerging over a small hand-made tagged file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxtext.cli import EXIT_DATA, EXIT_USAGE, app

runner = CliRunner()


@pytest.fixture
def tagged(tmp_path: Path) -> Path:
    """10 scored answers (3 detractors on Price, 2 passives and 5 promoters on Staff) and
    2 tickets on Delivery, over three weeks."""
    scores = [2, 4, 6, 7, 8, 9, 9, 10, 10, 10]
    themes = [[1]] * 3 + [[2]] * 7
    rows = [
        {
            "id": f"s{i}",
            "source": "survey",
            "nps_score": score,
            "country": "NL" if i % 2 else "BE",
            "created_at": pd.Timestamp("2026-01-05", tz="UTC") + pd.Timedelta(days=7 * (i % 3)),
            "theme_ids": theme,
            "theme_labels": ["Price" if theme == [1] else "Staff"],
            "parent_theme_ids": [0],
            "parent_theme_labels": ["Everything"],
            "clause_theme_ids": theme,
            "clause_parent_ids": [0],
            "clause_sentiments": [-0.8 if theme == [1] else 0.6],
        }
        for i, (score, theme) in enumerate(zip(scores, themes, strict=True))
    ]
    rows += [
        {
            "id": f"t{i}",
            "source": "ticket",
            "nps_score": None,
            "country": "BE",
            "created_at": pd.Timestamp("2026-01-19", tz="UTC"),
            "theme_ids": [3],
            "theme_labels": ["Delivery"],
            "parent_theme_ids": [0],
            "parent_theme_labels": ["Everything"],
            "clause_theme_ids": [3],
            "clause_parent_ids": [0],
            "clause_sentiments": [-0.5],
        }
        for i in range(2)
    ]
    path = tmp_path / "tagged.parquet"
    pd.DataFrame(rows).to_parquet(path, index=False)
    return path


def test_drivers_json_gives_the_impact_by_hand(tagged: Path) -> None:
    result = runner.invoke(app, ["drivers", str(tagged), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["overall"]["n"] == 10 and report["overall"]["nps"] == pytest.approx(20.0)
    themes = {t["theme_id"]: t for t in report["themes"]}
    # Without the three detractors: 5 promoters of 7 -> NPS 71.43; impact 20 - 71.43.
    assert themes[1]["impact"] == pytest.approx(20 - 500 / 7)
    assert themes[1]["impact_ci"][1] < 0
    assert themes[1]["sentiment"] == pytest.approx(-0.8)
    assert themes[3]["n"] == 0 and themes[3]["volume"] == 2
    assert report["key_drivers"]["detraction"][0]["theme_id"] == 1


def test_drivers_filters_and_writes_csv(tagged: Path, tmp_path: Path) -> None:
    csv = tmp_path / "drivers.csv"
    result = runner.invoke(
        app, ["drivers", str(tagged), "--where", "country=NL", "--csv", str(csv)]
    )
    assert result.exit_code == 0, result.output
    assert "drivers of detraction" in result.stdout
    table = pd.read_csv(csv)
    assert table["n"].sum() == 5  # the five NL respondents
    bad = runner.invoke(app, ["drivers", str(tagged), "--where", "nope"])
    assert bad.exit_code == EXIT_USAGE and "COL=VALUE" in bad.stderr


def test_trends_and_emerging(tagged: Path) -> None:
    result = runner.invoke(app, ["trends", str(tagged), "--period", "week", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    shares = {(r["period"][:10], r["theme_id"]): r["share"] for r in rows}
    # Week of 19 January: 1 Price, 2 Staff and 2 Delivery comments out of 5.
    assert shares[("2026-01-19", 3)] == pytest.approx(40.0)
    assert shares[("2026-01-05", 2)] == pytest.approx(75.0)
    emerging = runner.invoke(
        app, ["emerging", str(tagged), "--period", "week", "--window", "2", "--min-count", "2"]
    )
    assert emerging.exit_code == 0, emerging.output
    assert "Delivery" in emerging.stdout  # new in the last week


def test_untagged_input_is_a_data_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain.parquet"
    pd.DataFrame({"id": ["a"], "text": ["x"]}).to_parquet(plain)
    result = runner.invoke(app, ["drivers", str(plain)])
    assert result.exit_code == EXIT_DATA and "tag it first" in result.stderr
