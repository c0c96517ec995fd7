"""Theme names: phrases from the theme's own clauses, in the display language."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from cxtext.themes.labels import describe
from cxtext.themes.model import ThemeModel
from cxtext.themes.naming import MAX_WORDS, brand_names, keyword_weights, rank_names
from tests.themes.conftest import LANGUAGES, TOPIC_WORDS, Corpus

PHRASES = {
    language: [words[i] for words in TOPIC_WORDS.values()] for i, language in enumerate(LANGUAGES)
}


def _labels(model: ThemeModel) -> list[str]:
    return [t["label"] for t in model.themes_] + [p["label"] for p in model.parent_themes_]


def _member_languages(model: ThemeModel, theme_ids: list[int]) -> set[str]:
    rows = np.isin(model.sample_labels_, theme_ids)
    return {str(code) for code in model.sample_languages_[rows]}


def _phrase_of(label: str, language: str) -> bool:
    """A label comes from one of the language's phrases: the phrase itself, or its keyword
    lemmas when other themes took every phrase of its clauses."""
    return any(label.casefold()[:4] == p[:4] for p in PHRASES[language])


def _check_languages(model: ThemeModel) -> None:
    """Each label is in the display language when the group has clauses in it, else in
    one of the group's own languages, and is then one of that language's phrases."""
    groups = [(t, [t["id"]]) for t in model.themes_]
    groups += [(p, p["children"]) for p in model.parent_themes_]
    for described, theme_ids in groups:
        present = _member_languages(model, theme_ids)
        language = described["label_language"]
        assert (
            language == model.label_language
            if model.label_language in present
            else (language in present)
        )
        assert _phrase_of(described["label"], language)
        assert described["label"][0].isupper()


@pytest.fixture(scope="module")
def branded(corpus: Corpus) -> ThemeModel:
    """Every clause names the brand, the model labels in Dutch."""
    texts = [
        f"Qelvo: {text}" if i % 2 else f"{text} bij Qelvo" for i, text in enumerate(corpus.texts)
    ]
    return ThemeModel(min_theme_size=10, label_language="nl").fit(
        corpus.vectors, languages=corpus.languages, texts=texts, ids=corpus.ids
    )


def test_label_is_a_clause_phrase_in_the_display_language(
    fitted: ThemeModel, branded: ThemeModel
) -> None:
    assert fitted.label_language == "en"
    _check_languages(fitted)
    _check_languages(branded)
    assert {t["label_language"] for t in branded.themes_} >= {"nl"}


def test_no_clause_in_the_display_language_falls_back_and_says_so(corpus: Corpus) -> None:
    model = ThemeModel(min_theme_size=10, label_language="de").fit(
        corpus.vectors, languages=corpus.languages, texts=corpus.texts, ids=corpus.ids
    )
    _check_languages(model)
    assert "de" not in {t["label_language"] for t in model.themes_ + model.parent_themes_}


def test_labels_are_phrases_not_keyword_joins(fitted: ThemeModel, branded: ThemeModel) -> None:
    for label in _labels(fitted) + _labels(branded):
        assert " · " not in label
        assert 0 < len(label.split()) <= MAX_WORDS


def test_a_term_in_most_themes_is_in_no_label_or_keyword(branded: ThemeModel) -> None:
    for label in _labels(branded):
        assert "qelvo" not in label.casefold()
    for theme in branded.themes_:
        terms = [t for t, _ in theme["keywords"]]
        terms += [t for words in theme["keywords_by_language"].values() for t, _ in words]
        assert terms and not any("qelvo" in t for t in terms)
        # "today" ends a third of every theme's clauses
        assert not any("today" in t.split() for t in terms)


def test_a_domain_word_in_every_theme_stays_in_labels_but_is_no_keyword(
    corpus: Corpus,
) -> None:
    """ "card" in every bank query is no keyword, but "Lost my card" must not read "Lost"."""
    texts = [f"card {text}" for text in corpus.texts]
    model = ThemeModel(min_theme_size=10).fit(
        corpus.vectors, languages=corpus.languages, texts=texts, ids=corpus.ids
    )
    english = [t["label"] for t in model.themes_ if t["label_language"] == "en"]
    assert english and all("card" in label.casefold() for label in english)
    for theme in model.themes_:
        assert not any("card" in term for term, _ in theme["keywords"])


def test_parents_get_phrase_labels(fitted: ThemeModel) -> None:
    assert fitted.parent_themes_
    for parent in fitted.parent_themes_:
        assert parent["label_language"] == "en"
        assert _phrase_of(parent["label"], "en")


def test_old_bundle_model_without_label_language(fitted: ThemeModel) -> None:
    old = copy.deepcopy(fitted)
    del old.label_language
    themes, parents = describe(old)
    assert [t["label"] for t in themes] == [t["label"] for t in fitted.themes_]
    assert [t["label_language"] for t in themes + parents] == [
        t["label_language"] for t in fitted.themes_ + fitted.parent_themes_
    ]


def test_configured_names_are_kept(fitted: ThemeModel) -> None:
    model = copy.deepcopy(fitted)
    theme = int(model.theme_ids_[0])
    model.labels_by_id_ = {theme: "Billing"}
    themes, _ = describe(model)
    assert themes[0]["label"] == "Billing" and themes[0]["label_language"] is None
    # a discovered theme never takes a configured name
    model.labels_by_id_ = {theme: fitted.themes_[1]["label"]}
    themes, _ = describe(model)
    assert [t["label"] for t in themes].count(fitted.themes_[1]["label"]) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I was charged twice this month!!", "Charged twice this month"),
        (
            "@united my flight got Cancelled Flightled http://t.co/x again",
            "Flight got Cancelled Flightled",
        ),
        ("the staff are always polite, patient", "Staff are always polite, patient"),
        ("I was on hold for 45 minutes before anyone picked up", "On hold"),
        ("WORST AIRLINE EVER", "Worst airline"),
        ("la factura es incorrecta", "Factura es incorrecta"),
        # too long: the words kept are the run that ends the clause, with its head noun
        ("When will I get my new virtual card", "New virtual card"),
        (
            "Is it possible to withdraw cash here without additional fees",
            "Withdraw cash here without additional fees",
        ),
    ],
)
def test_clause_shortening(text: str, expected: str) -> None:
    names = rank_names([text], ["en" if text[0] != "l" else "es"], np.ones(1), "en", weights={})
    assert [n.text for n in names] == [expected]


def test_ranking_prefers_central_short_keyword_dense_clauses() -> None:
    texts = [
        "the invoice was wrong",
        "I called them and asked about many things but nobody could tell me what the invoice says",
        "wrong invoice amount 50",
        "factuur klopt niet",
    ]
    weights = keyword_weights({"en": [("invoice", 1.0), ("wrong", 0.8)], "nl": [("factuur", 1.0)]})
    names = rank_names(
        texts, ["en", "en", "en", "nl"], np.array([0.8, 0.8, 0.8, 0.99]), "en", weights=weights
    )
    assert names[0].text == "Invoice was wrong"
    assert {n.language for n in names} == {"en"}
    assert all(not re.search(r"\d", n.text) for n in names)
    assert names[-1].score < names[0].score


def test_without_display_language_clauses_the_bulk_language_names_the_theme() -> None:
    texts = [
        "le vendeur a tout fait pour m'aider",
        "le conseiller a tout expliqué clairement",
        "le technicien était très aimable",
        "my verbinding sny heeltyd uit",  # one stray member, the most central
    ]
    names = rank_names(
        texts, ["fr", "fr", "fr", "af"], np.array([0.8, 0.8, 0.8, 0.95]), "en", weights={}
    )
    assert names and {n.language for n in names} == {"fr"}


def test_a_phrase_beats_a_slightly_more_central_single_word() -> None:
    weights = {"en": {"lose": 1.0, "card": 0.2}}
    names = rank_names(
        ["lost", "I lost my card"], ["en", "en"], np.array([0.92, 0.90]), "en", weights=weights
    )
    assert names[0].text == "Lost my card"


def test_brand_names_are_names_alike_across_languages_or_camel_case() -> None:
    texts = [
        "switching to Qelvo was quick",
        "overstappen naar Qelvo ging snel",
        "je suis passé chez Qelvo",
        "die Rechnung von Qelvo ist falsch",
        "die Rechnung ist falsch",
        "meine Rechnung kam spät",
        "flew JetBlue again",
        "love JetBlue",
        "my JetBlue flight was late",
        "my SIM arrived, the SIM works, new SIM",
    ]
    languages = ["en", "nl", "fr", "de", "de", "de", "en", "en", "en", "en"]
    assert brand_names(texts, languages) == {"qelvo", "jetblue"}
