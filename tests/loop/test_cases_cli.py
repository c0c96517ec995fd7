"""``cxtext cases`` over a real store, and tagged comments stored with routing rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxtext.cli import EXIT_DATA, EXIT_USAGE, app
from cxtext.cli.common import store_frame
from cxtext.errors import ConfigError
from tests.loop.test_cases import RULES
from tests.store.frames import MANIFEST, PARENTS, THEMES, tagged_frame

runner = CliRunner()


def _store(tmp_path: Path) -> tuple[Path, dict]:
    rules = tmp_path / "routing.toml"
    rules.write_text(RULES)
    store = tmp_path / "cx.duckdb"
    stored = store_frame(
        store,
        tagged_frame(120),
        {"kind": "tag"},
        manifest=MANIFEST,
        themes=(THEMES, PARENTS),
        routing=rules,
    )
    return store, stored


def _cli(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_stored_tagged_comments_open_cases_the_cli_lists_and_updates(tmp_path: Path) -> None:
    store, stored = _store(tmp_path)
    routed = stored["routed"]
    assert stored["cases_opened"] == sum(v for k, v in routed.items() if k != "unrouted") > 0
    assert stored["cases_opened"] + routed["unrouted"] == 120
    listed = _cli("cases", "list", "--store", str(store), "--owner", "team-b", "--limit", "500")
    assert listed["cases"] and {c["owner"] for c in listed["cases"]} == {"team-b"}
    case = listed["cases"][0]["case_id"]
    updated = _cli(
        "cases",
        "update",
        case,
        "--store",
        str(store),
        "--status",
        "contacted",
        "--note",
        "phoned the customer",
        "--by",
        "ana",
    )
    assert updated["status"] == "contacted" and updated["contacted_at"] is not None
    shown = _cli("cases", "show", case, "--store", str(store))
    assert [e["status"] for e in shown["history"]] == ["open", "contacted"]
    assert shown["history"][1]["note"] == "phoned the customer"

    bad = runner.invoke(
        app, ["cases", "update", case, "--store", str(store), "--status", "done", "--by", "ana"]
    )
    assert bad.exit_code == EXIT_DATA and "status must be one of" in bad.output
    missing = runner.invoke(app, ["cases", "show", "Cnope", "--store", str(store)])
    assert missing.exit_code == EXIT_DATA and "no case 'Cnope'" in missing.output
    again = store_frame(
        store,
        tagged_frame(120),
        {"kind": "tag"},
        manifest=MANIFEST,
        themes=(THEMES, PARENTS),
        routing=tmp_path / "routing.toml",
    )
    assert again["cases_opened"] == 0  # the same comments: no second case
    figures = _cli("cases", "metrics", "--store", str(store), "--by", "owner", "--by", "rule")
    assert sum(g["opened"] for g in figures["groups"]) == stored["cases_opened"]
    assert sum(g["contacted"] for g in figures["groups"]) == 1
    text = runner.invoke(app, ["cases", "metrics", "--store", str(store)])
    assert text.exit_code == 0 and "too few detractors" in text.output


def test_routing_without_a_store_or_with_a_typo_stops_before_any_work(tmp_path: Path) -> None:
    rules = tmp_path / "routing.toml"
    rules.write_text(RULES)
    result = runner.invoke(
        app,
        [
            "tag",
            str(tmp_path / "none.csv"),
            "--model",
            str(tmp_path),
            "--out",
            str(tmp_path / "o.parquet"),
            "--routing",
            str(rules),
        ],
    )
    assert result.exit_code == EXIT_USAGE and "give --store too" in result.output
    rules.write_text(RULES.replace('"theme 0"', '"theme zero"'))
    store = tmp_path / "cx.duckdb"
    with pytest.raises(ConfigError, match=r"rule 1 \('theme 0 detractors'\): theme 'theme zero'"):
        store_frame(
            store,
            tagged_frame(10),
            {"kind": "tag"},
            manifest=MANIFEST,
            themes=(THEMES, PARENTS),
            routing=rules,
        )
    assert not store.exists()  # nothing was written
