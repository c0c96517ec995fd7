"""ThemeModel: discover, seed and assign root-cause themes over sentence vectors.

How it works (each step measured on Banking77 and SIB-200, see training/benchmarks/themes.py):

1. **Language debiasing.** A multilingual encoder places comments of one language near
   each other. Each language's mean offset from the all-language mean is removed before
   anything else, then refined once from residuals against the first themes (a vector
   minus its theme's centroid), so a language whose comments are about other topics
   keeps that difference.
2. **Seeds.** Named known problems (the NPS+ list) become prototypes; a vector joins the
   closest seed when its cosine reaches ``seed_threshold`` (tuned on the respondents' own
   problem picks when the data carries them). A cluster found by discovery (step 3)
   whose centroid would itself join a seed of a compatible direction is that seed's
   cause, and joins it rather than becoming a theme beside it.
3. **Discovery** on the rest: UMAP to a few dimensions, then Ward clustering cut at a
   height relative to the number of vectors (``granularity`` scales it), so the number
   of themes is chosen by the data and not by its size. A Ward merge of two groups of
   ``m`` vectors each whose centres are ``d`` apart happens at height ``sqrt(m) * d``:
   the same causes in ten times the comments merge at a height about three times as
   high, so the cut grows with ``sqrt(n)`` and leaves the same themes at 3,000 or 30,000
   comments (Banking77 at 3,000 and 10,003 rows: 67 and 97 themes for its 77 intents;
   a fixed cut gave 48 and 129). Below 3,000 vectors (:mod:`cxtext.themes.discovery`)
   the cut stays at its reference value: with a few dozen vectors per cause, a lower
   cut splits causes on noise. Clusters smaller than ``min_theme_size`` are dissolved.
   Discovery runs on a deterministic sample of at most ``max_discovery`` vectors.
4. **Assignment**, the one inference rule: a linear discriminant projection learned from
   the themes found, then the nearest theme centroid in that projection. Vectors farther
   from every centroid than the ``unassigned_quantile`` of training distances get -1.
   Training rows are labelled by this same rule, so predicting them reproduces the fit.
5. **Hierarchy**: Ward clustering of theme centroids into parent themes.
6. **One direction per theme** (``split_polarity``, with clause polarities given; see
   :mod:`cxtext.themes.polarity`): a clause is a complaint, praise or neutral by its
   P(positive) - P(negative). A discovered cluster with at least ``min_theme_size``
   complaints and as many praises becomes two sibling themes (same parent); a theme whose
   polar members mostly lean one way takes that direction, and its opposite-signed
   members are left to the rule below. A clause never joins a theme or a seed of the
   opposite direction: it goes to the nearest compatible theme, or stays unassigned when
   it is too far from all of them. Neutral clauses join any theme.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from cxtext.errors import ConfigError, DataValidationError, NotFittedError
from cxtext.schema import UNASSIGNED, UNDETERMINED_LANGUAGE
from cxtext.themes.discovery import discover
from cxtext.themes.labels import describe
from cxtext.themes.polarity import (
    add_directions,
    directions_of,
    polarity_signs,
    split_by_polarity,
)
from cxtext.themes.stability import theme_stability
from cxtext.themes.threads import on_one_thread


@dataclass(frozen=True)
class Seed:
    """A known problem to seed a theme with.

    Attributes
    ----------
    name
        The theme's label.
    vectors
        Encoded descriptions and example phrases, shape (m, d), any languages.
    languages
        Language code of each vector's text, length m.
    polarity
        -1: only complaints join it; 1: only praise; 0: any clause.
    """

    name: str
    vectors: np.ndarray
    languages: Sequence[str]
    polarity: int = 0


def normalize_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.where(norms == 0, 1, norms)).astype(np.float32)


class ThemeModel(BaseEstimator):
    """Root-cause themes over sentence vectors, with the scikit-learn estimator contract.

    Parameters
    ----------
    granularity
        Scales the clustering cut: above 1 gives fewer, broader themes; below 1, more.
    min_theme_size
        Discovered clusters smaller than this are dissolved into their neighbours.
    n_components, n_neighbors
        UMAP settings of discovery.
    max_discovery
        Vectors used for discovery (a deterministic sample); the rest are assigned.
    seed_threshold
        Cosine to a seed prototype needed to join it; ``None`` tunes it on problem picks
        when given, else uses 0.85 (suited to e5 encoders; report and override per encoder).
    unassigned_quantile
        Share of training vectors allowed to be left unassigned (the farthest ones).
    debias_languages
        Remove each language's offset before clustering.
    sample_per_theme
        Training rows kept per theme (vectors, texts, weights) so that curation can
        re-label, re-cluster and re-describe themes without the training data.
    split_polarity
        With clause polarities given to :meth:`fit`, a discovered cluster holding both
        praise and complaint becomes two sibling themes, one per direction, and a clause
        only joins a theme (or seed) whose direction does not contradict its own.
    label_language
        ISO 639-1 code of the language theme labels are written in.
    clause_context
        Weight of the whole comment's vector added to each clause's vector when a comment
        has several clauses (see :func:`cxtext.themes.clauses.theme_vectors`): a clause such
        as "Can you explain?" is themed by what its comment is about. 0 themes each clause
        on its own. The model only records it; the callers that encode apply it.
    stability_runs
        Times the fit is repeated on perturbed vectors to measure each theme's stability
        (:mod:`cxtext.themes.stability`); 0 measures nothing.
    random_state
        Seed of every random step.
    """

    def __init__(
        self,
        *,
        granularity: float = 1.0,
        min_theme_size: int = 10,
        n_components: int = 10,
        n_neighbors: int = 15,
        max_discovery: int = 12_000,
        seed_threshold: float | None = None,
        unassigned_quantile: float = 0.01,
        debias_languages: bool = True,
        sample_per_theme: int = 300,
        split_polarity: bool = True,
        label_language: str = "en",
        clause_context: float = 1.0,
        stability_runs: int = 3,
        random_state: int = 0,
    ) -> None:
        self.granularity = granularity
        self.min_theme_size = min_theme_size
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.max_discovery = max_discovery
        self.seed_threshold = seed_threshold
        self.unassigned_quantile = unassigned_quantile
        self.debias_languages = debias_languages
        self.sample_per_theme = sample_per_theme
        self.split_polarity = split_polarity
        self.label_language = label_language
        self.clause_context = clause_context
        self.stability_runs = stability_runs
        self.random_state = random_state

    theme_ids_: np.ndarray  # learned in fit: theme id of each centroid row, shape (k,)

    def check_fitted(self) -> None:
        """Raise :class:`~cxtext.errors.NotFittedError` (a scikit-learn
        ``NotFittedError``) unless the model is fitted."""
        if not hasattr(self, "centroids_"):
            raise NotFittedError("this ThemeModel is not fitted yet; call fit first")

    # --- fitting -------------------------------------------------------------------------

    @on_one_thread
    def fit(
        self,
        X: np.ndarray,
        y: None = None,
        *,
        languages: Sequence[str],
        texts: Sequence[str] | None = None,
        ids: Sequence[str] | None = None,
        content: np.ndarray | None = None,
        seeds: Sequence[Seed] = (),
        seed_labels: Sequence[str | None] | None = None,
        polarity: np.ndarray | None = None,
    ) -> ThemeModel:
        """Discover themes, on one thread for BLAS and numba
        (:func:`~cxtext.themes.threads.one_thread`), so the themes do not depend on the
        thread count.

        Parameters
        ----------
        X
            Sentence vectors, shape (n, d), L2-normalised.
        languages
            Language code per row, length n.
        texts, ids
            The texts (and their comment ids) behind ``X``; with them the themes get
            labels, keywords per language and representative texts (``themes_``).
        content
            Boolean mask (n,): False for non-answers ("n/a", "-"), kept out of discovery
            and never assigned. All True when ``None``.
        seeds
            Known problems to seed themes with.
        seed_labels
            The respondent's own problem pick per row (a seed name or None), used to tune
            ``seed_threshold`` and to sharpen the seed prototypes.
        polarity
            Clause sentiment per row, P(positive) - P(negative) in [-1, 1]; with
            ``split_polarity`` each theme keeps one direction (see the module docstring).
        """
        X = self._check_input(X, languages)
        if len(X) < 2 * self.min_theme_size:
            raise DataValidationError(
                f"too few comments to discover themes: {len(X)} (need at least "
                f"{2 * self.min_theme_size})"
            )
        keep = np.ones(len(X), dtype=bool) if content is None else np.asarray(content, bool)
        if keep.sum() < 2 * self.min_theme_size:
            raise DataValidationError(
                f"too few comments with content to discover themes: {int(keep.sum())}"
            )
        langs = np.asarray(languages, dtype=object)
        rng = np.random.default_rng(self.random_state)
        signs = polarity_signs(polarity if self.split_polarity else None, len(X))
        labels = self.fit_labels(X, langs, keep, signs, seeds, seed_labels)
        self.labels_ = labels
        n_seeds = len(seeds)
        self.origins_ = {int(t): ("seed" if t < n_seeds else "discovered") for t in self.theme_ids_}
        self.labels_by_id_ = {i: seed.name for i, seed in enumerate(seeds)}
        self.lineage_: list[dict[str, Any]] = []
        sample = _stratified_sample(labels, self.sample_per_theme, rng)
        counts = np.bincount(labels[sample] + 1, minlength=labels.max() + 2)
        totals = np.bincount(labels + 1, minlength=labels.max() + 2)
        self.sample_vectors_ = X[sample].astype(np.float16)
        self.sample_languages_ = langs[sample].astype(str)
        self.sample_weights_ = (totals / np.maximum(counts, 1))[labels[sample] + 1].astype(
            np.float32
        )
        self.sample_texts_ = [texts[i] for i in sample] if texts is not None else []
        self.sample_ids_ = [str(ids[i]) for i in sample] if ids is not None else []
        self.sample_labels_ = labels[sample]
        self.sample_content_ = keep[sample]
        self.sample_signs_ = signs[sample]

        def refit(twin: ThemeModel, noisy: np.ndarray) -> np.ndarray:
            return twin.fit_labels(noisy, langs, keep, signs, seeds, seed_labels)

        started = time.perf_counter()
        self.stability_ = theme_stability(self, labels, refit, X)
        self.stability_seconds_ = time.perf_counter() - started
        self.themes_, self.parent_themes_ = describe(self) if texts is not None else ([], [])
        add_directions(self)
        return self

    def fit_labels(
        self,
        X: np.ndarray,
        langs: np.ndarray,
        keep: np.ndarray,
        signs: np.ndarray,
        seeds: Sequence[Seed],
        seed_labels: Sequence[str | None] | None,
    ) -> np.ndarray:
        """Fit everything :meth:`predict` needs (no descriptions); each row's theme id.

        The fit without labels, keywords and stability: :meth:`fit` runs it once, and the
        stability measure (:mod:`cxtext.themes.stability`) once per perturbed repeat.
        """
        offsets = self._initial_offsets(X, langs, keep)
        Z = self._debias(X, langs, offsets)
        seed_names = [s.name for s in seeds]
        prototypes, seed_threshold, seed_members = self._match_seeds(
            Z, seeds, seed_labels, keep, offsets, signs
        )

        pool = np.flatnonzero(keep & (seed_members < 0))
        if len(pool) > self.max_discovery:
            rng = np.random.default_rng(self.random_state)
            pool = np.sort(rng.choice(pool, self.max_discovery, replace=False))
        discovered, siblings = split_by_polarity(
            discover(
                Z[pool],
                n_neighbors=self.n_neighbors,
                n_components=self.n_components,
                granularity=self.granularity,
                min_size=self.min_theme_size,
                random_state=self.random_state,
            ),
            Z[pool],
            signs[pool],
            self.min_theme_size,
        )
        n_seeds = len(seed_names)
        theme_of = np.where(discovered >= 0, discovered + n_seeds, UNASSIGNED)
        folded = _seed_of_clusters(
            discovered, Z[pool], signs[pool], prototypes, seeds, seed_threshold
        )
        for label, seed in folded.items():
            theme_of[discovered == label] = seed
        train_idx = np.concatenate([pool, np.flatnonzero(seed_members >= 0)])
        train_labels = np.concatenate(
            [
                theme_of,
                seed_members[seed_members >= 0],
            ]
        )
        ok = train_labels >= 0
        train_idx, train_labels = train_idx[ok], train_labels[ok]
        fixed = {i: seed.polarity for i, seed in enumerate(seeds)}
        directions = directions_of(train_labels, signs[train_idx], fixed)
        # A polar theme is learnt from its own direction only; the others are reassigned.
        label_directions = np.asarray([directions[int(t)] for t in train_labels], np.int8)
        agree = label_directions * signs[train_idx] >= 0
        train_idx, train_labels = train_idx[agree], train_labels[agree]
        if self.debias_languages:
            offsets = self._refined_offsets(X, langs, train_idx, train_labels, offsets)
            Z = self._debias(X, langs, offsets)
        self.fit_assignment(
            Z[train_idx],
            train_labels,
            calibration=Z[keep],
            signs=signs[train_idx],
            fixed=fixed,
            siblings={a + n_seeds: b + n_seeds for a, b in siblings.items()},
        )

        self.language_offsets_ = offsets
        self.seed_names_ = seed_names
        self.seed_prototypes_ = prototypes
        self.seed_threshold_ = seed_threshold
        self.n_features_in_ = X.shape[1]
        return self._number_by_size(self.assign(Z, keep, signs), n_seeds)

    def _number_by_size(self, labels: np.ndarray, n_seeds: int) -> np.ndarray:
        """Renumber discovered themes by final size, largest first, after the seeds."""
        discovered = self.theme_ids_[self.theme_ids_ >= n_seeds]
        sizes = np.asarray([(labels == t).sum() for t in discovered])
        ranked = discovered[np.argsort(-sizes, kind="stable")]
        mapping = {int(old): n_seeds + new for new, old in enumerate(ranked)}
        self.theme_ids_ = np.asarray(
            [mapping.get(int(t), int(t)) for t in self.theme_ids_], dtype=np.int64
        )
        return np.asarray([mapping.get(int(t), int(t)) for t in labels], dtype=np.int64)

    def _check_input(self, X: np.ndarray, languages: Sequence[str]) -> np.ndarray:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2:
            raise DataValidationError(f"X must have shape (n, d), got {X.shape}")
        if len(languages) != len(X):
            raise DataValidationError(
                f"languages has {len(languages)} entries for {len(X)} vectors"
            )
        return X

    def _initial_offsets(
        self, X: np.ndarray, langs: np.ndarray, keep: np.ndarray
    ) -> dict[str, np.ndarray]:
        if not self.debias_languages:
            return {}
        center = X[keep].mean(axis=0)
        offsets = {}
        for lang in np.unique(langs[keep]):
            rows = keep & (langs == lang)
            # A handful of comments cannot tell a language's offset from its topics, and
            # "und" is a mix of languages: both are left as they are.
            if lang != UNDETERMINED_LANGUAGE and rows.sum() >= _MIN_LANGUAGE_ROWS:
                offsets[str(lang)] = (X[rows].mean(axis=0) - center).astype(np.float32)
        return offsets

    @staticmethod
    def _refined_offsets(
        X: np.ndarray,
        langs: np.ndarray,
        idx: np.ndarray,
        labels: np.ndarray,
        offsets: dict[str, np.ndarray],
    ) -> dict[str, np.ndarray]:
        """Language offsets as mean residuals from theme centroids (topic mix removed)."""
        Xs, ls = X[idx], langs[idx]
        centroids = {lab: Xs[labels == lab].mean(axis=0) for lab in np.unique(labels)}
        residual = Xs - np.vstack([centroids[lab] for lab in labels])
        refined = dict(offsets)
        for lang in offsets:
            rows = ls == lang
            if rows.sum() >= 5:
                refined[lang] = residual[rows].mean(axis=0).astype(np.float32)
        return refined

    @staticmethod
    def _debias(X: np.ndarray, langs: np.ndarray, offsets: dict[str, np.ndarray]) -> np.ndarray:
        if not offsets:
            return X
        Z = X.copy()
        for lang, offset in offsets.items():
            Z[langs == lang] -= offset
        return normalize_rows(Z)

    def _match_seeds(
        self,
        Z: np.ndarray,
        seeds: Sequence[Seed],
        seed_labels: Sequence[str | None] | None,
        keep: np.ndarray,
        offsets: dict[str, np.ndarray],
        signs: np.ndarray,
    ) -> tuple[np.ndarray, float, np.ndarray]:
        members = np.full(len(Z), UNASSIGNED, dtype=np.int64)
        if not seeds:
            return np.zeros((0, Z.shape[1]), np.float32), float("nan"), members
        names = [s.name for s in seeds]
        if len(set(names)) != len(names):
            raise ConfigError(f"seed names must be unique, got {names}")
        picks = np.asarray(
            [names.index(p) if p in names else UNASSIGNED for p in (seed_labels or [])]
            or np.full(len(Z), UNASSIGNED),
            dtype=np.int64,
        )
        prototypes = []
        for i, seed in enumerate(seeds):
            vecs = self._debias(
                np.asarray(seed.vectors, np.float32), np.asarray(seed.languages, object), offsets
            )
            proto = vecs.mean(axis=0)
            picked = keep & (picks == i)
            if picked.sum() >= 3:
                proto = proto + Z[picked].mean(axis=0)
            prototypes.append(proto)
        protos = normalize_rows(np.vstack(prototypes))
        sims = Z @ protos.T
        # A clause never joins a seed of the opposite direction.
        seed_signs = np.asarray([s.polarity for s in seeds], dtype=np.int8)
        sims[(signs[:, None] * seed_signs[None, :]) < 0] = -np.inf
        best, best_sim = sims.argmax(axis=1), sims.max(axis=1)
        threshold = self.seed_threshold
        if threshold is None:
            tuned = (picks >= 0).any()
            threshold = (
                _tune_threshold(best, best_sim, picks, keep) if tuned else _DEFAULT_SEED_THRESHOLD
            )
        hit = keep & (best_sim >= threshold)
        members[hit] = best[hit]
        return protos, float(threshold), members

    def fit_assignment(
        self,
        Z: np.ndarray,
        labels: np.ndarray,
        calibration: np.ndarray | None = None,
        *,
        signs: np.ndarray | None = None,
        fixed: dict[int, int] | None = None,
        siblings: dict[int, int] | None = None,
    ) -> None:
        """Learn the projection and centroids that define :meth:`predict`.

        ``calibration`` (default ``Z``) are the vectors whose distances set the
        unassigned cut: their farthest ``unassigned_quantile`` share is left out.
        ``signs`` (clause directions of ``Z``) give each theme its direction, ``fixed``
        overrides it per theme (seeds), and ``siblings`` (theme -> its opposite-direction
        sibling) puts siblings under one parent.
        """
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

        classes = np.unique(labels)
        if len(classes) < 2:
            raise DataValidationError(
                f"found {len(classes)} theme(s); need at least 2 (lower min_theme_size or "
                "granularity, or give more comments)"
            )
        lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage=_LDA_SHRINKAGE)
        lda.fit(Z, labels)
        projection = lda.scalings_[:, : min(_MAX_DIMS, len(classes) - 1)].astype(np.float32)
        P = Z @ projection
        centroids = np.vstack([P[labels == c].mean(axis=0) for c in classes])
        reference = P if calibration is None else calibration @ projection
        distances = _sq_distances(reference, centroids).min(axis=1)
        self.theme_ids_ = classes.astype(np.int64)
        self.projection_ = projection
        self.centroids_ = centroids.astype(np.float32)
        self.raw_centroids_ = normalize_rows(
            np.vstack([Z[labels == c].mean(axis=0) for c in classes])
        )
        self.max_distance_ = float(np.quantile(distances, 1 - self.unassigned_quantile))
        parents = _parents(self.raw_centroids_)
        column = {int(c): i for i, c in enumerate(classes)}
        for theme, sibling in (siblings or {}).items():
            if theme in column and sibling in column:
                parents[column[sibling]] = parents[column[theme]]
        self.parents_ = parents
        signs = np.zeros(len(labels), np.int8) if signs is None else np.asarray(signs)
        found = directions_of(labels, signs, fixed or {})
        self.polarities_ = np.asarray([found[int(c)] for c in classes], dtype=np.int8)

    # --- inference -----------------------------------------------------------------------

    def prepare(self, X: np.ndarray, languages: Sequence[str]) -> np.ndarray:
        self.check_fitted()
        X = self._check_input(X, languages)
        if X.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"vectors have {X.shape[1]} dimensions; the model was fitted on "
                f"{self.n_features_in_} (another encoder?)"
            )
        return self._debias(X, np.asarray(languages, dtype=object), self.language_offsets_)

    @on_one_thread
    def assign(
        self, Z: np.ndarray, content: np.ndarray | None, signs: np.ndarray | None = None
    ) -> np.ndarray:
        d = _sq_distances(Z @ self.projection_, self.centroids_)
        directions = getattr(self, "polarities_", None)
        if signs is not None and directions is not None:
            d[(np.asarray(signs)[:, None] * directions[None, :]) < 0] = np.inf
        labels = self.theme_ids_[d.argmin(axis=1)]
        far = d.min(axis=1) > self.max_distance_
        if content is not None:
            far |= ~np.asarray(content, dtype=bool)
        return np.where(far, UNASSIGNED, labels)

    def predict(
        self,
        X: np.ndarray,
        *,
        languages: Sequence[str],
        content: np.ndarray | None = None,
        polarity: np.ndarray | None = None,
    ) -> np.ndarray:
        """Theme id per vector, shape (n,); -1 when far from every theme or no content.

        With ``polarity`` (clause sentiment, as in :meth:`fit`) a clause only joins a
        theme whose direction does not contradict its own.
        """
        signs = polarity_signs(polarity, len(X)) if polarity is not None else None
        return self.assign(self.prepare(X, languages), content, signs)

    def transform(self, X: np.ndarray, *, languages: Sequence[str]) -> np.ndarray:
        """Per-theme similarity, shape (n, n_themes): cosine to each theme's mean vector.

        Columns follow ``theme_ids_``.
        """
        return self.prepare(X, languages) @ self.raw_centroids_.T

    def parent_of(self, theme_ids: np.ndarray) -> np.ndarray:
        """Parent theme id of each theme id (-1 stays -1)."""
        self.check_fitted()
        lookup = dict(zip(self.theme_ids_.tolist(), self.parents_.tolist(), strict=True))
        return np.asarray([lookup.get(int(t), UNASSIGNED) for t in theme_ids], dtype=np.int64)


_LDA_SHRINKAGE = 0.1
_MIN_LANGUAGE_ROWS = 20
_MAX_DIMS = 64
# The seed threshold when no respondent picked a problem to tune it on.
_DEFAULT_SEED_THRESHOLD = 0.85


def _stratified_sample(labels: np.ndarray, per_label: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted row indices: up to ``per_label`` random rows of every label (-1 included)."""
    chosen = []
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        if len(rows) > per_label:
            rows = rng.choice(rows, per_label, replace=False)
        chosen.append(rows)
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def _seed_of_clusters(
    discovered: np.ndarray,
    Z: np.ndarray,
    signs: np.ndarray,
    prototypes: np.ndarray,
    seeds: Sequence[Seed],
    threshold: float,
) -> dict[int, int]:
    """Discovered clusters that are a seed's cause: {cluster label: seed index}.

    A cluster is the cause of the seed whose prototype is nearest to its centroid when
    that cosine reaches the seed threshold (the centroid would join the seed as a clause
    would) and the cluster's direction does not contradict the seed's. Without this, the
    clauses of a seed's cause below the threshold form a theme of their own beside the
    seed, and assignment then shares the cause between the two.
    """
    if not len(seeds) or not (discovered >= 0).any():
        return {}
    seed_signs = np.asarray([s.polarity for s in seeds], dtype=np.int8)
    found = discovered >= 0
    folded = {}
    for label, direction in directions_of(discovered[found], signs[found], {}).items():
        centroid = normalize_rows(Z[discovered == label].mean(axis=0, keepdims=True))[0]
        sims = prototypes @ centroid
        sims[seed_signs * direction < 0] = -np.inf
        best = int(sims.argmax())
        if sims[best] >= threshold:
            folded[label] = best
    return folded


def _sq_distances(P: np.ndarray, C: np.ndarray) -> np.ndarray:
    return (P * P).sum(axis=1, keepdims=True) - 2 * P @ C.T + (C * C).sum(axis=1)[None, :]


def _parents(centroids: np.ndarray) -> np.ndarray:
    """Parent group per theme: Ward clustering of centroids into about sqrt(k) groups."""
    from sklearn.cluster import AgglomerativeClustering

    k = len(centroids)
    n_parents = max(1, round(np.sqrt(k)))
    if k < 3:
        return np.zeros(k, dtype=np.int64)
    return (
        AgglomerativeClustering(n_clusters=n_parents, linkage="ward")
        .fit_predict(centroids)
        .astype(np.int64)
    )


def _tune_threshold(
    best: np.ndarray, best_sim: np.ndarray, picks: np.ndarray, keep: np.ndarray
) -> float:
    """Cosine threshold maximising F1 of "joins seed s" against the respondents' picks.

    Rows without a pick count as "no seed", so joining them is a false positive. A clause
    whose direction no seed shares has similarity -inf, so low quantiles can be -inf or
    NaN (-inf minus -inf); such candidates are dropped.
    """
    rows = keep
    with np.errstate(invalid="ignore"):
        candidates = np.quantile(best_sim[rows], np.linspace(0.05, 0.95, 37))
    candidates = candidates[np.isfinite(candidates)]
    if not len(candidates):
        return _DEFAULT_SEED_THRESHOLD
    truth = picks[rows]
    scores = []
    for threshold in candidates:
        predicted = np.where(best_sim[rows] >= threshold, best[rows], UNASSIGNED)
        tp = ((predicted == truth) & (truth >= 0)).sum()
        fp = ((predicted >= 0) & (predicted != truth)).sum()
        fn = ((truth >= 0) & (predicted != truth)).sum()
        scores.append(2 * tp / max(2 * tp + fp + fn, 1))
    return float(candidates[int(np.argmax(scores))])
