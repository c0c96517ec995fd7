"""train, tag and themes curation through the command line, with the real encoder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxtext.cli import EXIT_USAGE, app
from cxtext.demo.files import write_demo
from cxtext.sentiment.model import load_sentiment

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, encoder_folder: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("themes")
    files = write_demo(root, n_survey=400, n_tickets=60, seed=3)
    models = root / "models" / "demo"
    cache = ["--cache-dir", str(encoder_folder.parent)]
    result = runner.invoke(
        app,
        [
            "train",
            str(files["survey"]),
            "--mapping",
            str(files["survey_mapping"]),
            "--config",
            str(files["themes_config"]),
            "--out",
            str(models),
            *cache,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    train_json = root / "train.json"
    train_json.write_text(result.stdout)
    return {
        "root": root,
        "models": models,
        "survey": files["survey"],
        "mapping": files["survey_mapping"],
        "train_json": train_json,
    }


def _tag_survey(trained: dict[str, Path], encoder_folder: Path, out: Path, *extra: str) -> Any:
    """``cxtext tag`` of the trained fixture's survey into ``out`` (with ``extra`` flags)."""
    return runner.invoke(
        app,
        [
            "tag",
            str(trained["survey"]),
            "--mapping",
            str(trained["mapping"]),
            "--model",
            str(trained["models"]),
            "--out",
            str(out),
            *extra,
            "--cache-dir",
            str(encoder_folder.parent),
            "--json",
        ],
    )


def test_train_writes_a_versioned_bundle_with_seeds(trained: dict[str, Path]) -> None:
    summary = json.loads(trained["train_json"].read_text())
    assert summary["model"].endswith("demo/v1")
    # 398 answers: a praise cause with fewer clauses than min_theme_size gets no theme of
    # its own, so its clauses stay unassigned. Measured on this generator at 300-2,000
    # answers: 1-11% (int8) and 1-6% (fp32), whichever small clusters survive.
    assert summary["unassigned_share"] <= 0.15
    labels = {t["label"] for t in summary["themes_table"]}
    assert {"Billing / invoice", "Price", "App or website"} <= labels
    assert (trained["models"] / "v1" / "manifest.json").is_file()
    # The demo survey is scored, so a predicted NPS group model is trained beside it and
    # beats always-majority on its held-out comments.
    nps = summary["nps_group_model"]
    assert nps["trained"] and (trained["models"] / "nps_group" / "v1" / "manifest.json").is_file()
    assert nps["heldout"]["macro_f1"] > nps["always_majority"]["macro_f1"]


def test_tag_keeps_every_row_and_adds_theme_columns(
    trained: dict[str, Path], encoder_folder: Path
) -> None:
    out = trained["root"] / "tagged.parquet"
    result = _tag_survey(trained, encoder_folder, out)
    assert result.exit_code == 0, result.output
    tagged = pd.read_parquet(out)
    source = pd.read_csv(trained["survey"], dtype=str)
    report = json.loads(result.stdout)
    assert report["rows"] == report["tagged"] == len(tagged)
    assert len(tagged) == len(source) - 2  # the generator's two bad rows are left out
    assert (report["read"], report["quarantined"]) == (len(source), 2)
    assert len(pd.read_csv(report["quarantine_file"])) == 2
    for column in (
        "id",
        "text",
        "language",
        "theme_id",
        "theme_label",
        "theme_ids",
        "parent_theme_id",
        "country",
    ):
        assert column in tagged.columns
    assigned = tagged[tagged["theme_id"] >= 0]
    assert len(assigned) > 0.8 * len(tagged)
    assert all(t in ids for t, ids in zip(assigned["theme_id"], assigned["theme_ids"], strict=True))
    # Sentiment per clause and per comment, NPS groups observed and predicted.
    scored = tagged.dropna(subset=["sentiment"])
    assert scored["sentiment"].between(-1, 1).all()
    assert set(scored["sentiment_label"]) <= {"negative", "neutral", "positive"}
    assert all(
        len(s) == len(c)
        for s, c in zip(tagged["clause_sentiments"], tagged["clause_theme_ids"], strict=True)
    )
    by_group = scored.groupby("nps_group")["sentiment"].mean()
    assert by_group["detractor"] < by_group["passive"] < by_group["promoter"]
    predicted = tagged["predicted_nps_group"].dropna()
    assert len(predicted) == len(scored)
    agree = (predicted == tagged.loc[predicted.index, "nps_group"]).mean()
    assert agree > (tagged["nps_group"] == tagged["nps_group"].mode()[0]).mean()
    trained["tagged"] = out


def test_drivers_trends_and_emerging_on_the_tagged_file(trained: dict[str, Path]) -> None:
    tagged = str(trained["tagged"])
    result = runner.invoke(app, ["drivers", tagged, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["overall"]["n"] > 300
    worst = report["key_drivers"]["detraction"][0]
    assert worst["impact"] < 0 and worst["impact_ci"][0] < worst["impact"] < worst["impact_ci"][1]
    shown = runner.invoke(app, ["drivers", tagged, "--by", "country", "--level", "parent"])
    assert shown.exit_code == 0 and "drivers of detraction" in shown.stdout
    assert runner.invoke(app, ["trends", tagged, "--period", "month"]).exit_code == 0
    emerging = runner.invoke(app, ["emerging", tagged, "--period", "month", "--json"])
    assert emerging.exit_code == 0, emerging.output
    assert "themes" in json.loads(emerging.stdout)


def test_curation_writes_new_versions(trained: dict[str, Path], encoder_folder: Path) -> None:
    models = trained["models"]
    shown = json.loads(runner.invoke(app, ["themes", "show", str(models), "--json"]).stdout)
    ids = [t["id"] for t in shown["themes"]]
    assert (
        runner.invoke(app, ["themes", "rename", str(models), str(ids[0]), "Invoices"]).exit_code
        == 0
    )
    assert (
        runner.invoke(app, ["themes", "merge", str(models), str(ids[-1]), str(ids[-2])]).exit_code
        == 0
    )
    result = runner.invoke(
        app,
        [
            "themes",
            "add-seed",
            str(models),
            "Installation",
            "--phrase",
            "the technician installed everything the same day",
            "--phrase",
            "de monteur kwam snel en alles werkte meteen",
            "--threshold",
            "0.85",
            "--cache-dir",
            str(encoder_folder.parent),
        ],
    )
    assert result.exit_code == 0, result.output
    latest = json.loads(runner.invoke(app, ["themes", "show", str(models), "--json"]).stdout)
    assert latest["model"].endswith("/v4")
    labels = [t["label"] for t in latest["themes"]]
    assert "Invoices" in labels and "Installation" in labels
    assert len(latest["themes"]) == len(ids)  # one merged away, one seeded
    manifest = json.loads((models / "v4" / "manifest.json").read_text())
    assert [e["op"] for e in manifest["lineage"]["edits"]] == ["rename", "merge", "add-seed"]
    assert manifest["lineage"]["edited_from"] == "v3"
    # The training config travels with every edited version.
    config = (models / "v1" / "config.toml").read_text()
    assert (models / "v4" / "config.toml").read_text() == config
    bad = runner.invoke(app, ["themes", "delete", str(models), "999"])
    assert bad.exit_code == EXIT_USAGE and "no theme" in bad.stderr


def test_train_sentiment_adapts_to_scored_comments(
    trained: dict[str, Path], encoder_folder: Path
) -> None:
    out = trained["root"] / "models" / "sentiment-demo"
    args = ["train-sentiment", str(trained["survey"]), "--mapping", str(trained["mapping"])]
    cache = ["--cache-dir", str(encoder_folder.parent)]
    refused = runner.invoke(app, [*args, "--out", str(out), *cache])
    assert refused.exit_code == EXIT_USAGE and "--from-scores" in refused.stderr
    result = runner.invoke(app, [*args, "--from-scores", "--out", str(out), *cache, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    held = report["heldout"]
    assert report["heldout_rows"] > 40 and report["model"].endswith("sentiment-demo/v1")
    assert report["macro_f1_gain"] == round(
        held["adapted"]["macro_f1"] - held["base"]["macro_f1"], 4
    )
    # The demo's scores follow its comments' causes: weak labels are learnable.
    assert held["adapted"]["macro_f1"] > 0.5
    manifest = json.loads((out / "v1" / "manifest.json").read_text())
    shipped_version = load_sentiment()[1]["version"]
    assert manifest["lineage"]["adapted_from"] == f"sentiment/{shipped_version}"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_store_and_a_real_server_over_http(trained: dict[str, Path], encoder_folder: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    import httpx

    from api.settings import key_hash

    store = trained["root"] / "store.duckdb"
    tagged = _tag_survey(
        trained, encoder_folder, trained["root"] / "stored.parquet", "--store", str(store)
    )
    assert tagged.exit_code == 0, tagged.output
    rows = json.loads(tagged.stdout)["rows"]
    port = _free_port()
    key = "integration-key"
    env = os.environ | {
        "CXTEXT_CACHE_DIR": str(encoder_folder.parent),
        "CXTEXT_API_KEYS": json.dumps(
            [{"name": "it", "sha256": key_hash(key), "scopes": ["read"]}]
        ),
    }
    command = [str(Path(sys.executable).parent / "cxtext"), "serve", "--store", str(store)]
    command += ["--model", str(trained["models"]), "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/v1/ready", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            assert time.monotonic() < deadline, "the server did not get ready"
            time.sleep(1)
        auth = {"X-API-Key": key}
        assert httpx.get(f"{base}/v1/themes").status_code == 401
        themes = httpx.get(f"{base}/v1/themes", headers=auth).json()
        assert themes["overall"]["comments"] == rows and themes["themes"]
        drivers = httpx.get(
            f"{base}/v1/drivers", params={"segment": "country:NL"}, headers=auth
        ).json()
        assert drivers["overall"]["n"] > 0
        # The server tags as the batch job did (one road), whichever themes the fit found.
        frame = pd.read_parquet(trained["root"] / "stored.parquet")
        picked = frame[frame["theme_id"] >= 0].head(3)
        assert len(picked), "no comment of the survey was given a theme"
        body = {"comments": [{"text": text} for text in picked["text"]]}
        response = httpx.post(f"{base}/v1/tag", json=body, headers=auth, timeout=60)
        if response.status_code != 200:
            server.terminate()
            raise AssertionError(server.communicate(timeout=30)[0].decode()[-3000:])
        served = response.json()["comments"]
        assert [c["theme_id"] for c in served] == picked["theme_id"].tolist()
        assert [c["sentiment_label"] for c in served] == picked["sentiment_label"].tolist()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_demo_end_to_end_prints_drivers_and_fills_a_store(
    tmp_path: Path, encoder_folder: Path
) -> None:
    from cxtext.store import Store

    result = runner.invoke(
        app,
        [
            "demo",
            "--out",
            str(tmp_path),
            "--survey-rows",
            "400",
            "--ticket-rows",
            "80",
            "--seed",
            "3",
            "--cache-dir",
            str(encoder_folder.parent),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "drivers of detraction" in result.stdout and "95% interval" in result.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    worst = report["themes"]["drivers"]["key_drivers"]["detraction"][0]
    assert worst["impact_ci"][0] < worst["impact"] < min(0, worst["impact_ci"][1])
    store = Store(tmp_path / "cx.duckdb")
    assert store.active_model() == ("themes", "v1")
    with store.reader() as reader:
        cursor = reader.cursor()
        stored = cursor.execute("SELECT count(*) FROM comments").fetchall()[0][0]
    tagged = pd.read_parquet(tmp_path / "tagged.parquet")
    assert stored == len(tagged)


def test_tag_with_the_other_runtime_of_the_trained_encoder(
    trained: dict[str, Path], encoder_folder: Path
) -> None:
    """A model trained on one runtime tags with the other: nearly every comment keeps its
    theme (97-99% measured on Banking77), and the output says which encoder tagged."""
    from cxtext.embeddings import DEFAULT_ENCODER_ID, INT8_ENCODER_ID

    tagged = {}
    for runtime in ("trained", "fp32"):
        out = trained["root"] / f"runtime_{runtime}.parquet"
        result = _tag_survey(trained, encoder_folder, out, "--runtime", runtime)
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["runtime"] == ("int8" if runtime == "trained" else "fp32")
        assert summary["encoder"] == (
            INT8_ENCODER_ID if runtime == "trained" else DEFAULT_ENCODER_ID
        )
        tagged[runtime] = pd.read_parquet(out).set_index("id")
    own, other = tagged["trained"], tagged["fp32"].reindex(tagged["trained"].index)
    assert (own["theme_id"] == other["theme_id"]).mean() >= 0.9
    assert (own["sentiment_label"] == other["sentiment_label"]).mean() >= 0.8
