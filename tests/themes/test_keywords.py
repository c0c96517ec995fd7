"""Class-based TF-IDF keywords on hand-made corpora."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxtext.themes.keywords import keywords_by_language, short_label, theme_keywords

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
    assert short_label(keywords[1]) == "التوصيل بطيء"


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


def test_short_label() -> None:
    keywords = [("billing", 0.9), ("double charge", 0.8), ("charge", 0.7), ("refund", 0.6)]
    assert short_label(keywords) == "billing · double charge · refund"
    assert short_label(keywords, max_terms=1) == "billing"
    assert short_label([]) == ""
