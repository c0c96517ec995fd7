"""Helpers shared by sentiment training, adaptation and evaluation."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from cxtext import schema

# Weak sentiment label of each NPS group, for adapting to a customer's scored comments.
NPS_WEAK_LABELS: Final = {
    schema.NpsGroup.DETRACTOR.value: "negative",
    schema.NpsGroup.PASSIVE.value: "neutral",
    schema.NpsGroup.PROMOTER.value: "positive",
}


def holdout_mask(ids: Sequence[Any] | pd.Series, share: float = 0.2) -> np.ndarray:
    """True for the ids in a fixed held-out share, by the SHA-256 of the id's text.

    The split depends on the id only: stable across runs, machines and row order.
    """
    limit = int(share * 2**64)
    return np.asarray(
        [int.from_bytes(hashlib.sha256(str(i).encode()).digest()[:8], "big") < limit for i in ids],
        dtype=bool,
    )


def nps_weak_labels(scores: pd.Series) -> pd.Series:
    """negative / neutral / positive from 0-10 scores (detractor / passive / promoter)."""
    groups = scores.map(lambda s: None if pd.isna(s) else schema.nps_group(int(s)).value)
    return groups.map(NPS_WEAK_LABELS)


def classification_figures(
    truth: Sequence[str] | np.ndarray,
    predicted: Sequence[str] | np.ndarray,
    *,
    proba: np.ndarray | None = None,
    classes: np.ndarray | None = None,
) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class F1 and (with ``proba``) top-label ECE and Brier score."""
    from sklearn.metrics import accuracy_score, f1_score

    from cxtext.sentiment.head import expected_calibration_error

    truth = np.asarray(truth).astype(str)
    predicted = np.asarray(predicted).astype(str)
    labels = sorted(set(truth))
    per_class = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    out: dict[str, Any] = {
        "n": len(truth),
        "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro")), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "f1": {str(label): round(float(f), 4) for label, f in zip(labels, per_class, strict=True)},
    }
    if proba is not None and classes is not None:
        codes = np.searchsorted(classes, truth)
        onehot = np.eye(len(classes))[codes]
        out["ece"] = round(expected_calibration_error(proba, codes), 4)
        out["brier"] = round(float(((proba - onehot) ** 2).sum(axis=1).mean()), 4)
    return out
