"""Curation edits return new models with consistent labels, keywords and lineage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cxtext.errors import ConfigError
from cxtext.themes.bundle import load_model, save_model
from cxtext.themes.editing import add_seed, delete, merge, rename, split
from cxtext.themes.model import Seed, ThemeModel
from tests.themes.conftest import Corpus


def _ids(model: ThemeModel) -> list[int]:
    return sorted(model.theme_ids_.tolist())


def test_rename_changes_only_the_label(fitted: ThemeModel) -> None:
    first = int(fitted.theme_ids_[0])
    renamed = rename(fitted, first, "Billing errors")
    assert next(t for t in renamed.themes_ if t["id"] == first)["label"] == "Billing errors"
    assert next(t for t in fitted.themes_ if t["id"] == first)["label"] != "Billing errors"
    assert renamed.lineage_[-1]["op"] == "rename" and not fitted.lineage_
    np.testing.assert_array_equal(renamed.centroids_, fitted.centroids_)


def test_merge_unites_members_and_recomputes_keywords(fitted: ThemeModel, corpus: Corpus) -> None:
    a, b = (int(t) for t in fitted.theme_ids_[:2])
    merged = merge(fitted, [a, b], label="Merged")
    assert _ids(merged) == sorted(set(_ids(fitted)) - {max(a, b)})
    before = fitted.predict(corpus.vectors, languages=corpus.languages)
    after = merged.predict(corpus.vectors, languages=corpus.languages)
    was_ab = np.isin(before, [a, b])
    assert (after[was_ab] == min(a, b)).mean() > 0.95
    theme = next(t for t in merged.themes_ if t["id"] == min(a, b))
    assert theme["label"] == "Merged" and theme["origin"] == "edited"
    sizes = {t["id"]: t["size"] for t in fitted.themes_}
    assert abs(theme["size"] - (sizes[a] + sizes[b])) <= 0.05 * (sizes[a] + sizes[b])


def test_split_makes_new_themes_from_one(fitted: ThemeModel) -> None:
    target = int(fitted.theme_ids_[0])
    parts = split(fitted, target, parts=2)
    assert len(parts.theme_ids_) == len(fitted.theme_ids_) + 1
    new_id = int(fitted.theme_ids_.max()) + 1
    assert {target, new_id} <= set(parts.theme_ids_.tolist())
    assert all(t["keywords"] for t in parts.themes_)


def test_delete_sends_members_to_their_nearest_theme(fitted: ThemeModel, corpus: Corpus) -> None:
    gone = int(fitted.theme_ids_[-1])
    smaller = delete(fitted, gone)
    assert gone not in smaller.theme_ids_.tolist()
    labels = smaller.predict(corpus.vectors, languages=corpus.languages)
    assert gone not in labels.tolist()
    assert (labels == -1).mean() <= 0.05
    with pytest.raises(ConfigError, match="no theme"):
        delete(fitted, 999)


def test_add_seed_creates_a_seed_theme(fitted: ThemeModel, corpus: Corpus) -> None:
    topic3 = corpus.vectors[corpus.topics == 3][:4]
    seeded = add_seed(fitted, Seed("App crashes", topic3, ["en"] * 4), threshold=0.5)
    theme = next(t for t in seeded.themes_ if t["label"] == "App crashes")
    assert theme["origin"] == "seed" and theme["size"] > 0
    with pytest.raises(ConfigError, match="already; labels are unique"):
        add_seed(seeded, Seed("App crashes", topic3, ["en"] * 4))


def test_edited_model_round_trips_with_lineage(
    fitted: ThemeModel, tmp_path: Path, corpus: Corpus
) -> None:
    edited = merge(
        rename(fitted, int(fitted.theme_ids_[0]), "First"), [int(t) for t in fitted.theme_ids_[1:3]]
    )
    save_model(edited, tmp_path / "m" / "v2", name="m", version="v2", encoder=None)
    loaded, manifest = load_model(tmp_path / "m")
    assert [e["op"] for e in manifest["lineage"]["edits"]] == ["rename", "merge"]
    np.testing.assert_array_equal(
        loaded.predict(corpus.vectors, languages=corpus.languages),
        edited.predict(corpus.vectors, languages=corpus.languages),
    )
