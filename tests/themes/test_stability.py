"""Theme stability: perturbed repeats of the fit, shown per theme, never made up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cxtext.themes.bundle import load_model, save_model
from cxtext.themes.editing import merge, rename
from cxtext.themes.model import ThemeModel
from cxtext.themes.stability import (
    MIN_MEMBERS,
    NOT_MEASURED,
    STABLE,
    UNSTABLE,
    jaccard_stability,
    record,
)
from tests.themes.conftest import Corpus


@pytest.fixture(scope="module")
def measured(corpus: Corpus) -> ThemeModel:
    return ThemeModel(min_theme_size=10, stability_runs=2).fit(
        corpus.vectors, languages=corpus.languages, texts=corpus.texts, ids=corpus.ids
    )


def test_jaccard_of_a_theme_found_again_split_or_lost() -> None:
    reference = np.array([0, 0, 0, 0, 1, 1, 1, 1, -1])
    same = np.array([5, 5, 5, 5, 6, 6, 6, 6, -1])  # other ids, same members
    halved = np.array([5, 5, 7, 7, 6, 6, 6, 6, 6])  # theme 0 split, theme 1 grown by one
    lost = np.full(9, -1)
    assert jaccard_stability(reference, [same], 0) == 1.0
    assert jaccard_stability(reference, [same, halved], 0) == pytest.approx((1 + 0.5) / 2)
    assert jaccard_stability(reference, [halved], 1) == pytest.approx(4 / 5)
    assert jaccard_stability(reference, [lost], 0) == 0.0


def test_status_follows_the_threshold() -> None:
    assert record(0.9)["status"] == STABLE
    assert record(0.3)["status"] == UNSTABLE
    unmeasured = record(None, "fewer than 20 members (12)")
    assert unmeasured == {
        "score": None,
        "status": NOT_MEASURED,
        "reason": "fewer than 20 members (12)",
    }


def test_every_theme_is_measured_or_says_why(measured: ThemeModel) -> None:
    sizes = {int(t): int((measured.labels_ == t).sum()) for t in measured.theme_ids_}
    for theme in measured.themes_:
        stability = theme["stability"]
        if sizes[theme["id"]] < MIN_MEMBERS:
            assert stability["score"] is None and "fewer than" in stability["reason"]
        else:
            assert 0.0 <= stability["score"] <= 1.0
            assert stability["status"] in (STABLE, UNSTABLE)


def test_well_separated_topics_are_stable(measured: ThemeModel, corpus: Corpus) -> None:
    """The corpus plants its topics far apart: a theme that holds mostly one topic comes
    back in every repeat."""
    for theme in measured.themes_:
        members = corpus.topics[measured.labels_ == theme["id"]]
        if len(members) >= MIN_MEMBERS and np.bincount(members).max() > 0.9 * len(members):
            assert theme["stability"]["status"] == STABLE, theme


def test_same_vectors_give_the_same_stability(measured: ThemeModel, corpus: Corpus) -> None:
    again = ThemeModel(min_theme_size=10, stability_runs=2).fit(
        corpus.vectors, languages=corpus.languages, texts=corpus.texts, ids=corpus.ids
    )
    assert again.stability_ == measured.stability_


def test_turned_off_measures_nothing(corpus: Corpus) -> None:
    model = ThemeModel(min_theme_size=10, stability_runs=0).fit(
        corpus.vectors, languages=corpus.languages, texts=corpus.texts, ids=corpus.ids
    )
    assert all(t["stability"]["score"] is None for t in model.themes_)
    assert all("turned off" in t["stability"]["reason"] for t in model.themes_)


def test_stability_survives_the_bundle_and_edits_forget_what_they_change(
    measured: ThemeModel, tmp_path: Path
) -> None:
    folder = save_model(measured, tmp_path / "v1", name="themes", version="v1", encoder=None)
    loaded, _ = load_model(folder)
    assert loaded.stability_ == measured.stability_
    assert [t["stability"] for t in loaded.themes_] == [t["stability"] for t in measured.themes_]
    assert "stability" in (folder / "MODEL_CARD.md").read_text()

    first, second, third = measured.theme_ids_[:3].tolist()
    renamed = rename(measured, first, "Renamed")
    assert renamed.themes_[0]["stability"] == measured.themes_[0]["stability"]
    merged = merge(measured, [first, second])
    by_id = {t["id"]: t["stability"] for t in merged.themes_}
    assert by_id[first]["score"] is None and by_id[first]["reason"] == "changed by an edit"
    assert by_id[third] in (measured.stability_[third], record(None, "changed by an edit"))
