"""The models the API serves with, loaded once per process, and tagging with them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxtext import schema
from cxtext.embeddings import Encoder
from cxtext.errors import ArtifactError
from cxtext.sentiment.model import SentimentModel
from cxtext.sentiment.nps_group import NpsGroupModel
from cxtext.themes.model import ThemeModel


@dataclass
class Models:
    """A theme model version with its encoder, sentiment and NPS group models."""

    themes: ThemeModel
    manifest: dict[str, Any]
    sentiment: SentimentModel
    encoder: Encoder
    nps_group: NpsGroupModel | None = None
    # One tagging at a time: the encoder already uses every core for one batch.
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def version(self) -> str:
        return f"{self.manifest['name']}/{self.manifest['version']}"


def load_models(
    bundle: Path,
    *,
    sentiment_path: Path | None,
    cache_dir: Path,
    encoder: Encoder | None = None,
    threads: int | None = None,
) -> Models:
    """Load a theme bundle, the encoder it names (unless given), sentiment and NPS group."""
    from cxtext.embeddings import load_encoder
    from cxtext.sentiment.model import check_encoder, load_sentiment
    from cxtext.sentiment.nps_group import load_nps_group
    from cxtext.themes.model import load_model

    themes, manifest = load_model(bundle)
    if encoder is None:  # no embedding cache here: its SQLite handle is bound to one thread
        encoder = load_encoder(manifest["encoder"]["id"], cache_dir=cache_dir, threads=threads)
    if encoder.info.dim != themes.n_features_in_:
        raise ArtifactError(
            f"encoder {encoder.info.id} gives {encoder.info.dim}-d vectors; the theme model "
            f"needs {themes.n_features_in_}"
        )
    sentiment, sentiment_manifest = load_sentiment(sentiment_path)
    check_encoder(sentiment_manifest, encoder.info.id, what="sentiment model")
    nps = load_nps_group(bundle.parent)
    if nps:
        check_encoder(nps[1], encoder.info.id, what="predicted NPS group model")
    return Models(themes, manifest, sentiment, encoder, nps[0] if nps else None)


def tag_comments(models: Models, comments: list[dict[str, Any]]) -> pd.DataFrame:
    """Tag comments (``id``, ``text``, optional ``language``) with themes and sentiment.

    Texts are cleaned and PII-redacted first, as ingestion does. Returns the tagged frame
    (the tag columns of :mod:`cxtext.schema`), one row per comment in order.
    """
    from cxtext.io.pii import redact_pii_series
    from cxtext.text.clean import clean_texts
    from cxtext.text.langid import detect_languages
    from cxtext.themes.train import tag_frame

    frame = pd.DataFrame(comments)
    frame[schema.TEXT] = redact_pii_series(clean_texts(frame[schema.TEXT].astype(str)))[0]
    given = frame.get(schema.LANGUAGE, pd.Series(None, index=frame.index, dtype=object))
    missing = given.isna()
    if missing.any():
        detected = detect_languages(frame.loc[missing, schema.TEXT].tolist())
        given = given.astype(object)
        given.loc[missing] = detected
    frame[schema.LANGUAGE] = given
    with models.lock:
        return tag_frame(
            frame,
            models.themes,
            models.encoder,
            sentiment=models.sentiment,
            nps_model=models.nps_group,
        )
