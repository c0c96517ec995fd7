"""Shared fixtures: the real default encoder, built once per machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxtext.embeddings import SentenceTransformerEncoder, build_default_encoder, load_encoder


def _cache_dir() -> Path:
    return Path(os.environ.get("CXTEXT_CACHE_DIR", Path.home() / ".cache" / "cxtext"))


@pytest.fixture(scope="session")
def encoder_folder() -> Path:
    """The default encoder folder in the user's cache, built there if absent."""
    return build_default_encoder(_cache_dir())


@pytest.fixture(scope="session")
def real_encoder(encoder_folder: Path) -> SentenceTransformerEncoder:
    """The default multilingual encoder, loaded once per test session."""
    return load_encoder(cache_dir=encoder_folder.parent)
