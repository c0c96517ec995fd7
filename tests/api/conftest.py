"""A small served world: demo comments tagged by a fake-encoder model, in a real store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiKey, Settings, key_hash
from cxtext.demo.files import write_demo
from cxtext.io import ingest_file
from cxtext.io.mapping import ColumnMapping
from cxtext.persistence import resolve_bundle
from cxtext.sentiment.fit import train_nps_bundle
from cxtext.sentiment.nps_group import load_nps_group
from cxtext.store import Store
from cxtext.themes.bundle import load_model, save_model
from cxtext.themes.config import load_config
from cxtext.themes.editing import rename
from cxtext.themes.tagging import tag_frame
from cxtext.themes.train import save_trained, train_themes
from tests.fakes import FakeEncoder, fake_sentiment_bundle

KEYS = {"read": "read-key-123", "write": "write-key-456", "admin": "admin-key-789"}
LABELLED = {
    "positive": ["fast friendly helpful great", "snel vriendelijk super", "rapid amabil bun"],
    "negative": ["wrong slow rude broken", "fout traag onbeleefd", "greșit lent nepoliticos"],
    "neutral": ["contract number address", "adres nummer brief", "adresa numar scrisoare"],
}


@dataclass
class World:
    root: Path
    store: Path
    models_dir: Path
    tagged: pd.DataFrame
    settings: Settings


def headers(scope: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[scope]}


def _sentiment(root: Path, encoder: FakeEncoder) -> Path:
    texts = [t for ts in LABELLED.values() for t in ts]
    labels = [label for label, ts in LABELLED.items() for _ in ts]
    return fake_sentiment_bundle(root, encoder, texts, labels)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("api")
    files = write_demo(root, n_survey=400, n_tickets=80, seed=5)
    encoder = FakeEncoder()
    frames = [
        ingest_file(files[name], ColumnMapping.from_toml(files[f"{name}_mapping"])).frame
        for name in ("survey", "tickets")
    ]
    config = load_config(files["themes_config"], min_theme_size=8)
    model, report, clauses = train_themes(frames[0], encoder, config)
    models_dir = root / "models" / "demo"
    save_trained(
        model, report, clauses, config, encoder=encoder.info.to_dict(), models_dir=models_dir
    )
    sentiment_dir = _sentiment(root, encoder)
    from cxtext.sentiment.model import load_sentiment

    sentiment, _ = load_sentiment(sentiment_dir)
    train_nps_bundle(frames[0], encoder, sentiment, models_dir=models_dir, theme_version="v1")
    nps = load_nps_group(models_dir)
    tagged = pd.concat(
        [
            tag_frame(f, model, encoder, sentiment=sentiment, nps_model=nps[0] if nps else None)
            for f in frames
        ],
        ignore_index=True,
    )
    store_path = root / "store.duckdb"
    store = Store(store_path)
    _, manifest = load_model(resolve_bundle(models_dir))
    store.publish_model(manifest, model.themes_, model.parent_themes_, activate=True)
    store.write_comments(
        tagged,
        run={"kind": "tag", "input": "demo", "read": len(tagged), "accepted": len(tagged)},
        segments=["country", "product"],
        model="demo",
        version="v1",
    )
    settings = Settings(
        store=store_path,
        models_dir=models_dir,
        sentiment_model=sentiment_dir,
        cache_dir=root / "cache",
        api_keys=[
            ApiKey(name=scope, sha256=key_hash(key), scopes=[scope])  # type: ignore[list-item]
            for scope, key in KEYS.items()
        ],
        cors_origins=["https://cx.example.com"],
        max_tag_batch=8,
        max_request_bytes=20_000,
    )
    return World(root, store_path, models_dir, tagged, settings)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings, encoder=FakeEncoder())) as test_client:
        yield test_client


@pytest.fixture
def own_world(world: World, tmp_path: Path) -> World:
    """A copy of the world that a test may write to, with a second model version v2 (a
    renamed theme) published nowhere yet."""
    store = tmp_path / "store.duckdb"
    shutil.copy(world.store, store)
    models_dir = tmp_path / "models" / world.models_dir.name
    shutil.copytree(world.models_dir, models_dir)
    model, manifest = load_model(models_dir / "v1")
    first = int(model.theme_ids_[0])
    save_model(
        rename(model, first, "Renamed theme"),
        models_dir / "v2",
        name=manifest["name"],
        version="v2",
        encoder=manifest["encoder"],
        edited_from="v1",
    )
    settings = world.settings.model_copy(update={"store": store, "models_dir": models_dir})
    return World(tmp_path, store, models_dir, world.tagged, settings)


@pytest.fixture
def own_client(own_world: World) -> Iterator[TestClient]:
    """A client of :func:`own_world`."""
    with TestClient(create_app(own_world.settings, encoder=FakeEncoder())) as test_client:
        yield test_client
