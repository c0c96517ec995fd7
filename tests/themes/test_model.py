"""ThemeModel: estimator contract, cross-lingual discovery, assignment rule, bundles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import normalized_mutual_info_score as nmi

from cxtext.errors import ArtifactError, DataValidationError, NotFittedError
from cxtext.themes.bundle import load_model, save_model
from cxtext.themes.model import UNASSIGNED, Seed, ThemeModel
from tests.themes.conftest import Corpus, make_corpus


def test_init_only_stores_params_and_clone_keeps_them() -> None:
    model = ThemeModel(granularity=2.0, random_state=7)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert copy.set_params(min_theme_size=5).min_theme_size == 5
    assert not hasattr(copy, "centroids_")
    with pytest.raises(ValueError, match=r"(?i)invalid parameter"):
        model.set_params(k=3)


def test_predict_before_fit_raises(corpus: Corpus) -> None:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError
    from sklearn.utils.validation import check_is_fitted

    with pytest.raises(NotFittedError):
        ThemeModel().predict(corpus.vectors, languages=corpus.languages)
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(ThemeModel())


def test_themes_gather_languages_not_split_by_them(fitted: ThemeModel, corpus: Corpus) -> None:
    labels = fitted.predict(corpus.vectors, languages=corpus.languages)
    assigned = labels >= 0
    assert nmi(corpus.topics[assigned], labels[assigned]) > 0.9
    assert nmi(np.asarray(corpus.languages)[assigned], labels[assigned]) < 0.05


def test_without_debiasing_the_same_data_splits_by_language(corpus: Corpus) -> None:
    model = ThemeModel(debias_languages=False).fit(corpus.vectors, languages=corpus.languages)
    labels = model.predict(corpus.vectors, languages=corpus.languages)
    assert nmi(np.asarray(corpus.languages), labels) > 0.3


def test_predicting_training_rows_reproduces_the_fit(fitted: ThemeModel, corpus: Corpus) -> None:
    again = fitted.predict(corpus.vectors, languages=corpus.languages)
    np.testing.assert_array_equal(again, fitted.labels_)


def test_unassigned_share_is_small_and_far_or_empty_rows_get_minus_one(
    fitted: ThemeModel, corpus: Corpus
) -> None:
    assert (fitted.labels_ == UNASSIGNED).mean() <= 0.05
    far = -corpus.vectors[:1]  # the opposite direction of a real comment
    assert fitted.predict(far, languages=["en"])[0] == UNASSIGNED
    no_content = np.zeros(len(corpus.vectors), dtype=bool)
    assert (
        fitted.predict(corpus.vectors, languages=corpus.languages, content=no_content) == UNASSIGNED
    ).all()


def test_same_seed_same_themes(corpus: Corpus) -> None:
    a = ThemeModel(random_state=3).fit(corpus.vectors, languages=corpus.languages)
    b = ThemeModel(random_state=3).fit(corpus.vectors, languages=corpus.languages)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.centroids_, b.centroids_)


def test_transform_gives_similarity_per_theme(fitted: ThemeModel, corpus: Corpus) -> None:
    sims = fitted.transform(corpus.vectors[:5], languages=corpus.languages[:5])
    assert sims.shape == (5, len(fitted.theme_ids_))
    assert np.all(sims <= 1.0 + 1e-5)


def test_labels_keywords_and_representatives(fitted: ThemeModel) -> None:
    assert len(fitted.themes_) == len(fitted.theme_ids_)
    for theme in fitted.themes_:
        assert theme["label"] and theme["keywords"]
        assert 1 <= len(theme["representatives"]) <= 5
        assert theme["origin"] == "discovered"
    words = {term for theme in fitted.themes_ for term, _ in theme["keywords"]}
    assert any("greșit" in w or "nepoliticos" in w or "aplicația" in w for w in words)
    assert {p["id"] for p in fitted.parent_themes_} == set(fitted.parents_.tolist())
    counts = [int((fitted.labels_ == t).sum()) for t in sorted(fitted.theme_ids_.tolist())]
    assert counts == sorted(counts, reverse=True)  # discovered themes numbered by size


def test_dimension_mismatch_is_refused(fitted: ThemeModel) -> None:
    with pytest.raises(DataValidationError, match="dimensions"):
        fitted.predict(np.ones((1, 7), np.float32), languages=["en"])


def test_seed_joins_matching_comments_and_threshold_is_tuned_on_picks(corpus: Corpus) -> None:
    topic0 = corpus.vectors[corpus.topics == 0][:5]
    seed = Seed("Billing", topic0, ["en"] * 5)
    picks = ["Billing" if t == 0 else None for t in corpus.topics]
    model = ThemeModel().fit(
        corpus.vectors,
        languages=corpus.languages,
        texts=corpus.texts,
        seeds=[seed],
        seed_labels=picks,
    )
    billing = [t for t in model.themes_ if t["label"] == "Billing"]
    assert billing and billing[0]["origin"] == "seed"
    joined = model.labels_ == billing[0]["id"]
    assert (corpus.topics[joined] == 0).mean() > 0.95
    assert joined.sum() > 0.8 * (corpus.topics == 0).sum()
    assert 0 < model.seed_threshold_ < 1


def test_a_discovered_cluster_of_a_seeds_cause_joins_the_seed(corpus: Corpus) -> None:
    """Clauses of the seed's cause below the threshold do not become a theme beside it."""
    rows = np.flatnonzero(corpus.topics == 0)
    phrases = rows[::30]  # a few of the cause's rows in each language
    languages = np.asarray(corpus.languages)
    seed = Seed("Billing", corpus.vectors[phrases], languages[phrases].tolist())
    fitted = ThemeModel(seed_threshold=0.99).fit(
        corpus.vectors, languages=corpus.languages, seeds=[seed]
    )
    # A threshold that half of the cause's own rows miss.
    Z = fitted.prepare(corpus.vectors[rows], languages[rows].tolist())
    threshold = float(np.median(Z @ fitted.seed_prototypes_[0]))
    model = ThemeModel(seed_threshold=threshold).fit(
        corpus.vectors, languages=corpus.languages, texts=corpus.texts, seeds=[seed]
    )
    in_seed = model.labels_[corpus.topics == 0] == 0
    assert in_seed.mean() > 0.95
    assert len(model.theme_ids_) == 4  # the seed and the three other causes


def test_save_load_predicts_identically(fitted: ThemeModel, corpus: Corpus, tmp_path: Path) -> None:
    other = make_corpus(seed=5)
    folder = save_model(
        fitted,
        tmp_path / "demo" / "v1",
        name="demo",
        version="v1",
        encoder={"id": "fake", "dim": 48},
    )
    loaded, manifest = load_model(tmp_path / "demo")
    assert manifest["type"] == "cxtext.ThemeModel.v1" and manifest["version"] == "v1"
    np.testing.assert_array_equal(
        loaded.predict(other.vectors, languages=other.languages),
        fitted.predict(other.vectors, languages=other.languages),
    )
    np.testing.assert_allclose(
        loaded.transform(other.vectors, languages=other.languages),
        fitted.transform(other.vectors, languages=other.languages),
    )
    assert loaded.themes_ == fitted.themes_
    assert (folder / "MODEL_CARD.md").read_text().startswith("# Theme model demo v1")
    (folder / "arrays.npz").write_bytes(b"corrupt")
    with pytest.raises(ArtifactError):
        load_model(folder)


def test_a_bundle_from_before_clause_context_themes_clauses_alone(
    fitted: ThemeModel, tmp_path: Path
) -> None:
    folder = save_model(
        fitted, tmp_path / "m" / "v1", name="m", version="v1", encoder={"id": "fake", "dim": 48}
    )
    assert load_model(folder)[0].clause_context == fitted.clause_context == 1.0
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["params"]["clause_context"]
    manifest_path.write_text(json.dumps(manifest))
    assert load_model(folder)[0].clause_context == 0.0


def test_too_few_comments_is_a_clear_error() -> None:
    with pytest.raises(DataValidationError, match="too few"):
        ThemeModel().fit(np.eye(5, dtype=np.float32), languages=["en"] * 5)


def test_fit_is_identical_across_processes_and_thread_counts() -> None:
    """BLAS, numba and the encoders sum in another order with another thread count; the
    fit runs on one thread, so the themes (and their stability) never depend on it."""
    import os
    import subprocess
    import sys

    script = (
        "import hashlib, warnings; warnings.filterwarnings('ignore');"
        "from tests.themes.conftest import make_corpus;"
        "from cxtext.themes.model import ThemeModel;"
        "c = make_corpus(30);"
        "m = ThemeModel(stability_runs=1).fit(c.vectors, languages=c.languages);"
        "print(hashlib.sha256(m.labels_.tobytes() + m.centroids_.tobytes()"
        " + repr(sorted(m.stability_.items())).encode()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    variables = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            env=os.environ | dict.fromkeys(variables, threads),
        ).stdout.strip()
        for threads in ("1", "2", "2")
    }
    assert len(runs) == 1


def test_a_rare_language_keeps_its_topic(corpus: Corpus) -> None:
    topic0 = corpus.vectors[corpus.topics == 0][:3]
    vectors = np.vstack([corpus.vectors, topic0])
    languages = [*corpus.languages, "de", "de", "de"]
    model = ThemeModel().fit(vectors, languages=languages)
    assert "de" not in model.language_offsets_  # too few rows to estimate an offset
    labels = model.predict(vectors, languages=languages)
    topic0_theme = np.bincount(labels[: len(corpus.vectors)][corpus.topics == 0] + 1).argmax() - 1
    rare = labels[-3:]
    assert (rare >= 0).sum() >= 2 and (rare[rare >= 0] == topic0_theme).all()
