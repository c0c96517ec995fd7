"""One cause, one direction: clause signs, theme directions, and splitting a cluster of
praise and complaint into siblings (see :mod:`cxtext.themes.model`, step 6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from cxtext.themes.model import ThemeModel

# A clause is polar beyond this |P(positive) - P(negative)|; a theme takes a direction
# when this share of its polar members has it.
POLAR_MARGIN = 0.1
POLAR_SHARE = 0.75
DIRECTION_NAMES = {-1: "negative", 0: "mixed", 1: "positive"}


def directions_of(labels: np.ndarray, signs: np.ndarray, fixed: dict[int, int]) -> dict[int, int]:
    """Direction per label: the sign that :data:`POLAR_SHARE` of its polar members share,
    else 0; ``fixed`` directions (seeds) win."""
    out: dict[int, int] = {}
    for label in np.unique(labels):
        own = signs[labels == label]
        negative, positive = int((own < 0).sum()), int((own > 0).sum())
        polar = negative + positive
        direction = 0
        if polar and max(negative, positive) >= POLAR_SHARE * polar:
            direction = -1 if negative > positive else 1
        out[int(label)] = direction
    out.update(fixed)
    return out


def split_by_polarity(
    labels: np.ndarray, Z: np.ndarray, signs: np.ndarray, min_size: int
) -> tuple[np.ndarray, dict[int, int]]:
    """Split every cluster holding ``min_size`` complaints and as many praises in two.

    The praise side gets a new label; neutral members join the nearer side's centroid.
    Returns the labels and {complaint label: praise label} of the split clusters.
    """
    labels = labels.copy()
    siblings: dict[int, int] = {}
    next_label = int(labels.max()) + 1 if len(labels) else 0
    for label in np.unique(labels[labels >= 0]):
        members = np.flatnonzero(labels == label)
        own = signs[members]
        if (own < 0).sum() < min_size or (own > 0).sum() < min_size:
            continue
        negative = Z[members[own < 0]].mean(axis=0)
        positive = Z[members[own > 0]].mean(axis=0)
        neutral = members[own == 0]
        to_praise = members[own > 0]
        if len(neutral):
            nearer = Z[neutral] @ positive > Z[neutral] @ negative
            to_praise = np.concatenate([to_praise, neutral[nearer]])
        labels[to_praise] = next_label
        siblings[int(label)] = next_label
        next_label += 1
    return labels, siblings


def add_directions(model: ThemeModel) -> None:
    """Write each theme's direction (negative, positive or mixed) into ``model.themes_``."""
    directions = getattr(model, "polarities_", None)
    if directions is None:
        return
    by_id = dict(zip(model.theme_ids_.tolist(), directions.tolist(), strict=True))
    for theme in model.themes_:
        theme["polarity"] = DIRECTION_NAMES[by_id.get(theme["id"], 0)]


def polarity_signs(scores: np.ndarray | None, n: int) -> np.ndarray:
    """Clause direction from P(positive) - P(negative): -1, 0 (within
    :data:`POLAR_MARGIN` of 0) or 1; all 0 when ``scores`` is ``None``."""
    if scores is None:
        return np.zeros(n, dtype=np.int8)
    scores = np.asarray(scores, dtype=np.float64)
    signs = np.where(scores <= -POLAR_MARGIN, -1, np.where(scores >= POLAR_MARGIN, 1, 0))
    return signs.astype(np.int8)
