"""No label is ever given twice, at either level, after a fit or after any curation edit."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxtext.errors import ConfigError
from cxtext.themes.editing import delete, merge, rename, split
from cxtext.themes.labels import _choose, _qualified, describe
from cxtext.themes.model import ThemeModel
from cxtext.themes.naming import Name
from tests.themes.conftest import Corpus, make_corpus


def _assert_unique(model: ThemeModel) -> None:
    for described in (model.themes_, model.parent_themes_):
        labels = [t["label"].casefold() for t in described]
        assert len(labels) == len(set(labels)), labels


@pytest.fixture(scope="module")
def repeated() -> Corpus:
    """A corpus whose topics all share their phrases, so candidate names collide."""
    corpus = make_corpus(per_cell=25, seed=7)
    texts = [f"internet slow {'again' if i % 2 else 'today'}" for i in range(len(corpus.texts))]
    return Corpus(corpus.vectors, corpus.topics, corpus.languages, texts, corpus.ids)


@pytest.mark.parametrize("random_state", [0, 1, 2, 3])
def test_random_fits_never_repeat_a_label(repeated: Corpus, random_state: int) -> None:
    rng = np.random.default_rng(random_state)
    model = ThemeModel(
        min_theme_size=8,
        granularity=float(rng.uniform(0.5, 1.2)),
        random_state=random_state,
        stability_runs=0,
    ).fit(repeated.vectors, languages=repeated.languages, texts=repeated.texts, ids=repeated.ids)
    _assert_unique(model)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_relabellings_never_repeat_a_label(fitted: ThemeModel, data: st.DataObject) -> None:
    """Any assignment of the sample to themes, with names configured at random."""
    model = copy.deepcopy(fitted)
    ids = model.theme_ids_.tolist()
    model.sample_labels_ = np.asarray(
        data.draw(
            st.lists(
                st.sampled_from(ids),
                min_size=len(model.sample_labels_),
                max_size=len(model.sample_labels_),
            )
        ),
        dtype=np.int64,
    )
    configured = data.draw(
        st.dictionaries(
            st.sampled_from(ids),
            st.sampled_from(["Billing", "billing ", "Internet slow", "Waiting time"]),
            max_size=2,
        )
    )
    # Configured names are unique (renames and merges refuse a taken one).
    model.labels_by_id_ = {}
    for theme, name in sorted(configured.items()):
        if name.strip().casefold() not in {n.casefold() for n in model.labels_by_id_.values()}:
            model.labels_by_id_[theme] = name.strip()
    themes, parents = describe(model)
    for described in (themes, parents):
        labels = [t["label"].casefold() for t in described]
        assert len(labels) == len(set(labels))


def test_edits_never_repeat_a_label(fitted: ThemeModel) -> None:
    first, second, third = fitted.theme_ids_[:3].tolist()
    with pytest.raises(ConfigError, match="labels are unique"):
        rename(fitted, first, fitted.themes_[1]["label"].upper())
    for edited in (
        rename(fitted, first, "Billing"),
        merge(fitted, [first, second]),
        merge(fitted, [first, second], label=fitted.themes_[2]["label"]),
        split(fitted, third, parts=3),
        delete(fitted, second),
    ):
        _assert_unique(edited)


def test_a_taken_name_gets_a_qualifier_from_its_own_keywords() -> None:
    names = [Name("Internet slow", "en", 1.0)]
    keywords = {"en": [("internet", 0.9), ("slow", 0.8), ("evening", 0.5)]}
    taken = {"internet slow", "internet", "slow", "evening"}
    assert _choose(names, keywords, "en", taken) == ("Internet slow (evening)", "en")
    assert _qualified("Internet slow", ["Evening"], taken | {"internet slow (evening)"}) == (
        "Internet slow (2)"
    )
