"""What the application serves: its store and the loaded models of the active version.

The routers and the application's lifespan share these; the models are reloaded when the
store's active version changes, whichever worker activated it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.settings import Settings
from cxtext.embeddings import Encoder, load_encoder
from cxtext.persistence import resolve_bundle
from cxtext.pipeline import ServingModels, load_serving_models
from cxtext.store import Store
from cxtext.store.queries import active_model, list_models

# The names of a model's versions in its folder (cxtext.persistence.next_version).
VERSION_NAME = re.compile(r"v[0-9]+")


def store_of(app: FastAPI) -> Store:
    """The application's store (for writes)."""
    return app.state.store


def bundle_path(settings: Settings, version: str | None) -> Path | None:
    if settings.models_dir is None:
        return None
    return resolve_bundle(settings.models_dir / version if version else settings.models_dir)


def load(app: FastAPI, bundle: Path) -> ServingModels:
    settings: Settings = app.state.settings
    # Workers share the cores: more torch threads than cores slows every one of them.
    threads = settings.encoder_threads or max(1, (os.cpu_count() or 1) // settings.workers)

    def encoder_named(encoder_id: str) -> Encoder:
        # No embedding cache here: its SQLite handle is bound to one thread.
        return load_encoder(encoder_id, cache_dir=settings.cache_dir, threads=threads)

    given: Encoder | None = app.state.encoder
    return load_serving_models(
        bundle,
        given or encoder_named,
        sentiment_path=settings.sentiment_model,
        runtime=settings.runtime,
        cache_dir=settings.cache_dir,
    )


def publish(app: FastAPI, loaded: ServingModels, *, activate: bool) -> None:
    store_of(app).publish_model(
        loaded.manifest, loaded.themes.themes_, loaded.themes.parent_themes_, activate=activate
    )


def _version_dir(settings: Settings, version: str) -> Path | None:
    """The folder of a version of the served model; None unless ``version`` is a registry
    name (``vN``) with a folder, so no other name ever reaches the disk."""
    if settings.models_dir is None or not VERSION_NAME.fullmatch(version):
        return None
    folder = settings.models_dir / version
    return folder if folder.is_dir() else None


def _active_version(app: FastAPI) -> str | None:
    """The store's active version of the served model, None when another model is active."""
    settings: Settings = app.state.settings
    cursor = app.state.reader.cursor()
    try:
        active = active_model(cursor)
    finally:
        cursor.close()
    if active is None or settings.models_dir is None or active[0] != settings.models_dir.name:
        return None
    return active[1]


def current_models(app: FastAPI) -> ServingModels | None:
    """The loaded models, reloaded first when the store's active version changed (by an
    activation in this process or in another one)."""
    version = _active_version(app)
    loaded: ServingModels | None = app.state.models
    if version is None or (loaded is not None and loaded.manifest["version"] == version):
        return loaded
    with app.state.models_lock:
        # Read again under the lock: an activation may have finished since the first read.
        version = _active_version(app)
        current: ServingModels | None = app.state.models
        if version is not None and (current is None or current.manifest["version"] != version):
            folder = _version_dir(app.state.settings, version)
            if folder is not None:
                app.state.models = load(app, folder)
        return app.state.models


def activate_version(app: FastAPI, version: str) -> dict[str, Any] | None:
    """Publish (when needed) and activate a version of the served model, and serve it in
    this process from now on; None if ``version`` is not one of its ``vN`` folders."""
    settings: Settings = app.state.settings
    folder = _version_dir(settings, version)
    if folder is None or settings.models_dir is None:
        return None
    with app.state.models_lock:
        loaded = load(app, folder)
        publish(app, loaded, activate=True)
        app.state.models = loaded
    cursor = app.state.reader.cursor()
    try:
        rows = [m for m in list_models(cursor) if m["version"] == version]
    finally:
        cursor.close()
    return next(
        (r for r in rows if r["model"] == settings.models_dir.name), rows[0] if rows else None
    )
