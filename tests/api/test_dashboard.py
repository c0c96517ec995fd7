"""The dashboard's page, assets and filter choices, and the HTML report (no browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cxtext import schema
from cxtext.cli import EXIT_DATA, EXIT_USAGE, app
from cxtext.errors import ConfigError, DataValidationError
from cxtext.report import answer_key, build_report
from tests.api.conftest import World, headers

REPORT_DATA = re.compile(r"<script>window\.CXTEXT_REPORT = (\{.*?\});</script>", re.S)


def _report_data(path: Path) -> dict:
    found = REPORT_DATA.search(path.read_text("utf-8"))
    assert found is not None
    return json.loads(found.group(1))


def test_the_page_and_its_assets_come_from_the_app(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/dashboard/assets/") or s == "data:," for s in sources)
    media_types = {
        "plotly.min.js": "text/javascript",
        "dashboard.js": "text/javascript",
        "dashboard.css": "text/css",
    }
    for name, media in media_types.items():
        asset = client.get(f"/dashboard/assets/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(media)
    assert client.get("/dashboard/assets/../main.py").status_code == 404
    assert client.get("/dashboard/assets/page.html").status_code == 404


def test_facets_count_the_comments_behind_each_choice(client: TestClient, world: World) -> None:
    assert client.get("/v1/facets").status_code == 401
    facets = client.get("/v1/facets", headers=headers("read")).json()
    assert facets["comments"] == len(world.tagged)
    dims = facets["dimensions"]
    assert sum(v["comments"] for v in dims["source"]) == len(world.tagged)
    assert {v["value"] for v in dims["segment:country"]} == set(world.tagged["country"].dropna())
    nl = next(v for v in dims["language"] if v["value"] == "nl")
    assert nl["comments"] == int((world.tagged["language"] == "nl").sum())
    assert facets["date_from"] == world.tagged["created_at"].min().date().isoformat()


def test_the_report_of_a_store_holds_every_answer_the_page_asks(
    world: World, tmp_path: Path
) -> None:
    out = tmp_path / "nested" / "report.html"
    summary = build_report(world.store, out, period="month", by="country")
    text = out.read_text("utf-8")
    markup = re.sub(r"<script>.*?</script>", "", text, flags=re.S)  # the page, not its code
    assert text.count("<script>") == 3 and not re.search(
        r'(?:src|href)="', markup.replace('href="data:,"', "")
    )
    data = _report_data(out)
    themes = data["answers"][
        answer_key("/themes", {"level": "theme", "period": "month", "periods": 8})
    ]
    assert summary.comments == themes["overall"]["comments"] == len(world.tagged)
    assert summary.themes == len(themes["themes"]) > 0
    for theme in themes["themes"]:
        key = answer_key(
            f"/themes/{theme['theme_id']}", {"level": "theme", "period": "month", "by": "country"}
        )
        assert data["answers"][key]["by_segment"]
    assert "adjusted-Wald" in text and summary.model == "demo/v1"


def test_a_tagged_file_and_its_store_report_the_same_numbers(world: World, tmp_path: Path) -> None:
    tagged = tmp_path / "tagged.parquet"
    world.tagged.to_parquet(tagged, index=False)
    build_report(world.store, tmp_path / "store.html")
    build_report(tagged, tmp_path / "file.html")
    key = answer_key("/themes", {"level": "theme", "period": "month", "periods": 8})
    fields = ("theme_id", "label", "volume", "n", "nps", "impact", "impact_ci")
    from_store, from_file = (
        [{f: t[f] for f in fields} for t in _report_data(tmp_path / name)["answers"][key]["themes"]]
        for name in ("store.html", "file.html")
    )
    assert from_file == from_store


def test_bad_sources_are_clear_errors(world: World, tmp_path: Path) -> None:
    untagged = tmp_path / "untagged.parquet"
    world.tagged.drop(columns=[schema.THEME_IDS, schema.THEME_LABELS]).to_parquet(untagged)
    with pytest.raises(DataValidationError, match="no theme_ids, theme_labels columns"):
        build_report(untagged, tmp_path / "r.html")
    empty = tmp_path / "empty.parquet"
    world.tagged.iloc[:0].to_parquet(empty)
    with pytest.raises(DataValidationError, match="holds no comments"):
        build_report(empty, tmp_path / "r.html")
    with pytest.raises(ConfigError, match="no such segment"):
        build_report(world.store, tmp_path / "r.html", by="planet")
    assert not (tmp_path / "r.html").exists()

    runner = CliRunner()
    result = runner.invoke(app, ["report", str(untagged), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == EXIT_DATA and "theme_ids" in result.output
    result = runner.invoke(app, ["report", str(world.store), "--period", "year"])
    assert result.exit_code == EXIT_USAGE


def test_the_cli_writes_the_report(world: World, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app, ["report", str(world.store), "--out", str(out), "--by", "product"]
    )
    assert result.exit_code == 0, result.output
    assert f"{len(world.tagged)} comments" in result.output and out.exists()
    assert _report_data(out)["by"] == "product"
