"""SentimentModel: negative / neutral / positive per clause and per comment.

A :class:`~cxtext.sentiment.head.EmbeddingClassifier` over the encoder's sentence vectors,
so it scores every language the encoder knows. The score in [-1, 1] is
P(positive) - P(negative) from the calibrated probabilities; the label is the most
probable class. A comment's sentiment is the mean of its clauses' probabilities weighted
by length and by how opinionated each clause is (:func:`comment_sentiment`), so "fast
delivery but rude support" keeps a positive and a negative clause for the theme tables
and a mixed comment score.

The shipped bundle (``cxtext/shipped/sentiment/<version>/``, trained by
``training/train_sentiment.py``) scores sentiment on a fresh install with no training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from cxtext.embeddings.default_model import DEFAULT_ENCODER_ID
from cxtext.embeddings.runtimes import same_model
from cxtext.errors import ArtifactError
from cxtext.sentiment.head import EmbeddingClassifier, read_classifier, write_classifier

TYPE_NAME: Final = "cxtext.SentimentModel.v1"
LABELS: Final = ("negative", "neutral", "positive")
# The bundle shipped inside the package (package data, so a wheel carries it).
SHIPPED_DIR: Final = Path(__file__).resolve().parents[1] / "shipped" / "sentiment"
# Least weight of a clause the model calls neutral with certainty, so a comment of only
# such clauses still has a sentiment.
MIN_OPINION: Final = 1e-3


class SentimentModel(EmbeddingClassifier):
    """Three-class sentiment over sentence vectors (labels :data:`LABELS`)."""

    def fit(self, X: np.ndarray, y: Any, sample_weight: np.ndarray | None = None) -> SentimentModel:
        """Fit on vectors (n, d) and labels (n,) drawn from :data:`LABELS`."""
        _check_labels(y)
        super().fit(X, y, sample_weight=sample_weight)
        return self

    def polarity(self, X: np.ndarray) -> np.ndarray:
        """Score in [-1, 1] per row: P(positive) - P(negative), shape (n,)."""
        return polarity(self.predict_proba(X), self.classes_)


def _check_labels(y: Any) -> None:
    from cxtext.errors import DataValidationError

    unknown = sorted(set(np.asarray(y).astype(str)) - set(LABELS))
    if unknown:
        raise DataValidationError(f"sentiment labels must be {LABELS}, got {unknown}")


def polarity(proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """P(positive) - P(negative) from probabilities (n, k) with columns ``classes``."""
    names = list(classes)
    return proba[:, names.index("positive")] - proba[:, names.index("negative")]


def comment_sentiment(
    proba: np.ndarray,
    classes: np.ndarray,
    rows: np.ndarray,
    weights: np.ndarray,
    n_rows: int,
    *,
    opinion_weighted: bool = True,
) -> pd.DataFrame:
    """Comment sentiment from its clauses.

    A clause weighs its given weight times 1 - P(neutral): clauses that state no opinion
    ("I ordered a medium") do not dilute the ones that do ("the seams came apart"), so a
    clearly polar comment is not called neutral for its descriptive clauses. On 800
    clearly polar clothing reviews (``training/benchmarks/sentiment.py``) this cut the
    neutral share from 17% to 5% with the same clause scores.

    Parameters
    ----------
    proba
        Clause probabilities, shape (m, k), columns ``classes``.
    rows
        Comment position of each clause, shape (m,), in ``range(n_rows)``.
    weights
        Clause weights (e.g. character lengths), shape (m,).
    n_rows
        Number of comments.
    opinion_weighted
        Weigh each clause by 1 - P(neutral) too (the default); False gives the plain
        weighted mean, which the sentiment benchmark reports beside it.

    Returns
    -------
    DataFrame
        ``n_rows`` rows: ``sentiment`` (P(positive) - P(negative) of the weighted mean
        probabilities) and ``sentiment_label``; NaN and None for comments with no clause.
    """
    weights = np.asarray(weights, dtype=float)
    if opinion_weighted:
        neutral = list(classes).index("neutral")
        weights = weights * np.maximum(1.0 - proba[:, neutral], MIN_OPINION)
    mass = np.bincount(rows, weights=weights, minlength=n_rows)
    summed = np.column_stack(
        [
            np.bincount(rows, weights=weights * proba[:, j], minlength=n_rows)
            for j in range(len(classes))
        ]
    )
    has = mass > 0
    mean = summed / np.where(has, mass, 1.0)[:, None]
    score = np.where(has, polarity(mean, classes), np.nan)
    label = np.where(has, np.asarray(classes, dtype=object)[mean.argmax(axis=1)], None)
    return pd.DataFrame({"sentiment": score, "sentiment_label": label})


def save_sentiment(model: SentimentModel, target: Path, **bundle: Any) -> Path:
    """Write a fitted sentiment model as a bundle folder (see :func:`write_classifier`)."""
    return write_classifier(model, target, type_name=TYPE_NAME, **bundle)


def load_sentiment(
    path: Path | None = None, *, encoder_id: str = DEFAULT_ENCODER_ID
) -> tuple[SentimentModel, dict[str, Any]]:
    """Load a sentiment bundle (a version folder or its parent for the latest version).

    ``None`` loads a shipped model: the newest one trained on the vectors of
    ``encoder_id`` (the default encoder unless named). When none was, the default
    encoder's (else the newest of all), so that :func:`check_encoder` names the mismatch.
    """
    folder = SHIPPED_DIR if path is None else path
    if not folder.exists():
        raise ArtifactError(f"no sentiment model at {folder}")
    if path is None:
        folder = _shipped_for(encoder_id) or _shipped_for(DEFAULT_ENCODER_ID) or folder
    return read_classifier(folder, SentimentModel, type_name=TYPE_NAME)


def _shipped_for(encoder_id: str) -> Path | None:
    """The newest shipped version trained on ``encoder_id``'s vectors."""
    import json

    from cxtext.persistence import MANIFEST

    versions = sorted(
        (p for p in SHIPPED_DIR.iterdir() if p.is_dir() and p.name[1:].isdigit()),
        key=lambda p: int(p.name[1:]),
        reverse=True,
    )
    for version in versions:
        manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
        if (manifest.get("encoder") or {}).get("id") == encoder_id:
            return version
    return None


def check_encoder(manifest: dict[str, Any], encoder_id: str, *, what: str) -> None:
    """Refuse a model trained on another encoder's vectors (the other runtime of the same
    model is accepted: :mod:`cxtext.embeddings.runtimes`)."""
    trained_on = (manifest.get("encoder") or {}).get("id")
    if trained_on is None or not same_model(trained_on, encoder_id):
        raise ArtifactError(
            f"the {what} was trained on vectors of encoder {trained_on!r}, not {encoder_id!r}"
        )
