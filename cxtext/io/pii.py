"""PII redaction: e-mail addresses, IBANs, payment card numbers and phone numbers.

Each match is replaced by a placeholder (``<EMAIL>``, ``<IBAN>``, ``<CARD>``, ``<PHONE>``).
Kinds run in that order, so the digits of an IBAN or a card are gone before the phone
pattern could claim them.

- E-mail: ``local@domain.tld``. A Twitter handle (``@airline``) is not an address.
- IBAN: two letters, two check digits, then 11-30 letters/digits, written compact or in
  groups of four; accepted only when the ISO 13616 mod-97 check gives 1.
- Card: 13-19 digits starting with 2-6 (the Mastercard, Amex/Diners/JCB, Visa, Maestro,
  Discover/UnionPay ranges), optionally separated by single spaces or dashes; accepted only
  when the Luhn check passes.
- Phone: 7-15 digits (E.164 allows 15) with optional ``+country``, ``(area)`` and single
  space/dot/dash separators; it must start with ``+``, ``(`` or ``0`` (a trunk prefix) or
  hold at least 10 digits (North American numbers). Dates (``2020-05-27``, ``01-05-2020``),
  dotted thousands (``1.299.000``), decimals (``0.1234567``), runs longer than 15 digits
  (order or tweet ids) and numbers glued to letters, ``@`` or ``#`` are left alone, and so
  are plain years, prices and order numbers of fewer than 7 digits.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from functools import partial

import pandas as pd


class PiiKind(StrEnum):
    """Kinds of personal data that redaction replaces."""

    EMAIL = "email"
    IBAN = "iban"
    CARD = "card"
    PHONE = "phone"


PLACEHOLDERS: dict[PiiKind, str] = {kind: f"<{kind.name}>" for kind in PiiKind}

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
_IBAN = re.compile(
    r"\b[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)\b"
)
_CARD = re.compile(r"(?<![\w@#+/])[2-6](?:[ -]?\d){12,18}(?!\w)")
_PHONE = re.compile(r"(?<![\w@#+/.])(?:\+|\(\d{1,4}\)|\d)(?:[ .-]?(?:\(\d{1,4}\)|\d))+(?!\w)")
_DATE_LIKE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_DOTTED_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+\.\d+")
_NON_DIGIT = re.compile(r"\D")
# Pre-filters for a column (RE2-compatible, so pyarrow runs them): rows that cannot hold
# any kind skip the Python regex pass. Digits: ASCII and Arabic-Indic.
_DIGIT = "[0-9\u0660-\u0669\u06f0-\u06f9]"
_IBAN_HINT = f"[A-Za-z]{{2}}{_DIGIT}{{2}}"
_EMAIL_HINT = r"[A-Za-z0-9._%+-]@[A-Za-z0-9-]+\."


def luhn_valid(digits: str) -> bool:
    """Return whether a string of digits passes the Luhn checksum."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """Return whether a compact IBAN (no spaces) has a valid ISO 13616 mod-97 check."""
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    rearranged = (iban[4:] + iban[:4]).upper()
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _is_phone(candidate: str) -> bool:
    digits = _NON_DIGIT.sub("", candidate)
    if not 7 <= len(digits) <= 15:
        return False
    if _DATE_LIKE.fullmatch(candidate) or _DOTTED_NUMBER.fullmatch(candidate):
        return False
    return candidate[0] in "+(0" or len(digits) >= 10


def _replace_iban(counts: Counter[str], match: re.Match[str]) -> str:
    # A grouped candidate may have swallowed a following 4-letter word: try shorter
    # group prefixes until one validates.
    groups = match.group(0).split(" ")
    for end in range(len(groups), 0, -1):
        if iban_valid("".join(groups[:end])):
            counts[PiiKind.IBAN] += 1
            rest = " ".join(groups[end:])
            return PLACEHOLDERS[PiiKind.IBAN] + (" " + rest if rest else "")
    return match.group(0)


def _replace_card(counts: Counter[str], match: re.Match[str]) -> str:
    if luhn_valid(_NON_DIGIT.sub("", match.group(0))):
        counts[PiiKind.CARD] += 1
        return PLACEHOLDERS[PiiKind.CARD]
    return match.group(0)


def _replace_phone(counts: Counter[str], match: re.Match[str]) -> str:
    if _is_phone(match.group(0)):
        counts[PiiKind.PHONE] += 1
        return PLACEHOLDERS[PiiKind.PHONE]
    return match.group(0)


def _replace_email(counts: Counter[str], match: re.Match[str]) -> str:
    counts[PiiKind.EMAIL] += 1
    return PLACEHOLDERS[PiiKind.EMAIL]


_STEPS: tuple[tuple[re.Pattern[str], Callable[[Counter[str], re.Match[str]], str]], ...] = (
    (_EMAIL, _replace_email),
    (_IBAN, _replace_iban),
    (_CARD, _replace_card),
    (_PHONE, _replace_phone),
)


def redact_pii(text: str) -> tuple[str, Counter[str]]:
    """Replace personal data in one text by placeholders.

    Parameters
    ----------
    text
        Text to redact.

    Returns
    -------
    tuple of (str, collections.Counter)
        The redacted text and the number of replacements per :class:`PiiKind` value
        (kinds without a replacement are absent).
    """
    counts: Counter[str] = Counter()
    for pattern, replace in _STEPS:
        text = pattern.sub(partial(replace, counts), text)
    return text, counts


def redact_pii_series(texts: pd.Series) -> tuple[pd.Series, dict[str, int]]:
    """Redact a column of texts; the same result as :func:`redact_pii` on each element.

    Rows are pre-filtered with vectorized tests (``x@domain.``, a ``LLdd`` IBAN start, at
    least 7 digits) and only candidates go through the Python regex pass.

    Parameters
    ----------
    texts
        Series of shape (n,) of strings (no missing values).

    Returns
    -------
    tuple of (pandas.Series, dict)
        Redacted series of shape (n,) with the same index, and replacement counts for
        every :class:`PiiKind` value (zeros included).
    """
    totals: Counter[str] = Counter({kind.value: 0 for kind in PiiKind})
    out = texts.astype("str")
    candidates = (
        out.str.contains(_EMAIL_HINT, regex=True)
        | out.str.contains(_IBAN_HINT, regex=True)
        | (out.str.count(_DIGIT) >= 7)
    )
    if candidates.any():
        out = out.copy()
        redacted = []
        for text in out[candidates].tolist():
            new_text, counts = redact_pii(text)
            totals.update(counts)
            redacted.append(new_text)
        out[candidates] = redacted
    return out, {str(kind): totals[kind] for kind in totals}
