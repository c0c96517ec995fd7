"""Keyword lemmas with blank spaCy pipelines and spacy-lookups-data tables."""

from __future__ import annotations

import pytest

from cxtext.text.tokens import lemmas, lemmas_by_language


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("The cards arrived late", "en", ["card", "arrive", "late"]),
        ("De pakketten en de facturen", "nl", ["pakket", "factuur"]),
        # German nouns are found capitalized although the text is lower-cased
        ("Die Rechnungen und die Pakete", "de", ["rechnung", "paket"]),
        ("Los clientes y las tarjetas", "es", ["cliente", "tarjeta"]),
    ],
)
def test_plurals_are_lemmatized_and_stop_words_removed(
    text: str, language: str, expected: list[str]
) -> None:
    assert lemmas([text], language) == [expected]


def test_romanian_cedilla_and_two_form_cycles() -> None:
    # cedilla ş/ţ read as comma-below; "factură" and "factura" map to each other in the
    # table: every form of the word gets the same lemma
    assert lemmas(["aplicaţia", "facturile", "factură", "factura"], "ro") == [
        ["aplicație"],
        ["factura"],
        ["factura"],
        ["factura"],
    ]


def test_noise_numbers_and_short_tokens_removed() -> None:
    text = "Charged 2.5 twice!! See https://x.com/help @bank <EMAIL> <PHONE> #refund 😡 a 10"
    assert lemmas([text], "en") == [["charge", "twice", "refund"]]


def test_arabic_and_afrikaans_keep_words_drop_stop_words() -> None:
    assert lemmas(["لكن التوصيل كان بطيئا، شكرا"], "ar") == [["التوصيل", "بطيئا", "شكرا"]]
    assert lemmas(["Die pakkie het laat aangekom"], "af") == [["pakkie", "laat", "aangekom"]]


def test_undetermined_and_unknown_languages() -> None:
    assert lemmas(["the app werkt niet"], "und") == [["app", "werkt"]]
    assert lemmas(["cards"], "en-GB") == [["card"]]
    assert lemmas(["some text"], "zz") == [["text"]]


def test_lemmas_by_language_keeps_order() -> None:
    result = lemmas_by_language(
        ["cards are late", "pakketten zijn laat", "!!!", "facturile"], ["en", "nl", None, "ro"]
    )
    assert result == [["card", "late"], ["pakket", "laat"], [], ["factura"]]
    with pytest.raises(ValueError, match="languages"):
        lemmas_by_language(["a"], [])
