"""Class-based TF-IDF keywords on hand-made corpora."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxtext.themes.keywords import common_terms, keywords_by_language, theme_keywords

DOCS = [
    ["card", "arrive", "late"],
    ["card", "arrive"],
    ["card", "block"],
    ["card", "arrive", "never"],
    ["refund", "slow"],
    ["refund", "money", "back"],
    ["money", "back", "refund"],
    ["refund", "slow", "app"],
    ["app", "crash"],
    ["app", "crash", "login"],
    ["app", "slow"],
    ["login", "fail"],
]
LABELS = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, -1])


def test_top_words_per_class_and_a_hand_checked_score() -> None:
    keywords = theme_keywords(DOCS, LABELS, diversity=0.0, top_n=3)
    assert set(keywords) == {0, 1, 2}  # -1 is ignored
    assert [t for t, _ in keywords[0]] == ["card", "card arrive", "arrive"]
    assert keywords[1][0][0] == "refund"
    assert [t for t, _ in keywords[2]] == ["app", "app crash", "crash"]
    # min_df=2 over labelled docs keeps: class 0 card 4, arrive 3, "card arrive" 3 (10 terms);
    # class 1 15 terms; class 2 8 terms -> A = 11; "card" only in class 0: f = 4
    assert keywords[0][0][1] == pytest.approx(4 / 10 * math.log(1 + 11 / 4))


def test_bigrams_are_built_from_adjacent_lemmas_only() -> None:
    keywords = theme_keywords(DOCS, LABELS, ngram_range=(2, 2), diversity=0.0, min_df=1)
    terms = {t for words in keywords.values() for t, _ in words}
    assert {"card arrive", "money back", "app crash"} <= terms
    assert "card late" not in terms  # not adjacent
    assert all(" " in t for t in terms)


def test_diversity_drops_contained_duplicates() -> None:
    keywords = theme_keywords(DOCS, LABELS, diversity=0.5, top_n=3)
    terms = [t for t, _ in keywords[0]]
    assert terms == ["card", "arrive"]  # "card arrive" holds "card", which scores higher
    scores = [s for _, s in keywords[1]]
    assert scores == sorted(scores, reverse=True)
    assert "money back" in [t for t, _ in keywords[1]]
    assert not {"money", "back"} & {t for t, _ in keywords[1]}


def test_non_ascii_keywords_survive() -> None:
    docs = [["factură", "greșit"], ["factură", "greșit"], ["التوصيل", "بطيء"], ["التوصيل", "بطيء"]]
    keywords = theme_keywords(docs, np.array([0, 0, 1, 1]), top_n=2, diversity=0.0)
    assert [t for t, _ in keywords[0]] == ["factură greșit", "factură"]
    assert [t for t, _ in keywords[1]][:1] == ["التوصيل بطيء"]


def test_no_terms_and_bad_input() -> None:
    assert theme_keywords([["a"], ["b"]], np.array([0, 1])) == {0: [], 1: []}
    assert theme_keywords([["a"]], np.array([-1])) == {}
    with pytest.raises(ValueError, match="labels"):
        theme_keywords([["a"]], np.array([0, 1]))
    with pytest.raises(ValueError, match="diversity"):
        theme_keywords([["a"]], np.array([0]), diversity=2.0)


def test_keywords_by_language_scores_each_language_alone() -> None:
    docs = [
        *DOCS[:8],
        ["kaart", "laat"],
        ["kaart", "kwijt"],
        ["kaart", "laat"],
        ["terugbetaling", "traag"],
        ["terugbetaling", "traag"],
    ]
    labels = np.concatenate([LABELS[:8], [0, 0, 0, 1, 1]])
    languages = ["en"] * 8 + ["nl"] * 5
    result = keywords_by_language(docs, labels, languages, top_n=2, diversity=0.0)
    assert result[0]["en"][0][0] == "card"
    assert result[0]["nl"][0][0] == "kaart"
    assert "nl" not in result[1]  # 2 Dutch docs < min_docs
    assert result[1]["en"][0][0] == "refund"


def _branded(n_themes: int) -> tuple[list[list[str]], np.ndarray]:
    """Four documents per theme, each naming the brand and the theme's own two words."""
    docs = [
        ["qelvo", f"word{t}", f"other{t}"] if i % 2 else [f"word{t}", "qelvo", f"other{t}"]
        for t in range(n_themes)
        for i in range(4)
    ]
    return docs, np.repeat(np.arange(n_themes), 4)


def test_common_terms_are_those_present_in_most_themes() -> None:
    docs, labels = _branded(5)
    docs[0] = ["word0", "slow"]  # "slow" in one theme only: not common
    assert common_terms(docs, labels) == {"qelvo"}
    # present in 3 of 5 themes (> half) is common; in 2 of 5 it is not
    three = [[*d, "app"] if t < 3 else d for d, t in zip(docs, labels, strict=True)]
    assert common_terms(three, labels) == {"qelvo", "app"}
    two = [[*d, "app"] if t < 2 else d for d, t in zip(docs, labels, strict=True)]
    assert common_terms(two, labels) == {"qelvo"}
    # one stray document of 4 is 25% of a theme: present; below min_presence it is not
    assert common_terms(docs, labels, min_presence=0.5) == {"qelvo"}
    stray = [[*d, "app"] if i % 4 == 0 else d for i, d in enumerate(docs)]
    assert "app" not in common_terms(stray, labels, min_presence=0.5)
    assert common_terms(docs[:12], labels[:12]) == frozenset()  # 3 themes: too few to tell


def test_excluded_lemmas_leave_every_ngram() -> None:
    docs, labels = _branded(5)
    plain = theme_keywords(docs, labels, diversity=0.0)
    assert any("qelvo" in t for words in plain.values() for t, _ in words)
    kept = keywords_by_language(docs, labels, ["en"] * len(docs), diversity=0.0, exclude={"qelvo"})
    terms = {t for cells in kept.values() for words in cells.values() for t, _ in words}
    assert terms and not any("qelvo" in t.split() for t in terms)
    assert "word0 other0" in terms
