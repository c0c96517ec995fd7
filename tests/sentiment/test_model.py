"""SentimentModel and its classifier head: contract, calibration, bundles, adaptation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from cxtext.errors import ArtifactError, DataValidationError, NotFittedError
from cxtext.sentiment.head import EmbeddingClassifier, expected_calibration_error, softmax
from cxtext.sentiment.model import (
    LABELS,
    SentimentModel,
    check_encoder,
    comment_sentiment,
    load_sentiment,
    save_sentiment,
)
from cxtext.sentiment.training import holdout_mask, nps_weak_labels

ENCODER = {"id": "fake/encoder", "dim": 16}


def blobs(
    n: int = 600, d: int = 16, seed: int = 0, spread: float = 0.6
) -> tuple[np.ndarray, np.ndarray]:
    """Three noisy classes around fixed unit directions, L2-normalised."""
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(99).normal(size=(3, d))
    y = rng.integers(0, 3, size=n)
    X = centers[y] + spread * rng.normal(size=(n, d)) * np.sqrt(d) / 2
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X.astype(np.float32), np.asarray(LABELS)[y]


@pytest.mark.parametrize("head", ["logistic", "mlp"])
def test_fits_and_predicts_held_out_rows(head: str) -> None:
    X, y = blobs()
    Xt, yt = blobs(seed=1)
    model = SentimentModel(head=head).fit(X, y)
    assert (model.predict(Xt) == yt).mean() > 0.8
    proba = model.predict_proba(Xt)
    assert proba.shape == (len(Xt), 3) and np.allclose(proba.sum(axis=1), 1)
    score = model.polarity(Xt)
    assert score.min() >= -1 and score.max() <= 1
    assert score[yt == "positive"].mean() > 0.3 > -0.3 > score[yt == "negative"].mean()


def test_estimator_contract() -> None:
    model = SentimentModel(head="logistic", C=0.5)
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((1, 16), np.float32))
    X, y = blobs()
    a = SentimentModel(random_state=3).fit(X, y).predict_proba(X)
    b = SentimentModel(random_state=3).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)
    with pytest.raises(DataValidationError, match="sentiment labels"):
        SentimentModel().fit(X, np.where(y == "neutral", "mixed", y))
    with pytest.raises(DataValidationError, match="shape"):
        SentimentModel().fit(X, y).predict(X[:, :8])


def test_temperature_scaling_repairs_overconfidence() -> None:
    X, y = blobs(n=1500, spread=1.0)
    model = EmbeddingClassifier(head="logistic", C=1e4).fit(X, y)
    Xt, yt = blobs(n=1500, seed=5, spread=1.0)
    codes = np.searchsorted(model.classes_, yt)
    raw = softmax(model._logits(Xt))
    calibrated = model.predict_proba(Xt)
    assert expected_calibration_error(calibrated, codes) <= expected_calibration_error(raw, codes)


def test_expected_calibration_error_hand_case() -> None:
    # Two rows at confidence 0.9, one right, one wrong: |0.9 - 0.5| = 0.4.
    proba = np.array([[0.9, 0.1], [0.9, 0.1]])
    assert expected_calibration_error(proba, np.array([0, 1])) == pytest.approx(0.4)


def test_save_load_predicts_identically(tmp_path: Path) -> None:
    X, y = blobs()
    model = SentimentModel(head="mlp", hidden=32).fit(X, y)
    folder = save_sentiment(
        model,
        tmp_path / "sentiment" / "v1",
        name="sentiment",
        version="v1",
        encoder=ENCODER,
        model_card="# test\n",
    )
    loaded, manifest = load_sentiment(tmp_path / "sentiment")
    assert folder.name == "v1" and manifest["type"] == "cxtext.SentimentModel.v1"
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.get_params() == model.get_params()
    check_encoder(manifest, "fake/encoder", what="sentiment model")
    with pytest.raises(ArtifactError, match="other/encoder"):
        check_encoder(manifest, "other/encoder", what="sentiment model")
    with pytest.raises(ArtifactError, match="no sentiment model"):
        load_sentiment(tmp_path / "missing")


def test_the_shipped_model_of_the_encoder_in_use_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cxtext.sentiment.model as module

    X, y = blobs()
    model = SentimentModel().fit(X, y)
    for version, encoder in (("v1", "enc/a"), ("v2", "enc/b"), ("v3", "enc/a-int8")):
        save_sentiment(
            model,
            tmp_path / "shipped" / version,
            name="sentiment",
            version=version,
            encoder=ENCODER | {"id": encoder},
            model_card="# test\n",
        )
    monkeypatch.setattr(module, "SHIPPED_DIR", tmp_path / "shipped")
    assert load_sentiment(encoder_id="enc/a")[1]["version"] == "v1"
    assert load_sentiment(encoder_id="enc/b")[1]["version"] == "v2"
    assert load_sentiment(encoder_id="enc/a-int8")[1]["version"] == "v3"
    _, newest = load_sentiment(encoder_id="enc/c")  # none for it: the newest, refused
    with pytest.raises(ArtifactError, match="enc/a-int8"):
        check_encoder(newest, "enc/c", what="sentiment model")


def test_clause_sentiment_stays_per_clause_and_comments_average_by_length() -> None:
    classes = np.asarray(LABELS)
    proba = np.array([[0.05, 0.05, 0.9], [0.9, 0.05, 0.05], [0.1, 0.8, 0.1]])
    rows = np.array([0, 0, 1])
    out = comment_sentiment(proba, classes, rows, np.array([30.0, 10.0, 5.0]), n_rows=3)
    # Row 0: weights 3/4 and 1/4 -> P(neg) = 0.2625, P(pos) = 0.6875.
    assert out.loc[0, "sentiment"] == pytest.approx(0.6875 - 0.2625)
    assert out.loc[0, "sentiment_label"] == "positive"
    assert out.loc[1, "sentiment_label"] == "neutral"
    assert np.isnan(out.loc[2, "sentiment"]) and pd.isna(out.loc[2, "sentiment_label"])


def test_clauses_without_opinion_do_not_water_down_a_comment() -> None:
    classes = np.asarray(LABELS)
    # One short complaint among two long descriptive clauses.
    proba = np.array([[0.02, 0.96, 0.02], [0.85, 0.1, 0.05], [0.03, 0.95, 0.02]])
    rows = np.zeros(3, dtype=np.int64)
    lengths = np.array([40.0, 20.0, 40.0])
    out = comment_sentiment(proba, classes, rows, lengths, n_rows=1)
    assert out.loc[0, "sentiment_label"] == "negative"
    plain = comment_sentiment(proba, classes, rows, lengths, n_rows=1, opinion_weighted=False)
    assert plain.loc[0, "sentiment_label"] == "neutral"
    assert out.loc[0, "sentiment"] < plain.loc[0, "sentiment"] < 0
    # Only neutral clauses, even certain ones: still neutral, never missing.
    certain = comment_sentiment(np.array([[0.0, 1.0, 0.0]]), classes, rows[:1], lengths[:1], 1)
    assert certain.loc[0, "sentiment_label"] == "neutral" and certain.loc[0, "sentiment"] == 0


def test_adaptation_moves_towards_new_labels_and_stays_near_with_a_strong_prior() -> None:
    X, y = blobs(n=900)
    model = SentimentModel(head="logistic").fit(X, y)
    # The customer's data says what the base model calls neutral is negative.
    shifted = np.where(y == "neutral", "negative", y)
    weak = model.adapted(X, shifted, penalty=1e-4)
    assert (weak.predict(X) == shifted).mean() > (model.predict(X) == shifted).mean() + 0.2
    stiff = model.adapted(X, shifted, penalty=1e3)
    assert (stiff.predict(X) == model.predict(X)).mean() > 0.95
    with pytest.raises(DataValidationError, match="not classes"):
        model.adapted(X, np.where(y == "neutral", "mixed", y), penalty=1.0)


def test_holdout_mask_is_stable_and_near_its_share() -> None:
    ids = [f"c{i}" for i in range(5000)]
    mask = holdout_mask(ids, 0.2)
    assert 0.17 < mask.mean() < 0.23
    assert np.array_equal(holdout_mask(list(reversed(ids)), 0.2), mask[::-1])


def test_nps_weak_labels() -> None:
    labels = nps_weak_labels(pd.Series([0, 6, 7, 8, 9, 10, None]))
    assert labels.tolist()[:6] == ["negative"] * 2 + ["neutral"] * 2 + ["positive"] * 2
    assert pd.isna(labels.iloc[6])
