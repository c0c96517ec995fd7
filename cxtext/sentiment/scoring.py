"""Sentiment and predicted NPS group columns for tagged comments, and the data to train the
NPS group model on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.embeddings import Encoder
from cxtext.sentiment.model import SentimentModel, comment_sentiment, polarity
from cxtext.sentiment.nps_group import NpsGroupModel, comment_features, train_nps_group


def _clause_weights(clauses: pd.DataFrame) -> np.ndarray:
    """Clause weights: character length (at least 1), so long clauses count more."""
    return np.maximum(clauses["clause"].str.len().to_numpy(dtype=float), 1.0)


def nps_groups(frame: pd.DataFrame) -> pd.Series:
    """NPS group per row from ``nps_score`` (None where there is no score)."""
    scores = pd.to_numeric(frame[schema.NPS_SCORE], errors="coerce")
    return scores.map(lambda s: None if pd.isna(s) else schema.nps_group(int(s)).value)


def _features(
    clauses: pd.DataFrame, vectors: np.ndarray, proba: np.ndarray, classes: np.ndarray, n: int
) -> np.ndarray:
    rows = clauses["row"].to_numpy(dtype=np.int64)
    return comment_features(vectors, proba, classes, rows, _clause_weights(clauses), n)


def add_sentiment_columns(
    tagged: pd.DataFrame,
    clauses: pd.DataFrame,
    vectors: np.ndarray,
    sentiment: SentimentModel,
    nps_model: NpsGroupModel | None = None,
) -> pd.DataFrame:
    """Add sentiment columns to a theme-tagged frame.

    Parameters
    ----------
    tagged
        One row per comment (n rows).
    clauses, vectors
        The clause table behind ``tagged`` (``row`` = comment position, clause order) and
        its vectors, shape (m, d).

    Returns
    -------
    DataFrame
        ``tagged`` plus ``sentiment`` (P(positive) - P(negative) of the comment's
        length-weighted clause probabilities), ``sentiment_label``, ``clause_sentiments``
        (per clause, aligned with ``clause_theme_ids``), ``nps_group`` when ``nps_score``
        exists, and ``predicted_nps_group`` with ``nps_model`` (None for comments
        without text).
    """
    n = len(tagged)
    rows = clauses["row"].to_numpy(dtype=np.int64)
    proba = (
        sentiment.predict_proba(vectors) if len(vectors) else np.zeros((0, len(sentiment.classes_)))
    )
    score = polarity(proba, sentiment.classes_)
    out = tagged.copy()
    comment = comment_sentiment(proba, sentiment.classes_, rows, _clause_weights(clauses), n)
    out[schema.SENTIMENT] = comment["sentiment"].to_numpy()
    out[schema.SENTIMENT_LABEL] = comment["sentiment_label"].to_numpy()
    per_row = pd.Series(score).groupby(rows, sort=False).agg(list)
    out[schema.CLAUSE_SENTIMENTS] = [
        [round(float(v), 4) for v in per_row.get(i, [])] for i in range(n)
    ]
    if schema.NPS_SCORE in out.columns:
        out[schema.NPS_GROUP] = nps_groups(out).to_numpy()
    if nps_model is not None:
        predicted = nps_model.predict(_features(clauses, vectors, proba, sentiment.classes_, n))
        has_text = np.bincount(rows, minlength=n) > 0
        out[schema.PREDICTED_NPS_GROUP] = [
            str(group) if text else None for group, text in zip(predicted, has_text, strict=True)
        ]
    return out


def fit_nps_group_model(
    frame: pd.DataFrame,
    clauses: pd.DataFrame,
    vectors: np.ndarray,
    sentiment: SentimentModel,
    *,
    random_state: int = 0,
) -> tuple[NpsGroupModel | None, dict[str, Any]]:
    """Train the predicted NPS group model on a frame's scored comments (see
    :func:`cxtext.sentiment.nps_group.train_nps_group`)."""
    if schema.NPS_SCORE not in frame.columns:
        return None, {"trained": False, "reason": "the comments have no nps_score column"}
    n = len(frame)
    proba = sentiment.predict_proba(vectors)
    features = _features(clauses, vectors, proba, sentiment.classes_, n)
    has_text = np.bincount(clauses["row"].to_numpy(dtype=np.int64), minlength=n) > 0
    groups = nps_groups(frame).where(has_text, None)
    return train_nps_group(
        features, groups, frame[schema.ID].astype(str), random_state=random_state
    )


def train_nps_bundle(
    frame: pd.DataFrame,
    encoder: Encoder,
    sentiment: SentimentModel,
    *,
    models_dir: Path,
    theme_version: str,
    random_state: int = 0,
) -> dict[str, Any]:
    """Train the predicted NPS group model on a frame and write it beside the theme model.

    The bundle goes to ``models_dir/nps_group/vN``, its lineage naming the theme version
    it was trained with. Returns the training report, with ``model`` (its folder) when a
    model was written.
    """
    from cxtext.persistence import next_version
    from cxtext.sentiment.nps_group import FOLDER, save_nps_group
    from cxtext.themes.train import clause_table, encode_texts

    clauses = clause_table(frame)
    vectors = encode_texts(encoder, clauses["clause"].tolist())
    model, report = fit_nps_group_model(
        frame, clauses, vectors, sentiment, random_state=random_state
    )
    if model is None:
        return report
    folder = models_dir / FOLDER
    version = next_version(folder)
    target = save_nps_group(
        model,
        folder / version,
        name=models_dir.name,
        version=version,
        encoder=encoder.info.to_dict(),
        report=report,
        lineage={"theme_model_version": theme_version},
    )
    return report | {"model": str(target)}
