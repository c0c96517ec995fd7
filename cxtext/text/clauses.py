"""Clause splitting and non-answer detection for feedback comments.

One comment often carries several causes ("delivery was fast but support was rude"), so
themes and sentiment work on clauses: sentences, cut again before a contrastive connective.

Sentence boundaries
    ``. ! ? ; …`` and the Arabic ``؟ ؛`` followed by whitespace or the end (closing quotes and
    brackets stay with the sentence), line breaks, and a full stop glued between two words
    (``"slow.The app"``). Not boundaries: decimals (``2.5``), URLs, e-mail addresses and
    placeholders (``<EMAIL>``), abbreviations (:data:`ABBREVIATIONS`, dotted initialisms such
    as ``e.g.``/``z.B.``/``p.ex.``, a capital initial ``J.``) and German ordinals
    (``am 3. Mai``). The Arabic comma ``،`` is a comma, like ``,``: no boundary.

Contrastive connectives
    :data:`CONNECTIVES` per language. A clause is split *before* the connective, and the
    connective is dropped from the clause start. Common non-contrastive uses are skipped
    ("but also", "nothing but", "as though", Dutch "maar een"/"maar ook", German "doch"
    unless it opens a clause or follows a comma). Texts in ``"und"`` or a language without a
    list use the union, without words that are ordinary words in another default language
    (``dar`` "give" in es/pt, ``mais`` "more" in pt, ``mas`` for Spanish "más"). Additive
    "and" is never a split point: too ambiguous.

Clean-up
    Commas, semicolons, colons and dashes at the clause edges are stripped; everything else
    (diacritics, Arabic, emoji, final ``.!?``) is kept. Pieces without a letter, digit or
    symbol (pure punctuation) are dropped. Pieces of fewer than :data:`MIN_WORDS` words are
    merged back into the previous clause (the first one into the next), with the original
    text between them, connective included: ``"great app, but ok"`` stays one clause.

Non-answers
    :func:`is_non_answer` flags answers that carry no root cause: empty, no letters (``-``,
    ``10``, emoji only), fewer than two letters, refusals (``n/a``, ``nothing``, ``niks``,
    ``nimic``, ``لا شيء``...) and, by decision, single generic verdicts and pleasantries
    (``ok``, ``good``, ``goed``, ``bom``, ``bad``, ``thanks``, ``all good``). They say how the
    customer feels but not why, so they are kept out of theme discovery; the rows still
    count in NPS metrics and get a sentiment. Short complaints that name something
    (``"app crashes"``, ``"te duur"``, ``"expensive"``) are answers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Final

import numpy as np
import pandas as pd

from cxtext.schema import DEFAULT_LANGUAGES, UNDETERMINED_LANGUAGE

MIN_WORDS: Final = 2

COMMENT_ID: Final = "comment_id"
CLAUSE_INDEX: Final = "clause_index"
CLAUSE: Final = "clause"

# Regex alternatives (case-insensitive, whole words; spaces match any whitespace).
_MAAR = r"maar(?!\s+(?:een|één|ook|even|net|zo|weinig|half|enkele|pas)\b)"
_DAR = r"dar(?!\s+și\b)"
_MAS = r"mas(?!\s+também\b)"
_MAIS = r"mais(?!\s+aussi\b)"
CONNECTIVES: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        r"(?<!nothing\s)(?<!anything\s)(?<!all\s)(?<!everything\s)but(?!\s+(?:also|for)\b)",
        "however",
        "although",
        "even though",
        r"(?<!as\s)(?<!even\s)though",
    ),
    "nl": (_MAAR, "echter"),
    "af": (_MAAR, "egter"),
    "ro": (_DAR, "însă", "insa", "totuși", "totuşi", "totusi"),
    "pt": (_MAS, "porém", "porem", "contudo", "no entanto"),
    "de": (r"aber(?!\s+auch\b)", "jedoch", r"(?<!\w\s)doch"),
    "es": (r"pero(?!\s+también\b)", "aunque", "sin embargo"),
    "fr": (_MAIS, "cependant", "par contre", "pourtant", "toutefois"),
    "ar": ("و?لكن\u0651?(?:ه|ها|هم|ني|نا)?", "لاكن"),  # noqa: RUF001
}
# Ordinary words in another default language: "dar" (es/pt give), "mais" (pt more), "mas".
_NOT_IN_UNION: Final = frozenset({_DAR, _MAS, _MAIS})

# fmt: off
ABBREVIATIONS: Final[frozenset[str]] = frozenset((
    # en
    "vs.", "mr.", "mrs.", "ms.", "dr.", "st.", "nr.", "approx.", "incl.", "excl.", "ca.",
    "cf.", "jr.", "sr.", "inc.", "ltd.", "co.", "dept.", "tel.", "fig.",
    # nl / af
    "bv.", "bijv.", "dhr.", "mevr.", "mw.", "evt.", "blz.", "enz.", "mnr.", "mev.",
    # de
    "usw.", "bzw.", "evtl.", "ggf.", "inkl.", "zzgl.", "str.", "hr.", "fr.", "bzgl.", "vgl.",
    # es / pt / fr / ro
    "ej.", "sra.", "srta.", "dra.", "aprox.", "núm.", "ud.", "uds.", "pág.", "nº.", "av.",
    "ex.", "mme.", "mlle.", "env.", "dl.", "dna.", "d-na.", "d-l.",
))
# fmt: on
_INITIALISM = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}|[A-Z]\.")
_ORDINAL = re.compile(r"\d{1,2}\.")
_BOUNDARY = re.compile(
    r"[.!?;\u2026\u061f\u061b]+[\"'\u201d\u2019)\]\u00bb]*(?=\s|$)"
    r"|\n\s*"
    r"|(?<=[a-zß-öø-ÿ]{2})\.(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ])"
)
_PROTECTED = re.compile(
    r"(?:https?://|www\.)\S*?(?=[.,;:!?)\]]*(?:\s|$))"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|<[A-Z][A-Z_]*>"
)
_TRAIL = " \t\r\n,\u060c;\u061b:-\u2013\u2014"  # commas, semicolons, colons, dashes
_LEAD = _TRAIL + ".\u2026"
_LETTER = re.compile(r"[^\W\d_]")


def _pattern(alternatives: Sequence[str]) -> re.Pattern[str]:
    """Compile whole-word alternatives, longest first, spaces matching any whitespace."""
    ordered = sorted(set(alternatives), key=lambda a: (-len(a), a))
    body = "|".join(a.replace(" ", r"\s+") for a in ordered)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=64)
def _connectives(language: str) -> re.Pattern[str]:
    """Connective pattern for a language; the union for ``"und"`` and unknown codes."""
    if language in CONNECTIVES:
        return _pattern(CONNECTIVES[language])
    union = {a for code in DEFAULT_LANGUAGES for a in CONNECTIVES.get(code, ())}
    return _pattern(sorted(union - _NOT_IN_UNION))


def _protected_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED.finditer(text)] if ("." in text or "<" in text) else []


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= pos < end for start, end in spans)


def _is_boundary(text: str, match: re.Match[str], language: str) -> bool:
    """Whether a candidate boundary really ends a sentence (abbreviations, ordinals)."""
    if text[match.start()] != ".":
        return True
    token_start = max(text.rfind(" ", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    token = text[token_start : match.start() + 1].lstrip("([{\"'«")
    if token.lower() in ABBREVIATIONS or _INITIALISM.fullmatch(token):
        return False
    return not (
        language == "de"
        and _ORDINAL.fullmatch(token)
        and text[match.end() :].lstrip()[:1].isalnum()
    )


def _sentences(text: str, language: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)``; a sentence keeps its final punctuation."""
    cuts = [0]
    for match in _BOUNDARY.finditer(text):
        if not _inside(match.start(), spans) and _is_boundary(text, match, language):
            cuts.append(match.end())
    cuts.append(len(text))
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _has_content(piece: str) -> bool:
    """Whether a piece holds a letter, a digit or a symbol such as an emoji."""
    return any(ch.isalnum() or unicodedata.category(ch)[0] == "S" for ch in piece)


def _n_words(piece: str) -> int:
    """Words with at least one letter (``"2 stars"`` is one word)."""
    return sum(1 for word in piece.split() if _LETTER.search(word))


def _strip(piece: str) -> str:
    return piece.lstrip(_LEAD).rstrip(_TRAIL)


def split_clauses(text: str, language: str) -> list[str]:
    """Split one comment into clauses (see the module docstring for the rules).

    Parameters
    ----------
    text
        A cleaned comment.
    language
        ISO 639-1 code choosing the connective list (a region subtag is ignored);
        ``"und"`` or an unknown code uses the union of the default languages' lists.

    Returns
    -------
    list of str
        Clauses in text order; ``[]`` when the text has no letter, digit or symbol.
    """
    language = re.split(r"[-_]", (language or UNDETERMINED_LANGUAGE).lower(), maxsplit=1)[0]
    spans = _protected_spans(text)
    connectives = _connectives(language)
    pieces: list[tuple[int, int]] = []
    for s_start, s_end in _sentences(text, language, spans):
        start = s_start
        for match in connectives.finditer(text, s_start, s_end):
            if not _inside(match.start(), spans):
                pieces.append((start, match.start()))
                start = match.end()
        pieces.append((start, s_end))
    pieces = [p for p in pieces if _has_content(text[p[0] : p[1]])]

    merged: list[tuple[int, int]] = []
    carry: int | None = None  # start of a short first piece waiting for the next one
    for i, (start, end) in enumerate(pieces):
        if carry is not None:
            start, carry = carry, None
        if _n_words(text[start:end]) < MIN_WORDS:
            if merged:
                merged[-1] = (merged[-1][0], end)
                continue
            if i + 1 < len(pieces):
                carry = start
                continue
        merged.append((start, end))
    clauses = (_strip(text[start:end]) for start, end in merged)
    return [clause for clause in clauses if clause]


def split_clauses_frame(
    ids: Sequence[object] | pd.Series,
    texts: Sequence[str] | pd.Series,
    languages: Sequence[str | None] | pd.Series,
) -> pd.DataFrame:
    """Split many comments into clauses, one row per clause.

    Parameters
    ----------
    ids, texts, languages
        Sequences of length n: comment ids, cleaned texts, language codes (missing values
        count as ``"und"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``comment_id`` (the ids), ``clause_index`` (int64, 0-based within a
        comment) and ``clause`` (str), in input order. Comments without clauses have no row.

    Raises
    ------
    ValueError
        The three inputs differ in length.
    """
    ids_arr = np.asarray(ids, dtype=object)
    text_list = list(texts)
    lang_list = list(languages)
    if not len(ids_arr) == len(text_list) == len(lang_list):
        raise ValueError(
            f"ids, texts and languages differ in length: "
            f"{len(ids_arr)}, {len(text_list)}, {len(lang_list)}"
        )
    clause_lists = [
        split_clauses(t, lang if isinstance(lang, str) else UNDETERMINED_LANGUAGE)
        if isinstance(t, str)
        else []
        for t, lang in zip(text_list, lang_list, strict=True)
    ]
    counts = np.fromiter((len(c) for c in clause_lists), dtype=np.int64, count=len(clause_lists))
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return pd.DataFrame(
        {
            COMMENT_ID: ids_arr.repeat(counts),
            CLAUSE_INDEX: np.arange(total, dtype=np.int64) - starts,
            CLAUSE: pd.Series([c for cs in clause_lists for c in cs], dtype="str"),
        }
    )


# Answers with no root cause, per language (compared after :func:`_answer_key`).
# fmt: off
NON_ANSWERS: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "n/a", "na", "nil", "none", "nothing", "nothing to add", "nothing else",
        "nothing more", "nothing really", "nothing to say", "no comment", "no comments",
        "no", "nope", "nah", "yes", "yep", "idk", "dont know", "i dont know", "no idea",
        "not sure", "not applicable", "no reason", "no complaints", "ok", "okay", "k",
        "good", "fine", "great", "nice", "cool", "excellent", "perfect", "awesome",
        "amazing", "bad", "terrible", "awful", "poor", "all good", "all ok", "all fine",
        "everything ok", "everything good", "everything is fine", "everything fine",
        "very good", "thanks", "thank you", "thx", "keep it up", "keep up the good work",
        "same", "same as before", "test",
    ),
    "nl": (
        "nee", "ja", "niks", "niets", "geen", "geen commentaar", "geen opmerkingen",
        "geen opmerking", "geen idee", "nvt", "weet niet", "weet ik niet", "ok", "oké",
        "goed", "prima", "top", "super", "slecht", "alles goed", "alles prima", "zeer goed",
        "heel goed", "dank", "bedankt", "dank je", "dank u", "geen reden", "niets te melden",
        "niks toe te voegen", "niets toe te voegen", "niks aan toe te voegen",
    ),
    "af": (
        "nee", "ja", "niks", "niets", "geen kommentaar", "goed", "baie goed", "sleg", "reg",
        "lekker", "dankie", "nvt", "niks om by te voeg", "niks om by te voeg nie",
    ),
    "ro": (
        "nu", "da", "nimic", "nimic de adăugat", "nimic de adaugat", "nu am", "nu știu",
        "nu am nimic de adăugat", "nu am nimic de adaugat",
        "nu stiu", "fără comentarii", "fara comentarii", "ok", "bine", "foarte bine", "bun",
        "super", "rău", "rau", "prost", "mulțumesc", "multumesc", "mersi",
    ),
    "pt": (
        "nada", "não", "nao", "sim", "nenhum", "nenhuma", "nada a declarar", "nada a dizer",
        "nada a acrescentar",
        "sem comentários", "sem comentarios", "não sei", "nao sei", "ok", "bom", "boa",
        "bem", "ótimo", "otimo", "tudo bem", "tudo ok", "ruim", "mau", "obrigado",
        "obrigada",
    ),
    "ar": (
        "لا", "نعم", "لا شيء", "لا شي", "لاشيء", "لا يوجد", "لايوجد", "لا تعليق",
        "لا أعرف", "لا اعرف", "جيد", "ممتاز", "تمام", "سيء", "شكرا", "شكرًا", "لا شيء لأضيفه",
    ),
    "es": (
        "nada", "no", "sí", "si", "ninguno", "ninguna", "sin comentarios", "nada que decir",
        "nada que añadir", "nada que agregar",
        "no sé", "no se", "ok", "bien", "bueno", "buena", "muy bien", "todo bien",
        "excelente", "genial", "malo", "mal", "gracias",
    ),
    "de": (
        "nichts", "nein", "ja", "kein", "keine", "keine ahnung", "kein kommentar",
        "keine kommentare", "weiß nicht", "weiss nicht", "ok", "gut", "sehr gut", "alles gut",
        "nichts hinzuzufügen", "nichts hinzuzufuegen",
        "alles ok", "super", "prima", "schlecht", "danke",
    ),
    "fr": (
        "rien", "non", "oui", "aucun", "aucune", "rien à dire", "rien a dire", "rien à ajouter",
        "rien a ajouter",
        "sans commentaire", "pas de commentaire", "je ne sais pas", "ok", "bien", "bon",
        "très bien", "tres bien", "tout va bien", "super", "parfait", "mauvais", "nul",
        "merci",
    ),
}
# fmt: on

_JOINERS = re.compile("[./'`\u2019\u00b4]")
_NON_LETTERS = re.compile(r"[\W\d_]+")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")
_MAX_NON_ANSWER_WORDS: Final = 6  # more words than any entry of NON_ANSWERS


def _answer_key(text: str) -> str:
    """Lower-case letters only, words separated by one space (``"N/A!"`` -> ``"na"``)."""
    return _NON_LETTERS.sub(" ", _JOINERS.sub("", text.lower())).strip()


@lru_cache(maxsize=1)
def _non_answer_keys() -> frozenset[str]:
    return frozenset(_answer_key(a) for answers in NON_ANSWERS.values() for a in answers)


def is_non_answer(text: str) -> bool:
    """Whether an answer carries no root cause (see the module docstring).

    Parameters
    ----------
    text
        A cleaned answer, in any language.

    Returns
    -------
    bool
        ``True`` for empty answers, answers with fewer than two letters (punctuation,
        digits, emoji) and the refusals and generic verdicts of :data:`NON_ANSWERS`
        (letters compared lower-cased, punctuation ignored, runs of three or more equal
        letters shortened: ``"Okkk!!"``, ``"goooood"``).
    """
    key = _answer_key(text)
    if len(key.replace(" ", "")) < 2:
        return True
    keys = _non_answer_keys()
    if key in keys:
        return True
    if key.count(" ") >= _MAX_NON_ANSWER_WORDS:
        return False
    return _REPEATS.sub(r"\1", key) in keys or _REPEATS.sub(r"\1\1", key) in keys


def non_answer_mask(texts: pd.Series) -> np.ndarray:
    """Flag the non-answers of a column with :func:`is_non_answer`.

    Parameters
    ----------
    texts
        Series of shape (n,) of cleaned texts; missing values count as empty.

    Returns
    -------
    numpy.ndarray
        Boolean array of shape (n,). Duplicate texts are judged once, so the usual mass
        of repeated short answers costs little (100,000 distinct answers: under a second).
    """
    values = texts.fillna("").astype(str)
    codes, uniques = pd.factorize(values)
    flags = np.fromiter((is_non_answer(t) for t in uniques), dtype=bool, count=len(uniques))
    return flags[codes] if len(codes) else np.zeros(0, dtype=bool)
