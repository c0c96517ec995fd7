"""Fitting the sentiment side on a customer's data: the predicted NPS group model of a
theme bundle (:func:`train_nps_bundle`) and the sentiment model adapted to scored
comments (:func:`adapt_from_scores`). Scoring with them is :mod:`cxtext.sentiment.scoring`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.embeddings import Encoder
from cxtext.sentiment.model import SentimentModel
from cxtext.sentiment.nps_group import NpsGroupModel, train_nps_group
from cxtext.sentiment.scoring import comment_feature_rows, nps_groups
from cxtext.themes.clauses import clause_table, encode_texts


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
    features = comment_feature_rows(clauses, vectors, proba, sentiment.classes_, n)
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


PENALTIES: tuple[float, ...] = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)


def adapt_from_scores(
    frame: pd.DataFrame, encoder: Encoder, base: SentimentModel
) -> tuple[SentimentModel, dict[str, Any]]:
    """Adapt a sentiment model to a customer's scored comments (NPS groups as weak labels).

    Detractor / passive / promoter become negative / neutral / positive. A fixed 20% of
    the comments (SHA-256 of the id) is held out; on the rest, the last layer is refitted
    with an L2 pull towards ``base`` (:meth:`EmbeddingClassifier.adapted`), its strength
    chosen from :data:`PENALTIES` by macro-F1 on an inner 20% split. The report compares
    base and adapted model on the held-out comments against the weak labels.

    Raises
    ------
    DataValidationError
        Fewer than ``MIN_SCORED`` scored comments with text, or a group missing.
    """
    from cxtext.errors import DataValidationError
    from cxtext.sentiment.nps_group import MIN_PER_GROUP, MIN_SCORED
    from cxtext.sentiment.training import (
        classification_figures,
        holdout_mask,
        nps_weak_labels,
    )
    from cxtext.text.clean import strip_addressing

    if schema.NPS_SCORE not in frame.columns:
        raise DataValidationError("the comments have no nps_score column to learn from")
    text = strip_addressing(frame[schema.TEXT].fillna("").astype(str))
    labels = nps_weak_labels(pd.to_numeric(frame[schema.NPS_SCORE], errors="coerce"))
    usable = (text.str.len() > 0) & labels.notna()
    counts = labels[usable].value_counts()
    if (
        usable.sum() < MIN_SCORED
        or (counts.reindex(base.classes_, fill_value=0) < MIN_PER_GROUP).any()
    ):
        raise DataValidationError(
            f"{int(usable.sum())} scored comments with text ({counts.to_dict()}); adapting "
            f"needs {MIN_SCORED}, with at least {MIN_PER_GROUP} per NPS group"
        )
    ids = frame.loc[usable, schema.ID].astype(str).to_numpy()
    y = labels[usable].to_numpy().astype(str)
    X = encode_texts(encoder, text[usable].tolist())
    held = holdout_mask(ids)
    inner = holdout_mask([f"{i}/inner" for i in ids]) & ~held
    fit_rows = ~held & ~inner

    def f1(model: SentimentModel, rows: np.ndarray) -> float:
        return float(classification_figures(y[rows], model.predict(X[rows]))["macro_f1"])

    scores = {p: f1(base.adapted(X[fit_rows], y[fit_rows], penalty=p), inner) for p in PENALTIES}
    penalty = max(scores, key=lambda p: (scores[p], p))
    adapted = base.adapted(X[~held], y[~held], penalty=penalty)
    figures = {}
    for name, model in (("base", base), ("adapted", adapted)):
        proba = model.predict_proba(X[held])
        figures[name] = classification_figures(
            y[held], model.classes_[proba.argmax(axis=1)], proba=proba, classes=model.classes_
        )
    report = {
        "comments": int(usable.sum()),
        "weak_labels": {str(k): int(v) for k, v in counts.items()},
        "heldout_rows": int(held.sum()),
        "penalty": penalty,
        "inner_macro_f1_by_penalty": {str(p): round(v, 4) for p, v in scores.items()},
        "heldout": figures,
        "macro_f1_gain": round(figures["adapted"]["macro_f1"] - figures["base"]["macro_f1"], 4),
    }
    return adapted, report
