"""Sentiment columns of tagged comments and the predicted NPS group model (fake encoder)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtext.sentiment.fit import fit_nps_group_model
from cxtext.sentiment.model import SentimentModel
from cxtext.sentiment.nps_group import MIN_SCORED, comment_features, train_nps_group
from cxtext.sentiment.scoring import add_sentiment_columns
from cxtext.themes.clauses import clause_table, encode_texts
from tests.fakes import FakeEncoder

POSITIVE = ["fast delivery", "friendly staff", "great price", "lovely app"]
NEGATIVE = ["rude support", "slow refund", "broken router", "awful invoice"]
NEUTRAL = ["the store opens at nine", "my contract number changed", "a letter came today"]


def fitted_sentiment(encoder: FakeEncoder) -> SentimentModel:
    texts = POSITIVE + NEGATIVE + NEUTRAL
    labels = ["positive"] * 4 + ["negative"] * 4 + ["neutral"] * 3
    X = encoder.encode(texts * 20)
    return SentimentModel(C=100.0, calibration_share=0.2).fit(X, labels * 20)


def test_clause_sentiment_keeps_each_clause_and_averages_the_comment() -> None:
    encoder = FakeEncoder()
    model = fitted_sentiment(encoder)
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["fast delivery but rude support", "friendly staff", ""],
            "language": ["en", "en", "en"],
            "nps_score": [7.0, 10.0, None],
        }
    )
    clauses = clause_table(frame)
    vectors = encode_texts(encoder, clauses["clause"].tolist())
    out = add_sentiment_columns(frame, clauses, vectors, model)
    first = out.loc[0, "clause_sentiments"]
    assert len(first) == 2 and first[0] > 0.3 and first[1] < -0.3
    assert out.loc[1, "sentiment_label"] == "positive"
    assert pd.isna(out.loc[2, "sentiment"])
    assert out["nps_group"].tolist()[:2] == ["passive", "promoter"]
    assert pd.isna(out.loc[2, "nps_group"])


def test_nps_group_model_needs_enough_scored_comments() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(50, 8)).astype(np.float32)
    groups = pd.Series(["detractor", "passive", "promoter", None, "promoter"] * 10)
    model, report = train_nps_group(features, groups, pd.Series([f"c{i}" for i in range(50)]))
    assert model is None and not report["trained"]
    assert f"need {MIN_SCORED}" in report["reason"]


def test_nps_group_model_learns_from_comment_text() -> None:
    encoder = FakeEncoder()
    sentiment = fitted_sentiment(encoder)
    rng = np.random.default_rng(1)
    n = 600
    group = rng.integers(0, 3, size=n)
    pools = [NEGATIVE, NEUTRAL, POSITIVE]
    texts = [str(rng.choice(pools[g])) for g in group]
    scores = np.asarray([3, 7, 10])[group].astype(float)
    scores[::10] = np.nan  # unscored comments are left out of training
    frame = pd.DataFrame(
        {"id": [f"c{i}" for i in range(n)], "text": texts, "language": "en", "nps_score": scores}
    )
    clauses = clause_table(frame)
    vectors = encode_texts(encoder, clauses["clause"].tolist())
    model, report = fit_nps_group_model(frame, clauses, vectors, sentiment)
    assert model is not None and report["trained"] and report["scored"] == 540
    assert report["heldout"]["macro_f1"] > 0.9 > report["always_majority"]["macro_f1"]
    out = add_sentiment_columns(frame, clauses, vectors, sentiment, model)
    truth = np.asarray(["detractor", "passive", "promoter"])[group]
    assert (out["predicted_nps_group"].to_numpy() == truth).mean() > 0.9


def test_comment_features_weight_clauses_and_track_extremes() -> None:
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    proba = np.array([[0.1, 0.1, 0.8], [0.8, 0.1, 0.1], [0.2, 0.6, 0.2]])
    classes = np.array(["negative", "neutral", "positive"])
    rows = np.array([0, 0, 1])
    features = comment_features(vectors, proba, classes, rows, np.array([3.0, 1.0, 1.0]), 3)
    assert features.shape == (3, 2 + 3 + 2)
    np.testing.assert_allclose(features[0, :2], np.array([3, 1]) / np.sqrt(10), rtol=1e-6)
    np.testing.assert_allclose(features[0, 5:], [-0.7, 0.7], rtol=1e-6)
    assert not features[2].any()  # a comment without clauses
