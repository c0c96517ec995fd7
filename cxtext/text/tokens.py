"""Keyword tokens: lower-cased lemmas without stop words, per language.

docs/architecture.md ("Keywords"): ``spacy.blank(lang)`` plus the lookup lemmatizer with
the tables of ``spacy-lookups-data`` lemmatizes en, nl, ro, pt, es, de and fr
(:data:`LEMMATIZED_LANGUAGES`); ar and af, and any other language spaCy knows, get
tokenization and spaCy's stop words only. ``"und"`` and codes spaCy does not know use the
multi-language tokenizer (``spacy.blank("xx")``) with the union of the default languages'
stop words. Nothing is downloaded: blank pipelines and packaged tables only.

Texts are lower-cased before lemmatizing, as the tables expect, with three repairs:

- German nouns, which the German table lists capitalized, are looked up capitalized when
  the lower-case form is not found (``rechnungen`` -> ``rechnung``).
- Romanian s/t with cedilla (``ş``, ``ţ``) become the comma-below letters the table uses.
- Some entries map two forms onto each other (Romanian ``factură`` -> ``factura`` ->
  ``factură``: 302 such pairs in ro, 40 in de, 2 in en), which would split one word into
  two keywords. Both members of such a pair get the one that more table entries map to
  (``factura``, which the verb's forms also reach), so every form of the word agrees.

Removed before tokenizing: URLs, e-mail addresses and ``@mentions``, placeholders
(``<EMAIL>``, ``<PHONE>``...) and the ``#`` of hashtags. Removed after: punctuation,
numbers (``12``, ``2.5``, ``two``), tokens without a letter (emoji), stop words (by form or
by lemma) and lemmas shorter than two characters. Letters of every script are kept as they
are (Arabic, diacritics).

Lemmas are looked up as spaCy's ``Lemmatizer`` does in mode ``"lookup"`` (``table.get(form,
form)``), on the tables of spacy-lookups-data, but once per word form instead of once per
token: the tokenizer alone is half the cost of the full pipeline. A table is the file that
``spacy.lookups.load_lookups`` reads, kept as the plain dict it is read into: the same
lookups, without the copy into a spaCy ``Table`` that hashes every key (2.3 s for the seven
tables instead of 9.5 s). A pipeline is built per language on first use and cached (0.1-1 s;
the first French pipeline 3-4 s, mostly compiling its tokenizer's patterns).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Final, cast

from cxtext.schema import DEFAULT_LANGUAGES, UNDETERMINED_LANGUAGE

if TYPE_CHECKING:  # spaCy itself is imported when the first pipeline is built (2 s)
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Token

LEMMATIZED_LANGUAGES: Final[tuple[str, ...]] = ("en", "nl", "ro", "pt", "es", "de", "fr")
BATCH_SIZE: Final = 1000

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S*[@\uff20]\S+|<[A-Z][A-Z_]*>|#")
_LETTER = re.compile(r"[^\W\d_]")
_RO_COMMA_BELOW = str.maketrans("şţŞŢ", "șțȘȚ")

# A lemma table: word form -> lemma (the French table holds lists of lemmas).
_LemmaTable = Mapping[str, str | list[str]]


def _normalize_code(language: str | None) -> str:
    """Primary subtag, lower case (``"pt-BR"`` -> ``"pt"``); ``"und"`` when missing."""
    if not language:
        return UNDETERMINED_LANGUAGE
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0] or UNDETERMINED_LANGUAGE


def _stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words of a language, lower case, Romanian letters in both spellings."""
    import spacy

    words = {w.lower() for w in spacy.util.get_lang_class(language).Defaults.stop_words}
    return frozenset(words | {w.translate(_RO_COMMA_BELOW) for w in words})


def _first(value: str | list[str]) -> str:
    """A table value: the French table holds lists of lemmas."""
    return value if isinstance(value, str) else value[0]


def _lemma_table(language: str) -> _LemmaTable:
    """The ``lemma_lookup`` table of spacy-lookups-data for a language, as a dict."""
    from spacy.util import load_language_data, registry

    return cast("_LemmaTable", load_language_data(registry.lookups.get(language)["lemma_lookup"]))


def _cycle_repairs(table: _LemmaTable) -> dict[str, str]:
    """Map both members of every two-form cycle of a lemma table to the commoner one."""
    counts = Counter(_first(value) for value in table.values())
    repairs: dict[str, str] = {}
    for form in counts:
        other = _first(table.get(form, form))
        if other != form and _first(table.get(other, other)) == form:
            repairs[form] = max((form, other), key=lambda f: (counts[f], f))
    return repairs


class _Pipeline:
    """A blank spaCy tokenizer with a language's stop words and lemma table.

    The keyword of a word form depends on the form only, so it is computed once per form
    and remembered (most tokens of a corpus are repeats).
    """

    def __init__(
        self, nlp: Language, stop_words: frozenset[str], table: _LemmaTable | None
    ) -> None:
        self.tokenizer = cast("Tokenizer", nlp.tokenizer)
        self.stop_words = stop_words
        self.table = table
        self.capitalized = nlp.lang == "de"
        self.repairs = _cycle_repairs(table) if table is not None else {}
        self._memo: dict[str, str] = {}

    def keyword(self, token: Token) -> str:
        """The token's lower-case lemma, ``""`` when the token is no keyword."""
        lemma = self._memo.get(token.text)
        if lemma is None:
            lemma = self._memo[token.text] = self._lemma(token)
        return lemma

    def _lemma(self, token: Token) -> str:
        text = token.text
        if (
            token.is_punct
            or token.like_num
            or token.like_url
            or text in self.stop_words
            or not _LETTER.search(text)
        ):
            return ""
        lemma = text
        if self.table is not None:  # what spaCy's Lemmatizer does in mode "lookup"
            lemma = _first(self.table.get(text, text))
            if lemma == text and self.capitalized:
                lemma = _first(self.table.get(text.capitalize(), text))
            lemma = self.repairs.get(lemma, lemma).lower()
        return lemma if len(lemma) >= 2 and lemma not in self.stop_words else ""


@cache
def _pipeline(language: str) -> _Pipeline:
    """Build (once) the pipeline of a normalized language code."""
    import spacy

    try:
        if language == UNDETERMINED_LANGUAGE:
            raise ImportError(language)
        nlp = spacy.blank(language)
    except ImportError:
        union = frozenset().union(*(_stop_words(code) for code in DEFAULT_LANGUAGES))
        return _Pipeline(spacy.blank("xx"), union, None)
    table = _lemma_table(language) if language in LEMMATIZED_LANGUAGES else None
    return _Pipeline(nlp, _stop_words(language), table)


def lemmas(texts: Sequence[str], language: str) -> list[list[str]]:
    """Keyword lemmas of texts in one language (see the module docstring for the rules).

    Parameters
    ----------
    texts
        n cleaned texts.
    language
        ISO 639-1 code (a region subtag is ignored); ``"und"`` or an unknown code uses the
        multi-language tokenizer and the union of the default stop words.

    Returns
    -------
    list of list of str
        n lists of lower-cased lemmas, in text order.
    """
    code = _normalize_code(language)
    pipe = _pipeline(code)
    prepared = (_NOISE.sub(" ", text).lower() for text in texts)
    if code == "ro":
        prepared = (text.translate(_RO_COMMA_BELOW) for text in prepared)
    out: list[list[str]] = []
    for doc in pipe.tokenizer.pipe(prepared, batch_size=BATCH_SIZE):
        kept = [lemma for lemma in map(pipe.keyword, doc) if lemma]
        out.append(kept)
    return out


def lemmas_by_language(texts: Sequence[str], languages: Sequence[str | None]) -> list[list[str]]:
    """Keyword lemmas of texts in mixed languages, each with its own pipeline.

    Parameters
    ----------
    texts, languages
        n cleaned texts and their language codes (missing codes count as ``"und"``).

    Returns
    -------
    list of list of str
        n lists of lemmas, in input order (see :func:`lemmas`).

    Raises
    ------
    ValueError
        ``texts`` and ``languages`` differ in length.
    """
    if len(texts) != len(languages):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
    groups: dict[str, list[int]] = {}
    for i, language in enumerate(languages):
        groups.setdefault(_normalize_code(language), []).append(i)
    out: list[list[str]] = [[] for _ in range(len(texts))]
    for code, rows in groups.items():
        for i, row_lemmas in zip(rows, lemmas([texts[i] for i in rows], code), strict=True):
            out[i] = row_lemmas
    return out
