"""Curation: rename, merge, split, delete and add-seed, each returning a new model.

An edit never mutates its input. It changes the labels of the model's training sample,
refits the assignment rule on that sample, re-labels the sample with the new rule and
re-describes every theme, so labels, keywords and sizes stay consistent with membership.
Each edit is appended to the new model's lineage, which the bundle manifest records.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import numpy as np

from cxtext.errors import ConfigError
from cxtext.themes.labels import describe
from cxtext.themes.model import UNASSIGNED, Seed, ThemeModel, normalize_rows
from cxtext.themes.polarity import add_directions


def _copy(model: ThemeModel) -> ThemeModel:
    model.check_fitted()
    return copy.deepcopy(model)


def _known(model: ThemeModel, *theme_ids: int) -> None:
    unknown = sorted(set(theme_ids) - set(model.theme_ids_.tolist()))
    if unknown:
        raise ConfigError(
            f"no theme with id {', '.join(map(str, unknown))}; themes are "
            f"{', '.join(map(str, model.theme_ids_.tolist()))}"
        )


def _free_label(model: ThemeModel, label: str, *, besides: set[int], every: bool) -> str:
    """``label`` stripped; refused when empty or when a theme not in ``besides`` has it.

    ``every``: check every theme's label (an edit that does not re-describe the themes);
    else only configured ones (seeds, renames), since re-described themes give way to them.
    """
    label = label.strip()
    if not label:
        raise ConfigError("a theme label cannot be empty")
    labels = {t["id"]: t["label"] for t in model.themes_} if every else dict(model.labels_by_id_)
    for theme, other in labels.items():
        if theme not in besides and other.casefold() == label.casefold():
            raise ConfigError(f"theme {theme} is called {other!r} already; labels are unique")
    return label


def _record(model: ThemeModel, op: str, detail: str) -> None:
    model.lineage_ = [
        *model.lineage_,
        {"op": op, "detail": detail, "at": datetime.now(UTC).isoformat(timespec="seconds")},
    ]


def _refit(model: ThemeModel, labels: np.ndarray) -> ThemeModel:
    """Refit the assignment on the relabelled sample, relabel it, re-describe.

    A theme whose sampled members the edit changed loses its measured stability (it
    reads "not measured, changed by an edit"); the others keep theirs.

    Rows labelled -1 in ``labels`` are left out of the refit; then every row with content
    is labelled by the new rule, the unassigned cut calibrated on all of them, so edits do
    not compound the unassigned share. Non-answers stay -1.
    """
    languages = [str(code) for code in model.sample_languages_]
    vectors = model.prepare(np.asarray(model.sample_vectors_, np.float32), languages)
    content = np.asarray(model.sample_content_, dtype=bool)
    signs = np.asarray(getattr(model, "sample_signs_", np.zeros(len(labels))), dtype=np.int8)
    seeds = {
        int(t): int(p)
        for t, p in zip(model.theme_ids_, model.polarities_, strict=True)
        if model.origins_.get(int(t)) == "seed"
    }
    train = labels >= 0
    model.fit_assignment(
        vectors[train], labels[train], calibration=vectors[content], signs=signs[train], fixed=seeds
    )
    before = np.asarray(model.sample_labels_)
    model.sample_labels_ = model.assign(vectors, content, signs)
    model.stability_ = {
        theme: measured
        for theme, measured in getattr(model, "stability_", {}).items()
        if np.array_equal(before == theme, model.sample_labels_ == theme)
    }
    model.themes_, model.parent_themes_ = describe(model)
    add_directions(model)
    return model


def rename(model: ThemeModel, theme_id: int, label: str) -> ThemeModel:
    """A copy of ``model`` whose theme ``theme_id`` is called ``label``."""
    _known(model, theme_id)
    label = _free_label(model, label, besides={theme_id}, every=True)
    new = _copy(model)
    new.labels_by_id_ = {**new.labels_by_id_, theme_id: label}
    new.origins_ = {**new.origins_, theme_id: "edited"}
    for theme in new.themes_:
        if theme["id"] == theme_id:
            theme["label"], theme["origin"] = label, "edited"
    _record(new, "rename", f"{theme_id} -> {label!r}")
    return new


def merge(model: ThemeModel, theme_ids: list[int], *, label: str | None = None) -> ThemeModel:
    """A copy where ``theme_ids`` become one theme (the smallest id of them)."""
    if len(set(theme_ids)) < 2:
        raise ConfigError("merge needs at least two different theme ids")
    _known(model, *theme_ids)
    if label:
        label = _free_label(model, label, besides=set(theme_ids), every=False)
    new = _copy(model)
    target = min(theme_ids)
    labels = np.where(np.isin(new.sample_labels_, theme_ids), target, new.sample_labels_)
    for theme_id in theme_ids:
        if theme_id != target:
            new.labels_by_id_.pop(theme_id, None)
            new.origins_.pop(theme_id, None)
    new.origins_[target] = "edited"
    if label:
        new.labels_by_id_[target] = label
    else:
        new.labels_by_id_.pop(target, None)
    _record(new, "merge", f"{sorted(theme_ids)} -> {target}")
    return _refit(new, labels)


def split(model: ThemeModel, theme_id: int, *, parts: int = 2) -> ThemeModel:
    """A copy where ``theme_id`` is re-clustered (k-means) into ``parts`` themes."""
    from sklearn.cluster import KMeans

    _known(model, theme_id)
    new = _copy(model)
    members = np.flatnonzero(new.sample_labels_ == theme_id)
    if parts < 2 or len(members) < 2 * parts:
        raise ConfigError(
            f"theme {theme_id} has {len(members)} sampled members; cannot split it into {parts}"
        )
    languages = [str(code) for code in new.sample_languages_[members]]
    vectors = new.prepare(np.asarray(new.sample_vectors_[members], np.float32), languages)
    pieces = KMeans(parts, n_init=5, random_state=new.random_state).fit_predict(vectors)
    first_new = int(new.theme_ids_.max()) + 1
    labels = new.sample_labels_.copy()
    ids = [theme_id] + [first_new + i for i in range(parts - 1)]
    labels[members] = np.asarray(ids)[pieces]
    new.labels_by_id_.pop(theme_id, None)
    for piece_id in ids:
        new.origins_[piece_id] = "edited"
    _record(new, "split", f"{theme_id} -> {ids}")
    return _refit(new, labels)


def delete(model: ThemeModel, theme_id: int) -> ThemeModel:
    """A copy without ``theme_id``; its members go to their nearest remaining theme."""
    _known(model, theme_id)
    if len(model.theme_ids_) <= 2:
        raise ConfigError("a model needs at least two themes; merge instead of deleting")
    new = _copy(model)
    labels = np.where(new.sample_labels_ == theme_id, UNASSIGNED, new.sample_labels_)
    new.labels_by_id_.pop(theme_id, None)
    new.origins_.pop(theme_id, None)
    _record(new, "delete", str(theme_id))
    return _refit(new, labels)


def add_seed(model: ThemeModel, seed: Seed, *, threshold: float | None = None) -> ThemeModel:
    """A copy with a new seeded theme that takes the sampled rows close to its prototype.

    A row joins when its cosine to the seed reaches ``threshold`` (default: the model's
    tuned seed threshold, else 0.85) and beats its cosine to its current theme.
    """
    _free_label(model, seed.name, besides=set(), every=False)
    new = _copy(model)
    prototype = normalize_rows(
        new.prepare(np.asarray(seed.vectors, np.float32), list(seed.languages)).mean(axis=0)
    )
    languages = [str(code) for code in new.sample_languages_]
    vectors = new.prepare(np.asarray(new.sample_vectors_, np.float32), languages)
    limit = threshold if threshold is not None else new.seed_threshold_
    limit = 0.85 if limit is None or np.isnan(limit) else float(limit)
    to_seed = vectors @ prototype
    column = {t: i for i, t in enumerate(new.theme_ids_.tolist())}
    current = np.full(len(vectors), -np.inf, dtype=np.float32)
    assigned = np.flatnonzero(new.sample_labels_ >= 0)
    if len(assigned):
        cols = [column[int(t)] for t in new.sample_labels_[assigned]]
        current[assigned] = np.sum(vectors[assigned] * new.raw_centroids_[cols], axis=1)
    # A row joins when it is close enough to the seed and closer to it than to its theme.
    joins = (to_seed >= limit) & (to_seed > current) & (new.sample_labels_ >= 0)
    if joins.sum() < 2:
        raise ConfigError(
            f"only {int(joins.sum())} sampled comments reach cosine {limit:.2f} to seed "
            f"{seed.name!r}; add example phrases or lower the threshold"
        )
    seed_id = int(new.theme_ids_.max()) + 1
    labels = np.where(joins, seed_id, new.sample_labels_)
    new.labels_by_id_[seed_id] = seed.name
    new.origins_[seed_id] = "seed"
    new.seed_names_ = [*new.seed_names_, seed.name]
    new.seed_prototypes_ = np.vstack([new.seed_prototypes_, prototype[None, :]])
    _record(new, "add-seed", f"{seed.name!r} -> {seed_id} ({int(joins.sum())} sampled rows)")
    return _refit(new, labels)


def theme_table(model: ThemeModel) -> list[dict[str, Any]]:
    """One row per theme for display: id, label, size, parent, origin, top keywords."""
    return [
        {
            "id": t["id"],
            "label": t["label"],
            "size": t["size"],
            "parent": t["parent"],
            "origin": t["origin"],
            "keywords": ", ".join(term for term, _ in t["keywords"][:5]),
        }
        for t in model.themes_
    ]
