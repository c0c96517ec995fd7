"""Clause splitting and non-answers, in the default languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxtext.text.clauses import (
    is_non_answer,
    non_answer_mask,
    split_clauses,
    split_clauses_frame,
)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # the README's example
        (
            "delivery was fast but support was rude",
            "en",
            ["delivery was fast", "support was rude"],
        ),
        (
            "Delivery was fast, however the support was rude.",
            "en",
            ["Delivery was fast", "the support was rude."],
        ),
        (
            "De bezorging was snel maar de klantenservice was onbeleefd",
            "nl",
            ["De bezorging was snel", "de klantenservice was onbeleefd"],
        ),
        (
            "التوصيل كان سريعا لكن خدمة العملاء كانت سيئة",
            "ar",
            ["التوصيل كان سريعا", "خدمة العملاء كانت سيئة"],
        ),
        (
            "التوصيل سريع، ولكن الفاتورة خاطئة؟ لا أنصح بهم",
            "ar",
            ["التوصيل سريع", "الفاتورة خاطئة؟", "لا أنصح بهم"],
        ),
        (
            "Livrarea a fost rapidă, dar factura a fost greșită",
            "ro",
            ["Livrarea a fost rapidă", "factura a fost greșită"],
        ),
        (
            "A entrega foi rápida, mas o atendimento foi péssimo",
            "pt",
            ["A entrega foi rápida", "o atendimento foi péssimo"],
        ),
        (
            "Die Lieferung war schnell, aber die App stürzt ab",
            "de",
            ["Die Lieferung war schnell", "die App stürzt ab"],
        ),
        (
            "La entrega fue rápida, sin embargo el soporte fue malo",
            "es",
            ["La entrega fue rápida", "el soporte fue malo"],
        ),
        (
            "Livraison rapide, par contre le service client est nul",
            "fr",
            ["Livraison rapide", "le service client est nul"],
        ),
        (
            "Die pakkie was laat maar die personeel was vriendelik",
            "af",
            ["Die pakkie was laat", "die personeel was vriendelik"],
        ),
    ],
)
def test_contrastive_connectives_split(text: str, language: str, expected: list[str]) -> None:
    assert split_clauses(text, language) == expected


def test_sentences_split_on_end_punctuation_and_lines() -> None:
    text = "I waited 3 days. Then the parcel came broken?! Never again; the app is slow\nok bye"
    assert split_clauses(text, "en") == [
        "I waited 3 days.",
        "Then the parcel came broken?!",
        "Never again",
        "the app is slow",
        "ok bye",
    ]
    assert split_clauses("Slow app.The support is rude", "en") == [
        "Slow app.",
        "The support is rude",
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("It costs 2.5 euros, e.g. far too much for the app", "en"),
        ("Zu teuer, z.B. die Lieferung am 3. Mai kostete extra", "de"),
        ("Te duur, bv. de verzending kost extra", "nl"),
        ("Mail john.doe@mail.com or see www.shop.com/help for the refund", "en"),
        ("I sent it to <EMAIL>. <PHONE> never answered my calls", "en"),
    ],
)
def test_decimals_abbreviations_and_addresses_do_not_split(text: str, language: str) -> None:
    clauses = split_clauses(text, language)
    if "<PHONE>" in text:  # a real sentence end after a placeholder still splits
        assert clauses == ["I sent it to <EMAIL>.", "<PHONE> never answered my calls"]
    else:
        assert clauses == [text]


def test_short_fragments_merge_back() -> None:
    assert split_clauses("The app is great but ok", "en") == ["The app is great but ok"]
    assert split_clauses("Terrible. The app crashes every day", "en") == [
        "Terrible. The app crashes every day"
    ]
    assert split_clauses("The staff was nice though", "en") == ["The staff was nice"]
    assert split_clauses("But the app keeps crashing", "en") == ["the app keeps crashing"]


def test_non_contrastive_uses_do_not_split() -> None:
    assert len(split_clauses("Not only slow but also rude staff", "en")) == 1
    assert len(split_clauses("nothing but problems with the app", "en")) == 1
    assert len(split_clauses("Ik heb maar een pakket ontvangen van de drie", "nl")) == 1
    assert split_clauses("Das ist doch klar, aber die App stürzt ab", "de") == [
        "Das ist doch klar",
        "die App stürzt ab",
    ]
    assert split_clauses("and the delivery and the app were slow", "en") == [
        "and the delivery and the app were slow"
    ]


def test_undetermined_language_uses_the_union_without_ambiguous_words() -> None:
    assert split_clauses("Great service 👍 but the price is too high 😡", "und") == [
        "Great service 👍",
        "the price is too high 😡",
    ]
    # Portuguese "mais" (more) is no connective in the union
    assert split_clauses("mais rápido seria bom, porém o preço é alto", "und") == [
        "mais rápido seria bom",
        "o preço é alto",
    ]


def test_nothing_to_split() -> None:
    assert split_clauses("", "en") == []
    assert split_clauses(" !!! ... ", "en") == []
    assert split_clauses("😡😡", "en") == ["😡😡"]
    assert split_clauses("ok", "en") == ["ok"]


def test_region_subtag_is_ignored() -> None:
    # "mas" splits in Portuguese, but not in the union that an unknown code would get
    text = "A entrega foi rápida mas o atendimento foi péssimo"
    assert split_clauses(text, "pt-BR") == ["A entrega foi rápida", "o atendimento foi péssimo"]


def test_split_clauses_frame() -> None:
    frame = split_clauses_frame(
        pd.Series(["a", "b", "c"]),
        ["delivery was fast but support was rude", "", "te duur maar snelle levering"],
        ["en", "en", None],
    )
    assert list(frame.columns) == ["comment_id", "clause_index", "clause"]
    assert frame["comment_id"].tolist() == ["a", "a", "c", "c"]
    assert frame["clause_index"].tolist() == [0, 1, 0, 1]
    assert frame["clause"].tolist() == [
        "delivery was fast",
        "support was rude",
        "te duur",
        "snelle levering",
    ]
    with pytest.raises(ValueError, match="differ in length"):
        split_clauses_frame(["a"], ["x", "y"], ["en", "en"])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        ".",
        "Niks toe te voegen.",
        "Rien à ajouter",
        "Nada a acrescentar!",
        "Nichts hinzuzufügen",
        "Nu am nimic de adăugat",
        "Niks om by te voeg nie",
        "N/A",
        "na",
        "Nothing.",
        "none",
        "No comment",
        "nee",
        "Niks!",
        "geen",
        "nvt",
        "nada",
        "nimic",
        "nu",
        "niets",
        "Nichts",
        "rien",
        "لا",
        "لا شيء",
        "ok",
        "Okkk!!",
        "good",
        "goooood",
        "goed",
        "bom",
        "thank you",
        "👍👍",
        "10",
        "a",
    ],
)
def test_non_answers(text: str) -> None:
    assert is_non_answer(text)


@pytest.mark.parametrize(
    "text",
    ["app crashes", "te duur", "expensive", "slow delivery", "factură greșită", "التوصيل بطيء"],
)
def test_short_complaints_are_answers(text: str) -> None:
    assert not is_non_answer(text)


def test_non_answer_mask() -> None:
    texts = pd.Series(["ok", "app crashes", None, "ok", "te duur"], index=[5, 6, 7, 8, 9])
    mask = non_answer_mask(texts)
    assert mask.dtype == np.bool_
    assert mask.tolist() == [True, False, True, True, False]
    assert non_answer_mask(pd.Series([], dtype="str")).shape == (0,)
