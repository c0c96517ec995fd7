"""Human-readable descriptions of themes: labels, keywords per language, representatives.

Everything is computed from a fitted model's training sample (``sample_*`` attributes), so
the descriptions are recomputed the same way after every curation edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxtext.text.tokens import lemmas_by_language
from cxtext.themes.keywords import keywords_by_language, short_label, theme_keywords

if TYPE_CHECKING:
    from cxtext.themes.model import ThemeModel

N_KEYWORDS = 10
N_REPRESENTATIVES = 5
# Representatives closer than this (cosine) to one already chosen are skipped as repeats.
_REPEAT_COSINE = 0.97


def _pairs(keywords: list[tuple[str, float]]) -> list[list[Any]]:
    return [[term, round(float(score), 4)] for term, score in keywords]


def representatives(
    vectors: np.ndarray, similarity: np.ndarray, *, limit: int = N_REPRESENTATIVES
) -> list[int]:
    """Central and diverse rows: by similarity to the centroid, skipping near-repeats.

    Parameters
    ----------
    vectors
        Member vectors, shape (m, d), unit length.
    similarity
        Cosine of each member to its theme centroid, shape (m,).

    Returns
    -------
    list of int
        Up to ``limit`` row positions into ``vectors``.
    """
    chosen: list[int] = []
    for row in np.argsort(-similarity, kind="stable"):
        if chosen and float((vectors[chosen] @ vectors[row]).max()) > _REPEAT_COSINE:
            continue
        chosen.append(int(row))
        if len(chosen) == limit:
            break
    return chosen


def describe(model: ThemeModel) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Describe every theme and parent theme of a fitted model from its training sample.

    Returns
    -------
    themes, parents
        ``themes``: one dict per theme: ``id``, ``label``, ``keywords`` (all languages,
        ``[[term, score], ...]``), ``keywords_by_language`` (``{code: [[term, score]]}``),
        ``representatives`` (``[{"id", "text", "language"}]``), ``parent``, ``origin``
        (seed | discovered | edited), ``size`` (estimated training rows). ``parents``: one
        dict per parent: ``id``, ``label``, ``keywords``, ``children``, ``size``.
    """
    texts = list(model.sample_texts_)
    languages = [str(code) for code in model.sample_languages_]
    labels = np.asarray(model.sample_labels_)
    weights = np.asarray(model.sample_weights_, dtype=np.float64)
    vectors = model._prepare(np.asarray(model.sample_vectors_, np.float32), languages)
    docs = lemmas_by_language(texts, languages)
    overall = theme_keywords(docs, labels, top_n=N_KEYWORDS)
    per_language = keywords_by_language(docs, labels, languages, top_n=N_KEYWORDS)
    parent_of = dict(zip(model.theme_ids_.tolist(), model.parents_.tolist(), strict=True))

    themes: list[dict[str, Any]] = []
    for column, theme in enumerate(model.theme_ids_.tolist()):
        members = np.flatnonzero(labels == theme)
        similarity = vectors[members] @ model.raw_centroids_[column]
        picked = members[representatives(vectors[members], similarity)]
        keywords = overall.get(theme, [])
        themes.append(
            {
                "id": theme,
                "label": model.labels_by_id_.get(theme)
                or short_label(keywords)
                or f"theme {theme}",
                "keywords": _pairs(keywords),
                "keywords_by_language": {
                    code: _pairs(words)
                    for code, words in sorted(per_language.get(theme, {}).items())
                },
                "representatives": [
                    {
                        "id": model.sample_ids_[i] if model.sample_ids_ else None,
                        "text": texts[i],
                        "language": languages[i],
                    }
                    for i in picked
                ],
                "parent": parent_of[theme],
                "origin": model.origins_.get(theme, "discovered"),
                "size": round(float(weights[members].sum())),
            }
        )

    parent_labels = np.asarray([parent_of.get(int(t), -1) for t in labels])
    parent_keywords = theme_keywords(docs, parent_labels, top_n=N_KEYWORDS)
    parents = []
    for parent in sorted(set(parent_of.values())):
        children = [t["id"] for t in themes if t["parent"] == parent]
        words = parent_keywords.get(parent, [])
        parents.append(
            {
                "id": parent,
                "label": short_label(words) or f"group {parent}",
                "keywords": _pairs(words),
                "children": children,
                "size": sum(t["size"] for t in themes if t["parent"] == parent),
            }
        )
    return themes, parents
