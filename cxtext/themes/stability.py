"""How solid each theme is: the fit repeated on perturbed vectors (Hennig's clusterboot).

A theme is stable when its members stay together if the fit is run again on slightly
different vectors, as happens on another CPU, runtime or thread count. Each repeat adds
noise to every vector (a random direction of norm :data:`NOISE`, about the distance
between the fp32 and int8 vectors of one text: 0.057 on average over 400 demo comments)
and fits with another random state, so UMAP's layout starts elsewhere too. A theme's
stability is the mean, over the repeats, of its best Jaccard similarity to a theme of the
repeat, over all rows with content: 1 when the repeat finds exactly its members again.

Hennig (2007, "Cluster-wise assessment of cluster stability", Computational Statistics &
Data Analysis 52) reads a mean Jaccard below 0.6 as a cluster not to trust, and 0.75 or
more as a stable one; :data:`UNSTABLE_BELOW` follows him. A theme with fewer than
:data:`MIN_MEMBERS` rows is not measured: a Jaccard over a handful of rows moves by large
steps with one row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import clone

if TYPE_CHECKING:
    from cxtext.themes.model import ThemeModel

NOISE = 0.06
UNSTABLE_BELOW = 0.6
MIN_MEMBERS = 20

STABLE, UNSTABLE, NOT_MEASURED = "stable", "unstable", "not measured"
METHOD = (
    "when the model was trained, its fit was repeated on vectors moved by random noise of "
    f"norm {NOISE} (about the gap between two encoder runtimes) with other random states; "
    "a theme's stability is the mean Jaccard similarity between its clauses and the best-"
    f"matching theme of each repeat (Hennig's clusterboot); below {UNSTABLE_BELOW} it is "
    f"unstable and may not come back in a retrain; themes under {MIN_MEMBERS} clauses are "
    "not measured"
)


def jaccard_stability(reference: np.ndarray, repeats: list[np.ndarray], theme: int) -> float:
    """Mean over ``repeats`` of the best Jaccard between ``theme``'s rows in ``reference``
    and one theme's rows in the repeat (unassigned rows, -1, form no theme)."""
    members = reference == theme
    scores = []
    for labels in repeats:
        candidates = np.unique(labels[members & (labels >= 0)])
        best = 0.0
        for other in candidates:
            theirs = labels == other
            best = max(best, float((members & theirs).sum() / (members | theirs).sum()))
        scores.append(best)
    return float(np.mean(scores))


def record(score: float | None, reason: str | None = None) -> dict[str, Any]:
    """A theme's ``stability`` entry: ``score`` (or None), ``status`` and, when not
    measured, why."""
    if score is None:
        return {"score": None, "status": NOT_MEASURED, "reason": reason}
    status = UNSTABLE if score < UNSTABLE_BELOW else STABLE
    return {"score": round(score, 3), "status": status, "reason": None}


def theme_stability(
    model: ThemeModel,
    labels: np.ndarray,
    refit: Callable[[ThemeModel, np.ndarray], np.ndarray],
    X: np.ndarray,
) -> dict[int, dict[str, Any]]:
    """Stability of each theme of a fitted ``model`` (see the module docstring).

    Parameters
    ----------
    model
        The fitted model; its ``stability_runs`` repeats are made on clones of it.
    labels
        Theme id of each training row (-1 unassigned or without content).
    refit
        Fits a clone on perturbed vectors and returns its labels of the same rows.
    X
        The training vectors, shape (n, d).

    Returns
    -------
    dict
        Theme id -> :func:`record`.
    """
    themes = [int(t) for t in model.theme_ids_]
    sizes = {t: int((labels == t).sum()) for t in themes}
    runs = int(model.stability_runs)
    if runs <= 0:
        return {t: record(None, "turned off (stability_runs = 0)") for t in themes}
    repeats = []
    for run in range(runs):
        seed = int(model.random_state) + 1 + run
        rng = np.random.default_rng([seed, len(X)])
        noise = rng.normal(size=X.shape).astype(np.float32)
        noise *= NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
        noisy = X + noise
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        twin = clone(model).set_params(random_state=seed, stability_runs=0)
        repeats.append(refit(twin, noisy))
    return {
        t: record(jaccard_stability(labels, repeats, t))
        if sizes[t] >= MIN_MEMBERS
        else record(None, f"fewer than {MIN_MEMBERS} members ({sizes[t]})")
        for t in themes
    }


def summary(stability: dict[int, dict[str, Any]], runs: int) -> dict[str, Any]:
    """The measure's settings, counts per status and the mean score of the measured
    themes, for the training report."""
    scores = [s["score"] for s in stability.values() if s["score"] is not None]
    statuses = [s["status"] for s in stability.values()]
    return {
        "runs": runs,
        "noise": NOISE,
        "threshold": UNSTABLE_BELOW,
        "min_members": MIN_MEMBERS,
        "stable": statuses.count(STABLE),
        "unstable": statuses.count(UNSTABLE),
        "not_measured": statuses.count(NOT_MEASURED),
        "mean": round(float(np.mean(scores)), 3) if scores else None,
    }
