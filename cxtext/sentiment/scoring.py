"""Sentiment and predicted NPS group columns for tagged comments, and the comment features
both the NPS group model and its training (:mod:`cxtext.sentiment.fit`) use."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.sentiment.model import SentimentModel, comment_sentiment, polarity
from cxtext.sentiment.nps_group import NpsGroupModel, comment_features


def clause_weights(clauses: pd.DataFrame) -> np.ndarray:
    """Clause weights: character length (at least 1), so long clauses count more."""
    return np.maximum(clauses["clause"].str.len().to_numpy(dtype=float), 1.0)


def nps_groups(frame: pd.DataFrame) -> pd.Series:
    """NPS group per row from ``nps_score`` (None where there is no score)."""
    scores = pd.to_numeric(frame[schema.NPS_SCORE], errors="coerce")
    return scores.map(lambda s: None if pd.isna(s) else schema.nps_group(int(s)).value)


def comment_feature_rows(
    clauses: pd.DataFrame, vectors: np.ndarray, proba: np.ndarray, classes: np.ndarray, n: int
) -> np.ndarray:
    rows = clauses["row"].to_numpy(dtype=np.int64)
    return comment_features(vectors, proba, classes, rows, clause_weights(clauses), n)


def clause_proba(sentiment: SentimentModel, vectors: np.ndarray) -> np.ndarray:
    """Class probabilities of clause vectors, shape (m, k); (0, k) for no clauses."""
    if not len(vectors):
        return np.zeros((0, len(sentiment.classes_)))
    return sentiment.predict_proba(vectors)


def add_sentiment_columns(
    tagged: pd.DataFrame,
    clauses: pd.DataFrame,
    vectors: np.ndarray,
    sentiment: SentimentModel,
    nps_model: NpsGroupModel | None = None,
    proba: np.ndarray | None = None,
) -> pd.DataFrame:
    """Add sentiment columns to a theme-tagged frame.

    Parameters
    ----------
    tagged
        One row per comment (n rows).
    clauses, vectors
        The clause table behind ``tagged`` (``row`` = comment position, clause order) and
        its vectors, shape (m, d).
    proba
        ``sentiment.predict_proba(vectors)`` when the caller has it already.

    Returns
    -------
    DataFrame
        ``tagged`` plus ``sentiment`` (P(positive) - P(negative) of the comment's clause
        probabilities weighted by length and opinion, :func:`comment_sentiment`),
        ``sentiment_label``, ``clause_sentiments`` (per clause, aligned with
        ``clause_theme_ids``), ``nps_group`` when ``nps_score`` exists, and
        ``predicted_nps_group`` with ``nps_model`` (None for comments without text).
    """
    n = len(tagged)
    rows = clauses["row"].to_numpy(dtype=np.int64)
    if proba is None:
        proba = clause_proba(sentiment, vectors)
    score = polarity(proba, sentiment.classes_)
    out = tagged.copy()
    comment = comment_sentiment(proba, sentiment.classes_, rows, clause_weights(clauses), n)
    out[schema.SENTIMENT] = comment["sentiment"].to_numpy()
    out[schema.SENTIMENT_LABEL] = comment["sentiment_label"].to_numpy()
    per_row = pd.Series(score).groupby(rows, sort=False).agg(list)
    out[schema.CLAUSE_SENTIMENTS] = [
        [round(float(v), 4) for v in per_row.get(i, [])] for i in range(n)
    ]
    if schema.NPS_SCORE in out.columns:
        out[schema.NPS_GROUP] = nps_groups(out).to_numpy()
    if nps_model is not None:
        predicted = nps_model.predict(
            comment_feature_rows(clauses, vectors, proba, sentiment.classes_, n)
        )
        has_text = np.bincount(rows, minlength=n) > 0
        out[schema.PREDICTED_NPS_GROUP] = [
            str(group) if text else None for group, text in zip(predicted, has_text, strict=True)
        ]
    return out
