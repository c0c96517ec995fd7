"""Human-readable descriptions of themes: labels, keywords per language, representatives.

Everything is computed from a fitted model's training sample (``sample_*`` attributes), so
the descriptions are recomputed the same way after every curation edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxtext.text.tokens import lemmas_by_language
from cxtext.themes.keywords import (
    Keywords,
    common_terms,
    keywords_by_language,
    theme_keywords,
)
from cxtext.themes.naming import Name, keyword_weights, rank_names

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


def _name(
    names: list[Name], taken: set[str], fallback: dict[str, Keywords], language: str
) -> tuple[str, str] | None:
    """The best name not yet taken, else the top keyword of one language; with its language.

    The fallback keyword comes from the display language when it has keywords, else from
    the language with the most keywords, so a label never mixes languages.
    """
    for name in names:
        if name.text.casefold() not in taken:
            return name.text, name.language
    if not fallback:
        return None
    code = language if language in fallback else max(fallback, key=lambda c: len(fallback[c]))
    term = fallback[code][0][0] if fallback[code] else ""
    return (term[:1].upper() + term[1:], code) if term else None


def describe(model: ThemeModel) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Describe every theme and parent theme of a fitted model from its training sample.

    Labels are phrases from the theme's clauses in the model's ``label_language``
    (:mod:`cxtext.themes.naming`); seeds and renamed themes keep their configured name.
    Lemmas present in most themes (:func:`~cxtext.themes.keywords.common_terms`, e.g.
    brand names) appear in no label or keyword.

    Returns
    -------
    themes, parents
        ``themes``: one dict per theme: ``id``, ``label``, ``label_language`` (the language
        the label is written in: the display language unless the theme has no clause in
        it; ``None`` for a configured name), ``keywords`` (all languages, ``[[term,
        score], ...]``), ``keywords_by_language`` (``{code: [[term, score]]}``),
        ``representatives`` (``[{"id", "text", "language"}]``), ``parent``, ``origin``
        (seed | discovered | edited), ``size`` (estimated training rows). ``parents``: one
        dict per parent: ``id``, ``label``, ``label_language``, ``keywords``,
        ``children``, ``size``.
    """
    texts = list(model.sample_texts_)
    languages = [str(code) for code in model.sample_languages_]
    labels = np.asarray(model.sample_labels_)
    weights = np.asarray(model.sample_weights_, dtype=np.float64)
    vectors = model._prepare(np.asarray(model.sample_vectors_, np.float32), languages)
    display = getattr(model, "label_language", "en")
    docs = lemmas_by_language(texts, languages)
    common = common_terms(docs, labels)
    overall = theme_keywords(docs, labels, top_n=N_KEYWORDS, exclude=common)
    per_language = keywords_by_language(docs, labels, languages, top_n=N_KEYWORDS, exclude=common)
    parent_of = dict(zip(model.theme_ids_.tolist(), model.parents_.tolist(), strict=True))

    def name(
        members: np.ndarray, centroid: np.ndarray, keywords: dict[str, Keywords], taken: set[str]
    ) -> tuple[str, str] | None:
        names = rank_names(
            [texts[i] for i in members],
            [languages[i] for i in members],
            vectors[members] @ centroid,
            display,
            weights=keyword_weights(keywords),
            common=common,
        )
        return _name(names, taken, keywords, display)

    themes: list[dict[str, Any]] = []
    taken: set[str] = set()
    for column, theme in enumerate(model.theme_ids_.tolist()):
        members = np.flatnonzero(labels == theme)
        similarity = vectors[members] @ model.raw_centroids_[column]
        picked = members[representatives(vectors[members], similarity)]
        by_language = per_language.get(theme, {})
        label, language = model.labels_by_id_.get(theme), None
        if label is None:
            label, language = name(members, model.raw_centroids_[column], by_language, taken) or (
                f"Theme {theme}",
                display,
            )
        taken.add(label.casefold())
        themes.append(
            {
                "id": theme,
                "label": label,
                "label_language": language,
                "keywords": _pairs(overall.get(theme, [])),
                "keywords_by_language": {
                    code: _pairs(words) for code, words in sorted(by_language.items())
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
    parent_keywords = theme_keywords(docs, parent_labels, top_n=N_KEYWORDS, exclude=common)
    parent_by_language = keywords_by_language(
        docs, parent_labels, languages, top_n=N_KEYWORDS, exclude=common
    )
    parents = []
    parent_taken: set[str] = set()
    for parent in sorted(set(parent_of.values())):
        children = [t for t in themes if t["parent"] == parent]
        members = np.flatnonzero(parent_labels == parent)
        centroid = weights[members] @ vectors[members]
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        # A group of several themes is not named after one of them.
        own = {t["label"].casefold() for t in children} if len(children) > 1 else set()
        label, language = name(
            members, centroid, parent_by_language.get(parent, {}), parent_taken | own
        ) or (f"Group {parent}", display)
        parent_taken.add(label.casefold())
        parents.append(
            {
                "id": parent,
                "label": label,
                "label_language": language,
                "keywords": _pairs(parent_keywords.get(parent, [])),
                "children": [t["id"] for t in children],
                "size": sum(t["size"] for t in children),
            }
        )
    return themes, parents
