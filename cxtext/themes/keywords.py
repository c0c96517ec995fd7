"""Theme keywords with class-based TF-IDF (c-TF-IDF).

c-TF-IDF (Grootendorst 2022, BERTopic, c-TF-IDF) treats all documents of one class (theme)
as one document. For term t and class c::

    W(t, c) = tf(t, c) * log(1 + A / f(t))

where tf(t, c) is the frequency of t in c divided by the number of terms in c (as
BERTopic's implementation does, so small and large themes score alike), f(t) the frequency
of t over all classes and A the average number of terms per class. Terms are the lemmas of
:mod:`cxtext.text.tokens` and their n-grams over adjacent kept lemmas (stop words are
already gone, so ``"card did not arrive"`` gives the bigram ``"card arrive"``). Documents
of label -1 (unassigned) take no part.

Diversity: keywords are chosen greedily by maximal marginal relevance, as BERTopic and
KeyBERT do, but with term co-occurrence instead of embeddings. Among the class's
``max(30, 3 * top_n)`` best terms, the next keyword maximizes
``(1 - diversity) * W / W_max - diversity * max_sim``, where ``max_sim`` is the highest
cosine similarity, over the class's documents, between the binary occurrence vector of the
candidate and those of the keywords already chosen. On top, a candidate whose lemma set
contains or is contained in a chosen keyword's (``"card"`` vs ``"card arrive"``) is a
near-duplicate and is dropped; the higher-scoring one stays (on equal scores the longer
n-gram goes first). ``diversity=0`` gives the plain top ``top_n`` by score. Everything is
deterministic: ties are broken by n-gram length, then alphabetically.

Common terms: a lemma present in most themes (a brand name, the product every comment is
about) distinguishes none of them. :func:`common_terms` finds the lemmas present in more
than ``max_share`` of the themes, where present means in at least ``min_presence`` of the
theme's documents; passed as ``exclude``, every n-gram holding one of them is dropped.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Final

import numpy as np
import scipy.sparse as sp

MIN_POOL: Final = 30
# common_terms: present in more than this share of the themes, when there are this many.
MAX_THEME_SHARE: Final = 0.5
MIN_THEMES: Final = 4
# A lemma is present in a theme when this share of the theme's documents holds it.
MIN_PRESENCE: Final = 0.02

Keywords = list[tuple[str, float]]


def _terms(lemmas: Sequence[str], ngram_range: tuple[int, int]) -> list[str]:
    """n-grams (space-joined) of adjacent lemmas for n in ``ngram_range``."""
    low, high = ngram_range
    return [
        " ".join(lemmas[i : i + n])
        for n in range(low, high + 1)
        for i in range(len(lemmas) - n + 1)
    ]


def _count_matrix(
    docs_lemmas: Sequence[Sequence[str]], ngram_range: tuple[int, int], min_df: int
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Document-term counts, shape (n_docs, n_terms), of terms in at least ``min_df`` docs."""
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for lemmas in docs_lemmas:
        indices.extend(
            vocabulary.setdefault(t, len(vocabulary)) for t in _terms(lemmas, ngram_range)
        )
        indptr.append(len(indices))
    counts = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(docs_lemmas), len(vocabulary)),
    )
    counts.sum_duplicates()
    terms = np.asarray(list(vocabulary), dtype=object)
    keep = np.flatnonzero(np.bincount(counts.indices, minlength=len(terms)) >= min_df)
    return counts[:, keep].tocsr(), terms[keep]


def _ctfidf(class_counts: sp.csr_matrix) -> sp.csr_matrix:
    """c-TF-IDF weights of a (n_classes, n_terms) count matrix (see the module docstring)."""
    sizes = np.asarray(class_counts.sum(axis=1)).ravel()
    frequency = np.asarray(class_counts.sum(axis=0)).ravel()
    idf = np.log1p(sizes.mean() / np.maximum(frequency, 1.0))
    tf = sp.diags(1.0 / np.maximum(sizes, 1.0)) @ class_counts
    return (tf @ sp.diags(idf)).tocsr()


def _nested(a: frozenset[str], b: frozenset[str]) -> bool:
    return a <= b or b <= a


def _select(
    terms: np.ndarray,
    scores: np.ndarray,
    occurrences: sp.csr_matrix,
    top_n: int,
    diversity: float,
) -> list[int]:
    """Indices into ``terms`` of the chosen keywords, by descending score.

    ``terms`` and ``scores`` are the class's candidates sorted best first; ``occurrences``
    is the (n_class_docs, n_candidates) binary occurrence matrix.
    """
    if diversity <= 0 or len(terms) <= 1:
        return list(range(min(top_n, len(terms))))
    gram = (occurrences.T @ occurrences).toarray()
    norms = np.sqrt(np.maximum(np.diag(gram), 1.0))
    similarity = gram / np.outer(norms, norms)
    relevance = scores / scores[0]
    lemma_sets = [frozenset(t.split()) for t in terms]
    chosen: list[int] = [0]
    remaining = list(range(1, len(terms)))
    while remaining and len(chosen) < top_n:
        remaining = [
            i for i in remaining if not any(_nested(lemma_sets[i], lemma_sets[j]) for j in chosen)
        ]
        if not remaining:
            break
        values = (1 - diversity) * relevance[remaining] - diversity * similarity[
            np.ix_(remaining, chosen)
        ].max(axis=1)
        best = remaining[int(np.argmax(values))]  # first maximum: the better-ranked term
        chosen.append(best)
        remaining.remove(best)
    return sorted(chosen)


def theme_keywords(
    docs_lemmas: Sequence[Sequence[str]],
    labels: np.ndarray,
    *,
    ngram_range: tuple[int, int] = (1, 2),
    top_n: int = 10,
    min_df: int = 2,
    diversity: float = 0.5,
    exclude: Collection[str] = (),
) -> dict[int, Keywords]:
    """Top c-TF-IDF keywords per theme.

    Parameters
    ----------
    docs_lemmas
        n documents as lemma lists (:func:`cxtext.text.tokens.lemmas`).
    labels
        Array of shape (n,) of integer theme ids; -1 (unassigned) is ignored.
    ngram_range
        Smallest and largest n of the n-grams, over adjacent lemmas.
    top_n
        Keywords per theme.
    min_df
        A term must occur in at least this many documents (of any theme).
    diversity
        In [0, 1]: weight of redundancy against score (see the module docstring); 0 keeps
        the plain top ``top_n``.
    exclude
        Lemmas (:func:`common_terms`) no keyword may contain.

    Returns
    -------
    dict
        Theme id -> list of (term, score) by descending score, for every theme id in
        ``labels`` except -1; empty when no term of the theme passes ``min_df``.

    Raises
    ------
    ValueError
        ``labels`` does not have one entry per document, or a parameter is out of range.
    """
    labels = np.asarray(labels)
    if labels.shape != (len(docs_lemmas),):
        raise ValueError(f"labels of shape {labels.shape} for {len(docs_lemmas)} documents")
    if (
        not 0 <= diversity <= 1
        or top_n < 1
        or min_df < 1
        or not 1 <= ngram_range[0] <= ngram_range[1]
    ):
        raise ValueError(
            f"need 0 <= diversity <= 1, top_n >= 1, min_df >= 1, 1 <= ngram_range[0] <= "
            f"ngram_range[1]; got {diversity}, {top_n}, {min_df}, {ngram_range}"
        )
    rows = np.flatnonzero(labels >= 0)
    classes, class_of_doc = np.unique(labels[rows], return_inverse=True)
    result: dict[int, Keywords] = {int(c): [] for c in classes}
    counts, terms = _count_matrix([docs_lemmas[int(i)] for i in rows], ngram_range, min_df)
    if exclude:
        excluded = frozenset(exclude)
        allowed = [i for i, t in enumerate(terms) if excluded.isdisjoint(t.split())]
        counts, terms = counts[:, allowed], terms[allowed]
    if counts.shape[1] == 0:
        return result
    membership = sp.csr_matrix(
        (np.ones(len(rows)), (class_of_doc, np.arange(len(rows)))),
        shape=(len(classes), len(rows)),
    )
    weights = _ctfidf((membership @ counts).tocsr())
    n_words = np.fromiter((t.count(" ") + 1 for t in terms), dtype=np.int64, count=len(terms))
    pool_size = max(MIN_POOL, 3 * top_n)
    for k, theme in enumerate(classes):
        row = weights.getrow(k)
        candidates, scores = row.indices, row.data
        if len(candidates) == 0:
            continue
        # best first: score, then longer n-gram, then term
        order = np.lexsort((terms[candidates], -n_words[candidates], -scores))[:pool_size]
        candidates, scores = candidates[order], scores[order]
        docs = membership.getrow(k).indices
        occurrences = (counts[docs][:, candidates] > 0).astype(np.float64)
        chosen = _select(terms[candidates], scores, occurrences, top_n, diversity)
        result[int(theme)] = [(str(terms[candidates[i]]), float(scores[i])) for i in chosen]
    return result


def keywords_by_language(
    lemmas_by_doc: Sequence[Sequence[str]],
    labels: np.ndarray,
    languages: Sequence[str],
    *,
    ngram_range: tuple[int, int] = (1, 2),
    top_n: int = 10,
    min_df: int = 2,
    diversity: float = 0.5,
    min_docs: int = 3,
    exclude: Collection[str] = (),
) -> dict[int, dict[str, Keywords]]:
    """Top c-TF-IDF keywords per theme and language.

    Each language is scored on its own (its vocabulary differs from the others'), so f(t)
    and A come from that language's documents; a (theme, language) cell with fewer than
    ``min_docs`` documents is left out and its documents take no part.

    Parameters
    ----------
    lemmas_by_doc
        n documents as lemma lists.
    labels
        Array of shape (n,) of theme ids; -1 is ignored.
    languages
        n language codes.
    ngram_range, top_n, min_df, diversity, exclude
        As in :func:`theme_keywords`.
    min_docs
        Fewest documents a (theme, language) cell needs.

    Returns
    -------
    dict
        Theme id -> language -> list of (term, score); themes without any cell are absent.
    """
    labels = np.asarray(labels)
    language_arr = np.asarray(languages, dtype=object)
    if labels.shape != (len(lemmas_by_doc),) or language_arr.shape != labels.shape:
        raise ValueError(
            f"{len(lemmas_by_doc)} documents, labels of shape {labels.shape}, "
            f"{len(language_arr)} languages"
        )
    result: dict[int, dict[str, Keywords]] = {}
    for language in sorted(set(language_arr.tolist()), key=str):
        rows = np.flatnonzero(language_arr == language)
        cell_labels = labels[rows].copy()
        themes, sizes = np.unique(cell_labels, return_counts=True)
        cell_labels[np.isin(cell_labels, themes[sizes < min_docs])] = -1
        if not (cell_labels >= 0).any():
            continue
        keywords = theme_keywords(
            [lemmas_by_doc[int(i)] for i in rows],
            cell_labels,
            ngram_range=ngram_range,
            top_n=top_n,
            min_df=min_df,
            diversity=diversity,
            exclude=exclude,
        )
        for theme, words in keywords.items():
            result.setdefault(theme, {})[str(language)] = words
    return result


def common_terms(
    docs_lemmas: Sequence[Sequence[str]],
    labels: np.ndarray,
    *,
    max_share: float = MAX_THEME_SHARE,
    min_presence: float = MIN_PRESENCE,
    min_themes: int = MIN_THEMES,
) -> frozenset[str]:
    """Lemmas present in more than ``max_share`` of the themes (see the module docstring).

    Parameters
    ----------
    docs_lemmas
        n documents as lemma lists.
    labels
        Array of shape (n,) of theme ids; -1 is ignored.
    max_share
        Share of the themes above which a lemma is common.
    min_presence
        Share of a theme's documents that must hold the lemma for it to be present there.
    min_themes
        With fewer themes nothing is common: a shared word says little about so few.

    Returns
    -------
    frozenset of str
        The common lemmas.
    """
    labels = np.asarray(labels)
    themes = np.unique(labels[labels >= 0])
    if len(themes) < min_themes:
        return frozenset()
    present: dict[str, int] = {}
    for theme in themes:
        rows = np.flatnonzero(labels == theme)
        counts: dict[str, int] = {}
        for row in rows:
            for lemma in set(docs_lemmas[int(row)]):
                counts[lemma] = counts.get(lemma, 0) + 1
        floor = max(1.0, min_presence * len(rows))
        for lemma, count in counts.items():
            if count >= floor:
                present[lemma] = present.get(lemma, 0) + 1
    return frozenset(t for t, n in present.items() if n > max_share * len(themes))
