"""Language id restricted to the configured languages (real lingua models, offline)."""

from __future__ import annotations

import pytest

from cxtext.errors import ConfigError
from cxtext.schema import DEFAULT_LANGUAGES, UNDETERMINED_LANGUAGE
from cxtext.text.langid import detect_languages, get_detector

SENTENCES = {
    "en": "The delivery was late and nobody answered my emails.",
    "nl": "De levering was te laat en niemand heeft mijn e-mails beantwoord.",
    "af": "Die aflewering was laat en niemand het my e-posse beantwoord nie.",
    "ro": "Livrarea a întârziat și nimeni nu mi-a răspuns la e-mailuri.",
    "pt": "A entrega atrasou e ninguém respondeu aos meus e-mails.",
    "ar": "تأخر التوصيل ولم يرد أحد على رسائلي الإلكترونية.",
    "es": "La entrega llegó tarde y nadie respondió a mis correos.",
    "de": "Die Lieferung kam zu spät und niemand hat auf meine E-Mails geantwortet.",
    "fr": "La livraison était en retard et personne n'a répondu à mes courriels.",
}
SHORT = {
    "nl": "Mijn internet werkt al drie dagen niet.",
    "af": "Die diens was baie swak",
    "en": "App crashes on login",
}


def test_one_sentence_per_default_language() -> None:
    assert set(SENTENCES) == set(DEFAULT_LANGUAGES)
    assert detect_languages(list(SENTENCES.values())) == list(SENTENCES)


def test_short_comments_and_dutch_versus_afrikaans() -> None:
    assert detect_languages(list(SHORT.values())) == list(SHORT)


@pytest.mark.parametrize(
    "text", ["", "ok", "👍👍", "  12345 !!", "@airline https://t.co/x <EMAIL>"]
)
def test_too_little_text_is_undetermined(text: str) -> None:
    assert detect_languages([text]) == [UNDETERMINED_LANGUAGE]


def test_low_confidence_is_undetermined() -> None:
    text = "Trop cher"  # lingua spreads this over de/fr/nl below 0.4
    assert detect_languages([text]) == [UNDETERMINED_LANGUAGE]
    assert detect_languages([text], min_confidence=0.0) != [UNDETERMINED_LANGUAGE]


def test_restricted_set_and_mentions_ignored() -> None:
    texts = ["@KLM De service was echt heel slecht vandaag", SENTENCES["de"]]
    assert detect_languages(texts, languages=["en", "nl"]) == ["nl", "nl"]
    assert detect_languages([]) == []


def test_detector_is_built_once_per_language_set() -> None:
    detector = get_detector(("en", "nl"))
    assert get_detector(["NL", "en", "nl"]) is detector
    assert get_detector(("en", "nl", "de")) is not detector


@pytest.mark.parametrize("languages", [["en", "xx"], ["en"], ["en", "EN"]])
def test_bad_language_sets(languages: list[str]) -> None:
    with pytest.raises(ConfigError):
        detect_languages(["some text here"], languages=languages)
