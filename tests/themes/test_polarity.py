"""One cause, one direction: praise and complaint of one aspect never share a theme."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from cxtext.errors import ConfigError
from cxtext.themes.bundle import load_model, save_model
from cxtext.themes.config import load_config
from cxtext.themes.model import UNASSIGNED, Seed, ThemeModel
from tests.themes.conftest import Corpus, make_corpus


def _polarity(corpus: Corpus) -> np.ndarray:
    """Topic 0 (invoices) half complaints, half praise; topic 1 all complaints; others
    neutral."""
    scores = np.zeros(len(corpus.topics))
    invoices = np.flatnonzero(corpus.topics == 0)
    scores[invoices[::2]] = -0.8
    scores[invoices[1::2]] = 0.7
    scores[corpus.topics == 1] = -0.9
    return scores


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return make_corpus()


@pytest.fixture(scope="module")
def split(corpus: Corpus) -> ThemeModel:
    return ThemeModel(min_theme_size=10).fit(
        corpus.vectors,
        languages=corpus.languages,
        texts=corpus.texts,
        ids=corpus.ids,
        polarity=_polarity(corpus),
    )


def _directions(model: ThemeModel) -> dict[int, int]:
    return dict(zip(model.theme_ids_.tolist(), model.polarities_.tolist(), strict=True))


def test_a_cluster_of_praise_and_complaint_becomes_two_sibling_themes(
    split: ThemeModel, corpus: Corpus
) -> None:
    polarity = _polarity(corpus)
    invoices = corpus.topics == 0
    complaint_themes = set(split.labels_[invoices & (polarity < 0)].tolist()) - {UNASSIGNED}
    praise_themes = set(split.labels_[invoices & (polarity > 0)].tolist()) - {UNASSIGNED}
    assert len(complaint_themes) == 1 and len(praise_themes) == 1
    assert complaint_themes != praise_themes
    (complaint,), (praise,) = complaint_themes, praise_themes
    directions = _directions(split)
    assert (directions[complaint], directions[praise]) == (-1, 1)
    parents = dict(zip(split.theme_ids_.tolist(), split.parents_.tolist(), strict=True))
    assert parents[complaint] == parents[praise]
    by_id = {t["id"]: t for t in split.themes_}
    assert (by_id[complaint]["polarity"], by_id[praise]["polarity"]) == ("negative", "positive")


def test_no_theme_mixes_directions(split: ThemeModel, corpus: Corpus) -> None:
    polarity = _polarity(corpus)
    for theme in np.unique(split.labels_[split.labels_ >= 0]):
        members = polarity[split.labels_ == theme]
        assert not ((members < -0.1).any() and (members > 0.1).any()), theme


def test_praise_never_joins_a_complaint_theme(split: ThemeModel, corpus: Corpus) -> None:
    slow = np.flatnonzero(corpus.topics == 1)
    directions = _directions(split)
    slow_theme = int(np.bincount(split.labels_[slow][split.labels_[slow] >= 0]).argmax())
    assert directions[slow_theme] == -1
    praise = split.predict(
        corpus.vectors[slow],
        languages=[corpus.languages[i] for i in slow],
        polarity=np.full(len(slow), 0.9),
    )
    assert slow_theme not in set(praise.tolist())
    # Without clause sentiment the rule cannot apply: the nearest theme as before.
    plain = split.predict(corpus.vectors[slow], languages=[corpus.languages[i] for i in slow])
    assert (plain == slow_theme).mean() > 0.9


def test_a_complaint_seed_takes_no_praise(corpus: Corpus) -> None:
    invoices = np.flatnonzero(corpus.topics == 0)
    seed = Seed(
        "Billing errors",
        corpus.vectors[invoices[:6]],
        [corpus.languages[i] for i in invoices[:6]],
        polarity=-1,
    )
    polarity = _polarity(corpus)
    model = ThemeModel(min_theme_size=10, seed_threshold=0.5).fit(
        corpus.vectors, languages=corpus.languages, seeds=[seed], polarity=polarity
    )
    assert (model.labels_[invoices[polarity[invoices] < 0]] == 0).mean() > 0.9
    assert not (model.labels_[invoices[polarity[invoices] > 0]] == 0).any()


def test_directions_survive_a_bundle_and_old_bundles_load_neutral(
    split: ThemeModel, corpus: Corpus, tmp_path: Path
) -> None:
    folder = save_model(split, tmp_path / "m" / "v1", name="m", version="v1", encoder=None)
    loaded, _ = load_model(folder)
    np.testing.assert_array_equal(loaded.polarities_, split.polarities_)
    polarity = _polarity(corpus)
    np.testing.assert_array_equal(
        loaded.predict(corpus.vectors, languages=corpus.languages, polarity=polarity),
        split.predict(corpus.vectors, languages=corpus.languages, polarity=polarity),
    )
    del loaded.polarities_  # a model from before directions existed
    labels = loaded.assign(
        loaded.prepare(corpus.vectors, corpus.languages), None, np.ones(len(corpus.topics))
    )
    assert (labels != UNASSIGNED).mean() > 0.9


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ('[[seeds]]\nname = "Slow"\nphrases = []', r"seeds\[0\]\.phrases"),
        ('[[seeds]]\nname = "Slow"\nphrases = ["slow"]\npolarity = "bad"', r"seeds\[0\]\.polarity"),
        ('[[seeds]]\nphrases = ["slow"]', r"seeds\[0\]\.name"),
        ("[themes]\nclause_context = -1", r"themes\.clause_context must be >= 0"),
        ('[themes]\ngranularity = "coarse"', r"themes\.granularity must be a number"),
        ("[themes]\ngranularity = 0", r"themes\.granularity must be > 0"),
        ("[themes]\nmin_theme_size = 2.5", r"themes\.min_theme_size must be an integer"),
        ("[themes]\nmin_theme_size = true", r"themes\.min_theme_size must be an integer"),
        ("[themes]\nunassigned_quantile = 1.0", r"unassigned_quantile must be in \[0, 1\)"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, config: str, key: str) -> None:
    path = tmp_path / "themes.toml"
    path.write_text(f"{config}\n")
    with pytest.raises(ConfigError, match=key):
        load_config(path)


def test_unknown_label_language_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "themes.toml"
    path.write_text('[themes]\nlabel_language = "xx"\n')
    with pytest.raises(ConfigError, match=r"themes\.label_language"):
        load_config(path)
    path.write_text(
        '[themes]\nlabel_language = "NL"\n\n[[seeds]]\nname = "a"\nphrases = ["b"]\n'
        'polarity = "negative"\n'
    )
    config = load_config(path)
    assert config.label_language == "nl" and config.seeds[0].polarity == "negative"


def test_clauses_no_seed_can_take_leave_the_seed_threshold_finite_and_quiet() -> None:
    from cxtext.themes.model import _tune_threshold

    rng = np.random.default_rng(0)
    best = rng.integers(0, 2, size=200)
    best_sim = rng.uniform(0.5, 1.0, size=200)
    best_sim[:120] = -np.inf  # praise: every seed is a complaint
    picks = np.where(best_sim > 0.8, best, UNASSIGNED)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        threshold = _tune_threshold(best, best_sim, picks, np.ones(200, bool))
    assert 0.5 <= threshold <= 0.85
    everything_unjoinable = np.full(200, -np.inf)
    assert _tune_threshold(best, everything_unjoinable, picks, np.ones(200, bool)) == 0.85
