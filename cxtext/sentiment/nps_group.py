"""Predicted NPS group (detractor / passive / promoter) for comments without a score.

:class:`NpsGroupModel` is a calibrated logistic classifier trained on a customer's scored
comments. Its features per comment: the length-weighted mean of its clause vectors, the
comment's sentiment probabilities, and its most negative and most positive clause
polarity. Theme ids are left out on purpose: they are a function of the same vectors, and
curation renumbers them, while this model must stay valid for every edited version.

It is trained only when the data can support it (:data:`MIN_SCORED` scored comments, at
least :data:`MIN_PER_GROUP` in every group); otherwise :func:`train_nps_group` says why
and no group is predicted. Its figures come from a fixed held-out 20% (SHA-256 of the
comment id); the shipped model is then refitted on every scored comment. Probabilities
keep the data's group mix (no class re-weighting), so their averages estimate group
shares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.sentiment.head import EmbeddingClassifier, read_classifier, write_classifier
from cxtext.sentiment.model import polarity
from cxtext.sentiment.training import classification_figures, holdout_mask

TYPE_NAME: Final = "cxtext.NpsGroupModel.v1"
GROUPS: Final = schema.NPS_GROUPS
MIN_SCORED: Final = 200
MIN_PER_GROUP: Final = 20
FOLDER: Final = "nps_group"  # models/<name>/nps_group/vN beside the theme versions


class NpsGroupModel(EmbeddingClassifier):
    """Calibrated classifier of NPS groups over :func:`comment_features`."""


def comment_features(
    clause_vectors: np.ndarray,
    clause_proba: np.ndarray,
    classes: np.ndarray,
    rows: np.ndarray,
    weights: np.ndarray,
    n_rows: int,
) -> np.ndarray:
    """Features per comment, shape (n_rows, d + k + 2).

    The L2-normalised, ``weights``-weighted mean of the comment's clause vectors, its mean
    sentiment probabilities (k columns, ``classes`` order), then its lowest and highest
    clause polarity. Comments without clauses get zeros.
    """
    rows = np.asarray(rows, dtype=np.int64)
    weights = np.asarray(weights, dtype=float)
    mass = np.bincount(rows, weights=weights, minlength=n_rows)
    safe = np.where(mass > 0, mass, 1.0)[:, None]
    summed = np.zeros((n_rows, clause_vectors.shape[1]))
    np.add.at(summed, rows, clause_vectors * weights[:, None])
    norm = np.linalg.norm(summed, axis=1, keepdims=True)
    vectors = summed / np.where(norm > 0, norm, 1.0)
    proba = np.zeros((n_rows, clause_proba.shape[1]))
    np.add.at(proba, rows, clause_proba * weights[:, None])
    score = polarity(clause_proba, classes)
    lowest, highest = np.zeros(n_rows), np.zeros(n_rows)
    if len(rows):
        lowest[:] = np.inf
        highest[:] = -np.inf
        np.minimum.at(lowest, rows, score)
        np.maximum.at(highest, rows, score)
        lowest[mass <= 0] = highest[mass <= 0] = 0.0
    return np.hstack([vectors, proba / safe, lowest[:, None], highest[:, None]]).astype(np.float32)


def train_nps_group(
    features: np.ndarray, groups: pd.Series, ids: pd.Series, *, random_state: int = 0
) -> tuple[NpsGroupModel | None, dict[str, Any]]:
    """Fit the model on the scored comments, or explain why not.

    Parameters
    ----------
    features
        :func:`comment_features` of every comment, shape (n, f).
    groups
        NPS group per comment (None/NaN when unscored), length n.
    ids
        Comment ids, length n (they fix the held-out split).

    Returns
    -------
    model, report
        ``model`` is None when the data is too thin; ``report`` then holds ``trained:
        False`` and the ``reason``. Otherwise it holds the held-out figures (macro-F1,
        accuracy, ECE, Brier) beside always-majority's, and the group counts.
    """
    scored = groups.notna().to_numpy()
    y = groups[scored].astype(str).to_numpy()
    counts = {g: int((y == g).sum()) for g in GROUPS}
    report: dict[str, Any] = {"scored": int(scored.sum()), "groups": counts}
    thin = [g for g, c in counts.items() if c < MIN_PER_GROUP]
    if scored.sum() < MIN_SCORED or thin:
        reason = (
            f"only {int(scored.sum())} scored comments (need {MIN_SCORED})"
            if scored.sum() < MIN_SCORED
            else f"too few {', '.join(thin)} (need {MIN_PER_GROUP} of each group)"
        )
        return None, report | {"trained": False, "reason": reason}
    X = features[scored]
    held = holdout_mask(ids[scored].astype(str))
    probe = NpsGroupModel(random_state=random_state).fit(X[~held], y[~held])
    proba = probe.predict_proba(X[held])
    predicted = probe.classes_[proba.argmax(axis=1)]
    majority = pd.Series(y[~held]).mode()[0]
    report |= {
        "trained": True,
        "heldout": classification_figures(y[held], predicted, proba=proba, classes=probe.classes_),
        "always_majority": classification_figures(y[held], np.full(held.sum(), majority)),
        "mean_predicted_shares": dict(
            zip(probe.classes_.tolist(), proba.mean(axis=0).round(4).tolist(), strict=True)
        ),
        "true_shares": {g: round(float((y[held] == g).mean()), 4) for g in GROUPS},
    }
    return NpsGroupModel(random_state=random_state).fit(X, y), report


def save_nps_group(
    model: NpsGroupModel,
    target: Path,
    *,
    name: str,
    version: str,
    encoder: dict[str, Any],
    report: dict[str, Any],
    lineage: dict[str, Any] | None = None,
) -> Path:
    """Write the model as a bundle folder (``models/<name>/nps_group/<version>``)."""
    held = report["heldout"]
    card = (
        f"# Predicted NPS group {name}/{version}\n\nCalibrated logistic classifier over "
        "comment vectors and sentiment. Held-out 20%: macro-F1 "
        f"{held['macro_f1']}, accuracy {held['accuracy']}, ECE {held['ece']} "
        f"(always-majority macro-F1 {report['always_majority']['macro_f1']}).\n"
    )
    return write_classifier(
        model,
        target,
        type_name=TYPE_NAME,
        name=name,
        version=version,
        encoder=encoder,
        model_card=card,
        metrics=report,
        lineage=lineage,
    )


def load_nps_group(model_dir: Path) -> tuple[NpsGroupModel, dict[str, Any]] | None:
    """The latest NPS group model under ``models/<name>/nps_group``, None when absent."""
    folder = model_dir / FOLDER
    if not folder.is_dir():
        return None
    return read_classifier(folder, NpsGroupModel, type_name=TYPE_NAME)
