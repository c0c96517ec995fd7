"""One road for a comment: load the serving models, prepare texts, train a bundle, tag.

The command line, the API and the demo call these; none of them repeats a step.

- :func:`load_serving_models` loads a theme bundle with the encoder it names, the
  sentiment model and the predicted NPS group model beside it. Every mismatch between
  them is an :class:`~cxtext.errors.ArtifactError`.
- :func:`prepare_comments` cleans texts, redacts PII and identifies languages where none
  is given, as ingestion does for a file (:mod:`cxtext.io.prepare`).
- :func:`train_bundle` trains themes, writes the next version and fits the predicted NPS
  group model on the scored comments.
- :func:`tag_comments` tags a prepared frame: themes, clause and comment sentiment, and
  the predicted NPS group.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxtext.embeddings import Encoder
from cxtext.embeddings.runtimes import same_model, tagging_encoder
from cxtext.errors import ArtifactError
from cxtext.io.prepare import prepare_texts
from cxtext.persistence import resolve_bundle
from cxtext.sentiment.fit import train_nps_bundle
from cxtext.sentiment.model import SentimentModel, check_encoder, load_sentiment
from cxtext.sentiment.nps_group import NpsGroupModel, load_nps_group
from cxtext.text.langid import DEFAULT_LANGUAGES
from cxtext.themes.bundle import load_model
from cxtext.themes.config import ThemeConfig
from cxtext.themes.model import ThemeModel
from cxtext.themes.tagging import tag_frame
from cxtext.themes.train import TrainReport, save_trained, train_themes


@dataclass
class ServingModels:
    """A theme model version with its encoder, sentiment and predicted NPS group models."""

    themes: ThemeModel
    manifest: dict[str, Any]
    sentiment: SentimentModel
    encoder: Encoder
    nps_group: NpsGroupModel | None = None
    # One tagging at a time: the encoder already uses every core for one batch.
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def version(self) -> str:
        """``name/version`` of the theme model."""
        return f"{self.manifest['name']}/{self.manifest['version']}"


def load_serving_models(
    model_dir: Path,
    encoder: Encoder | Callable[[str], Encoder],
    *,
    sentiment_path: Path | None = None,
    runtime: str = "trained",
    cache_dir: Path | None = None,
) -> ServingModels:
    """Load the theme bundle at ``model_dir`` (a version folder, or ``models/NAME`` for its
    latest version) and the models it is served with.

    Parameters
    ----------
    encoder
        The encoder, or a function that builds one from the name of the encoder to tag with:
        the one the bundle names, or its other runtime (``runtime``).
    runtime
        ``trained``, ``fp32``, ``int8`` or ``auto`` (the runtime measured faster on this
        CPU in ``cache_dir``; the trained one without it): see
        :func:`cxtext.embeddings.runtimes.tagging_encoder`.
    sentiment_path
        A sentiment bundle; ``None`` for the shipped one of the bundle's encoder.

    Raises
    ------
    ArtifactError
        A bundle is missing or damaged, or a model was trained on another encoder's vectors.
    """
    bundle = resolve_bundle(model_dir)
    themes, manifest = load_model(bundle)
    if not isinstance(encoder, Encoder):
        encoder = encoder(tagging_encoder(manifest["encoder"]["id"], runtime, cache_dir))
    elif not same_model(encoder.info.id, manifest["encoder"]["id"]):
        raise ArtifactError(
            f"the theme model was trained on vectors of encoder {manifest['encoder']['id']!r}, "
            f"not {encoder.info.id!r}"
        )
    if encoder.info.dim != themes.n_features_in_:
        raise ArtifactError(
            f"encoder {encoder.info.id} gives {encoder.info.dim}-d vectors; the theme model "
            f"needs {themes.n_features_in_}"
        )
    sentiment, sentiment_manifest = load_sentiment(sentiment_path, encoder_id=encoder.info.id)
    check_encoder(sentiment_manifest, encoder.info.id, what="sentiment model")
    nps = load_nps_group(bundle.parent)
    if nps:
        check_encoder(nps[1], encoder.info.id, what="predicted NPS group model")
    return ServingModels(themes, manifest, sentiment, encoder, nps[0] if nps else None)


def prepare_comments(
    frame: pd.DataFrame, *, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> pd.DataFrame:
    """A copy of ``frame`` with cleaned, PII-redacted ``text``, its ``text_flag``, and a
    ``language`` for every row: the given one where present, else the one identified
    among ``languages`` (:func:`cxtext.io.prepare.prepare_texts`)."""
    return prepare_texts(frame, languages=languages)


def train_bundle(
    frame: pd.DataFrame,
    encoder: Encoder,
    settings: ThemeConfig,
    sentiment: SentimentModel,
    models_dir: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[ThemeModel, TrainReport, Path, dict[str, Any]]:
    """Train themes on ``frame``, write them as the next version under ``models_dir`` and
    fit the predicted NPS group model beside them.

    Returns
    -------
    model, report
        The fitted theme model and its training report.
    folder
        The new version's folder.
    nps_report
        What :func:`~cxtext.sentiment.fit.train_nps_bundle` reports (trained or why not).
    """
    model, report, clauses = train_themes(
        frame, encoder, settings, sentiment=sentiment, on_progress=on_progress
    )
    folder = save_trained(
        model, report, clauses, settings, encoder=encoder.info.to_dict(), models_dir=models_dir
    )
    nps_report = train_nps_bundle(
        frame,
        encoder,
        sentiment,
        models_dir=models_dir,
        theme_version=folder.name,
        random_state=settings.random_state,
    )
    return model, report, folder, nps_report


def tag_comments(
    frame: pd.DataFrame,
    models: ServingModels,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Tag a prepared frame (``id``, ``text``, ``language``, ...) with the served models:
    the input columns plus the tag columns of :mod:`cxtext.schema`, one row per comment."""
    with models.lock:
        return tag_frame(
            frame,
            models.themes,
            models.encoder,
            sentiment=models.sentiment,
            nps_model=models.nps_group,
            on_progress=on_progress,
        )
