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
from cxtext.themes.naming import Name, brand_names, keyword_weights, rank_names
from cxtext.themes.stability import record

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


def _pick(names: list[Name], taken: set[str]) -> tuple[str, str] | None:
    """The best name not yet taken (case-insensitive), with its language."""
    return next(((n.text, n.language) for n in names if n.text.casefold() not in taken), None)


def _qualified(base: str, terms: list[str], taken: set[str]) -> str:
    """``base`` when free, else made unique: "Base (keyword)" with the first of the theme's
    own keywords that is not in it and gives a free label, else "Base (2)", "Base (3)"..."""
    if base.casefold() not in taken:
        return base
    words = base.casefold().split()
    for term in terms:
        candidate = f"{base} ({term.casefold()})"
        if term.casefold() not in words and candidate.casefold() not in taken:
            return candidate
    number = 2
    while f"{base} ({number})".casefold() in taken:
        number += 1
    return f"{base} ({number})"


def _choose(
    names: list[Name],
    keywords: dict[str, Keywords],
    display: str,
    taken: set[str],
    overall: Keywords | None = None,
) -> tuple[str, str] | None:
    """A label and its language, never one in ``taken``: the best name not taken, else
    the best keyword not taken in the names' language, else the best name (or keyword)
    qualified by one of the theme's keywords (:func:`_qualified`): of that language
    first, then of all languages (``overall``).

    A group without names takes a keyword of the display language, or of its language
    with the most keywords, so a label never mixes languages.
    """
    if names:
        language = names[0].language
    elif any(keywords.values()):
        language = (
            display if keywords.get(display) else max(keywords, key=lambda c: len(keywords[c]))
        )
    else:
        return None
    terms = [term[:1].upper() + term[1:] for term, _ in keywords.get(language, [])]
    free = _pick(names, taken) or next(
        ((t, language) for t in terms if t.casefold() not in taken), None
    )
    if free is not None:
        return free
    base = names[0].text if names else terms[0]
    return _qualified(base, terms + [term for term, _ in overall or []], taken), language


def describe(model: ThemeModel) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Describe every theme and parent theme of a fitted model from its training sample.

    Labels are phrases from the theme's clauses in the model's ``label_language``
    (:mod:`cxtext.themes.naming`); seeds and renamed themes keep their configured name.
    Names used alike in several languages (:func:`~cxtext.themes.naming.brand_names`)
    appear in no label or keyword; lemmas present in most themes
    (:func:`~cxtext.themes.keywords.common_terms`, such as "card" among bank queries)
    are no keyword but stay in labels, where taking them out breaks the phrase ("Lost
    my card" would read "Lost").

    Returns
    -------
    themes, parents
        ``themes``: one dict per theme: ``id``, ``label``, ``label_language`` (the language
        the label is written in: the display language unless the theme has no clause in
        it; ``None`` for a configured name), ``keywords`` (all languages, ``[[term,
        score], ...]``), ``keywords_by_language`` (``{code: [[term, score]]}``),
        ``representatives`` (``[{"id", "text", "language"}]``), ``parent``, ``origin``
        (seed | discovered | edited), ``size`` (estimated training rows), ``stability``
        (:func:`cxtext.themes.stability.record`). ``parents``: one
        dict per parent: ``id``, ``label``, ``label_language``, ``keywords``,
        ``children``, ``size``.
    """
    texts = list(model.sample_texts_)
    languages = [str(code) for code in model.sample_languages_]
    labels = np.asarray(model.sample_labels_)
    weights = np.asarray(model.sample_weights_, dtype=np.float64)
    vectors = model.prepare(np.asarray(model.sample_vectors_, np.float32), languages)
    display = getattr(model, "label_language", "en")
    docs = lemmas_by_language(texts, languages)
    brands = brand_names(texts, languages)
    common = common_terms(docs, labels) | brands
    overall = theme_keywords(docs, labels, top_n=N_KEYWORDS, exclude=common)
    per_language = keywords_by_language(docs, labels, languages, top_n=N_KEYWORDS, exclude=common)
    parent_of = dict(zip(model.theme_ids_.tolist(), model.parents_.tolist(), strict=True))

    def ranked(
        members: np.ndarray, centroid: np.ndarray, keywords: dict[str, Keywords]
    ) -> list[Name]:
        return rank_names(
            [texts[i] for i in members],
            [languages[i] for i in members],
            vectors[members] @ centroid,
            display,
            weights=keyword_weights(keywords),
            common=brands,
        )

    stability = getattr(model, "stability_", {})
    unmeasured = "changed by an edit" if stability else "not measured when trained"
    themes: list[dict[str, Any]] = []
    # configured names (seeds, renames) are never given to another theme
    taken = {name.casefold() for name in model.labels_by_id_.values()}
    for column, theme in enumerate(model.theme_ids_.tolist()):
        members = np.flatnonzero(labels == theme)
        similarity = vectors[members] @ model.raw_centroids_[column]
        picked = members[representatives(vectors[members], similarity)]
        by_language = per_language.get(theme, {})
        label, language = model.labels_by_id_.get(theme), None
        if label is None:
            names = ranked(members, model.raw_centroids_[column], by_language)
            label, language = _choose(
                names, by_language, display, taken, overall.get(theme, [])
            ) or (
                _qualified(f"Theme {theme}", [], taken),
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
                "stability": stability.get(theme) or record(None, unmeasured),
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
        # A group of several themes is named after none of them, when it has another name.
        own = {t["label"].casefold() for t in children} if len(children) > 1 else set()
        keywords = parent_by_language.get(parent, {})
        names = ranked(members, centroid, keywords)
        label, language = (
            _pick(names, parent_taken | own)
            or _choose(names, keywords, display, parent_taken)
            or (_qualified(f"Group {parent}", [], parent_taken), display)
        )
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
