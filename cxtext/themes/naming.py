"""Theme names: a short phrase a person could have written, taken from the theme's clauses.

Only the training clauses kept in the model (``sample_*``) have vectors; :func:`describe
<cxtext.themes.labels.describe>` has no encoder to embed new phrases. So a name is one of the
theme's own clauses, shortened:

1. **Pool.** The members written in the display language (the model's ``label_language``);
   only when the theme has none, all its members, and the name then carries its language.
2. **Phrase.** URLs, ``@handles``, placeholders, emoji, number-only tokens and the terms
   given as ``common`` (brand names) are removed; fillers are stripped from the
   start and the end (``data/label_words.toml``: "I was charged twice, please" -> "Charged
   twice"). A clause of more than :data:`MAX_WORDS` words is cut at punctuation and before
   connectives ("because", "when") and keeps the piece carrying most of the theme's
   keywords; a piece still too long keeps the run of :data:`MAX_WORDS` words with most
   keyword weight (the later run on a tie, so "when will I get a virtual card" keeps
   "card"), ending on a content word. Brand names (:func:`brand_names`) are removed.
3. **Score.** Cosine of the clause to the theme centroid (the encoder is multilingual, so a
   display-language clause near the centroid names a theme mostly written in other
   languages), plus :data:`KEYWORD_BONUS` times the mean keyword weight of the phrase's
   lemmas, minus penalties for content words cut away, for a piece truncated, for
   numbers or common terms removed and for a single word (:data:`ONE_WORD_PENALTY`).
   Names are ranked by score, repeats (case-insensitive) removed.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

import numpy as np

from cxtext.text.tokens import lemmas

MAX_WORDS: Final = 6
KEYWORD_BONUS: Final = 0.15
CUT_PENALTY: Final = 0.01
TRUNCATE_PENALTY: Final = 0.03
NUMBER_PENALTY: Final = 0.05
COMMON_PENALTY: Final = 0.1
# A one-word name says what but not what about it ("Lost", "Pounds"); its keyword density
# is also the highest possible, so without this it wins over the phrase it came from.
ONE_WORD_PENALTY: Final = 0.1
# Clauses scored per theme: the most central ones of the pool.
MAX_CANDIDATES: Final = 60

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S*[@\uff20]\S+|<[A-Z][A-Z_]*>|#")
_TOKEN = re.compile(r"[^\s,;:()\[\]{}\"“”„«»!?.…|/]+|[,;:()\[\]{}!?.…|/]+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_NAME_WORD = re.compile(r"[^\W\d_][\w'-]*")
_CAMEL = re.compile(r"^[A-Z][a-z]+[A-Z]")

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Name:
    """A candidate label: the phrase, the language it is written in and its score."""

    text: str
    language: str
    score: float


@dataclass(frozen=True)
class _Words:
    """A language's label words (see ``data/label_words.toml``), lower case."""

    lead: tuple[Phrase, ...]
    trail: tuple[Phrase, ...]
    dangling: tuple[Phrase, ...]
    cut: tuple[Phrase, ...]


@cache
def _words(language: str) -> _Words:
    """The label words of a language; empty lists for a language without an entry."""
    with (files("cxtext.themes") / "data" / "label_words.toml").open("rb") as handle:
        entry = tomllib.load(handle).get(language, {})

    def phrases(key: str) -> tuple[Phrase, ...]:  # longest first
        return tuple(sorted((tuple(p.split()) for p in entry.get(key, ())), key=len, reverse=True))

    return _Words(phrases("lead"), phrases("trail"), phrases("dangling"), phrases("cut"))


@dataclass
class _Token:
    text: str
    key: str  # lower case, as the lemma tables and the word lists expect
    comma: bool = False  # a comma follows


def _pieces(text: str) -> list[list[_Token]]:
    """Word runs of a clause between punctuation; commas are kept on the word before."""
    text = _NOISE.sub(" ", html.unescape(text))
    pieces: list[list[_Token]] = [[]]
    for raw in _TOKEN.findall(text):
        word = _EDGE.sub("", raw)
        if word:
            pieces[-1].append(_Token(word, word.lower()))
        elif raw == "," and pieces[-1]:
            pieces[-1][-1].comma = True
        elif pieces[-1]:
            pieces.append([])
    return [p for p in pieces if p]


def _starts(tokens: Sequence[_Token], at: int, phrases: Iterable[Phrase]) -> int:
    """Length of the first of ``phrases`` found at ``tokens[at:]``, 0 when none is."""
    for phrase in phrases:
        if tuple(t.key for t in tokens[at : at + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _cut(tokens: list[_Token], cut: Iterable[Phrase]) -> list[list[_Token]]:
    """Split after every comma and before every connective of ``cut`` (dropped)."""
    pieces: list[list[_Token]] = [[]]
    i = 0
    while i < len(tokens):
        n = _starts(tokens, i, cut) if i else 0
        if n:
            pieces.append([])
            i += n
            continue
        pieces[-1].append(tokens[i])
        if tokens[i].comma:
            pieces.append([])
        i += 1
    return [p for p in pieces if p]


def _strip(
    tokens: list[_Token],
    words: _Words,
    lemma_of: Mapping[str, tuple[str, ...]],
    *,
    shortened: bool,
) -> list[_Token]:
    """Strip lead and trail fillers; a shortened phrase also loses dangling end words and
    stop words ("Phone contract costs more than" -> "Phone contract costs")."""
    start, end = 0, len(tokens)
    while start < end and (n := _starts(tokens[:end], start, words.lead)):
        start += n
    ends = words.trail + words.dangling if shortened else words.trail
    while start < end:
        n = next((len(p) for p in ends if _ends_with(tokens[start:end], p)), 0)
        if not n and shortened and not lemma_of[tokens[end - 1].key]:
            n = 1
        if not n:
            break
        end -= n
    return tokens[start:end]


def _ends_with(tokens: Sequence[_Token], phrase: Phrase) -> bool:
    return len(tokens) >= len(phrase) and tuple(t.key for t in tokens[-len(phrase) :]) == phrase


@dataclass(frozen=True)
class _Shortened:
    text: str
    density: float  # mean keyword weight of the phrase's lemmas
    penalty: float


def _shorten(
    text: str,
    words: _Words,
    lemma_of: Mapping[str, tuple[str, ...]],
    weights: Mapping[str, float],
    common: Collection[str],
) -> _Shortened | None:
    """The label phrase of one clause, or ``None`` when nothing with content is left."""
    penalty = 0.0
    pieces: list[list[_Token]] = []
    for piece in _pieces(text):
        pieces.append([])
        for token in piece:
            if not _LETTER.search(token.text):
                penalty += NUMBER_PENALTY if _DIGIT.search(token.text) else 0.0
            elif common and any(lemma in common for lemma in lemma_of[token.key]):
                penalty += COMMON_PENALTY
            else:
                pieces[-1].append(token)
                continue
            pieces.append([])  # a word taken out leaves a gap: "went up by _ euros"
    pieces = [p for p in pieces if p]
    whole = _strip([t for p in pieces for t in p], words, lemma_of, shortened=False)
    content = sum(bool(lemma_of[t.key]) for t in whole)

    def mass(tokens: list[_Token]) -> float:
        return sum(weights.get(lemma, 0.0) for t in tokens for lemma in lemma_of[t.key])

    chosen = whole
    if len(whole) > MAX_WORDS or penalty > 0:
        parts = [
            _strip(c, words, lemma_of, shortened=True) for p in pieces for c in _cut(p, words.cut)
        ]
        parts = [p for p in parts if p]
        if parts:
            chosen = max(parts, key=mass)  # first maximum: the earlier piece
        if len(chosen) > MAX_WORDS:
            windows = [chosen[i : i + MAX_WORDS] for i in range(len(chosen) - MAX_WORDS + 1)]
            # The most keyword mass; on a tie the later window, which keeps the end of the
            # phrase, where a head noun often stands ("get a virtual card").
            best = max(range(len(windows)), key=lambda i: (mass(windows[i]), i))
            chosen = _strip(windows[best], words, lemma_of, shortened=True)
            penalty += TRUNCATE_PENALTY
    lemma_count = sum(len(lemma_of[t.key]) for t in chosen)
    if not lemma_count:
        return None
    kept_content = sum(bool(lemma_of[t.key]) for t in chosen)
    penalty += CUT_PENALTY * (content - kept_content)
    phrase = " ".join(t.text + ("," if t.comma else "") for t in chosen).rstrip(",")
    return _Shortened(_display(phrase), mass(chosen) / lemma_count, penalty)


def _display(phrase: str) -> str:
    """Sentence case: shouting lowered, the first letter capitalised."""
    letters = [c for c in phrase if c.isalpha()]
    if len(letters) >= 4 and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        phrase = phrase.lower()
    return phrase[:1].upper() + phrase[1:]


def rank_names(
    texts: Sequence[str],
    languages: Sequence[str],
    similarity: np.ndarray,
    language: str,
    *,
    weights: Mapping[str, Mapping[str, float]],
    common: Collection[str] = (),
) -> list[Name]:
    """Candidate names of one theme (or parent theme), best first.

    Parameters
    ----------
    texts, languages
        The theme's member clauses and their language codes.
    similarity
        Cosine of each member to the theme centroid, shape (m,).
    language
        Display language: its clauses are the pool. A theme without any takes the clauses
        of its most frequent language, so an odd member in a third language (often one
        that joined by mistake) does not name the theme.
    weights
        Language -> lemma -> keyword weight in [0, 1] of the theme.
    common
        Lemmas present in most themes (brand names), never shown.

    Returns
    -------
    list of Name
        Distinct names by descending score; empty when no clause has content.
    """
    pool = [i for i, code in enumerate(languages) if code == language]
    if not pool and len(texts):
        counts = Counter(languages)
        bulk = max(counts, key=lambda code: (counts[code], code))
        pool = [i for i, code in enumerate(languages) if code == bulk]
    pool = sorted(pool, key=lambda i: -float(similarity[i]))[:MAX_CANDIDATES]
    lemma_of = _lemma_lookup([texts[i] for i in pool], [languages[i] for i in pool])
    names: dict[str, Name] = {}
    for i in pool:
        code = languages[i]
        short = _shorten(texts[i], _words(code), lemma_of[code], weights.get(code, {}), common)
        if short is None:
            continue
        score = float(similarity[i]) + KEYWORD_BONUS * short.density - short.penalty
        if " " not in short.text:
            score -= ONE_WORD_PENALTY
        key = short.text.casefold()
        if key not in names or names[key].score < score:
            names[key] = Name(short.text, code, score)
    return sorted(names.values(), key=lambda n: (-n.score, n.text))


def _lemma_lookup(
    texts: Sequence[str], languages: Sequence[str]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Language -> lower-case word -> its keyword lemmas (empty for stop words)."""
    forms: dict[str, set[str]] = {}
    for text, code in zip(texts, languages, strict=True):
        forms.setdefault(code, set()).update(t.key for p in _pieces(text) for t in p)
    lookup: dict[str, dict[str, tuple[str, ...]]] = {}
    for code, words in forms.items():
        ordered = sorted(words)
        lookup[code] = {
            w: tuple(found) for w, found in zip(ordered, lemmas(ordered, code), strict=True)
        }
    return lookup


def keyword_weights(
    keywords: Mapping[str, Sequence[tuple[str, float]]],
) -> dict[str, dict[str, float]]:
    """Language -> lemma -> weight: each keyword's score over the language's best score.

    A lemma in several keywords (``"card"``, ``"card arrive"``) takes the highest weight.
    """
    out: dict[str, dict[str, float]] = {}
    for code, words in keywords.items():
        top = max((score for _, score in words), default=0.0)
        table = out.setdefault(code, {})
        for term, score in words:
            for lemma in term.split():
                table[lemma] = max(table.get(lemma, 0.0), score / top if top > 0 else 0.0)
    return out


def brand_names(
    texts: Sequence[str], languages: Sequence[str], *, min_share: float = 0.8, min_count: int = 3
) -> frozenset[str]:
    """Names written the same in several languages: brands, products, places.

    A word is one when, inside clauses (not as their first word), it is capitalised but
    not all capitals (``"Qelvo"``, not ``"SIM"``) in at least ``min_share`` of at least
    ``min_count`` occurrences and clauses of two or more languages use it (capitalised
    nouns of one language, German, are used by that language only); or when it is written
    in camel case (``"JetBlue"``) in at least half of its occurrences.

    Returns
    -------
    frozenset of str
        The names, lower case.
    """
    titled: dict[str, int] = {}
    inside: dict[str, int] = {}
    camel: dict[str, int] = {}
    used_in: dict[str, set[str]] = {}
    for text, code in zip(texts, languages, strict=True):
        for position, word in enumerate(_NAME_WORD.findall(_NOISE.sub(" ", text))):
            key = word.lower()
            used_in.setdefault(key, set()).add(code)
            if position:
                inside[key] = inside.get(key, 0) + 1
                titled[key] = titled.get(key, 0) + (
                    len(word) > 2
                    and word[:2].isalpha()
                    and word[0].isupper()
                    and not word.isupper()
                )
                camel[key] = camel.get(key, 0) + bool(_CAMEL.search(word))
    return frozenset(
        key
        for key, n in inside.items()
        if n >= min_count
        and (
            (titled.get(key, 0) >= min_share * n and len(used_in[key]) > 1)
            or camel.get(key, 0) >= n / 2
        )
    )
