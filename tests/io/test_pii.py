"""PII redaction: each kind, checksums, things that must survive."""

from __future__ import annotations

import pandas as pd
import pytest

from cxtext.io.pii import iban_valid, luhn_valid, redact_pii, redact_pii_series


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("mail john.doe+cx@example.co.uk please", "mail <EMAIL> please", "email"),
        ("IBAN NL91 ABNA 0417 1643 00 thanks", "IBAN <IBAN> thanks", "iban"),
        ("iban: nl91abna0417164300.", "iban: <IBAN>.", "iban"),
        ("pay to BE68 5390 0754 7034 from me", "pay to <IBAN> from me", "iban"),
        ("DE89 3704 0044 0532 0130 00", "<IBAN>", "iban"),
        ("card 4111 1111 1111 1111 exp 12/27", "card <CARD> exp 12/27", "card"),
        ("card 5500-0000-0000-0004", "card <CARD>", "card"),
        ("amex 378282246310005!", "amex <CARD>!", "card"),
        ("call +31 6 12345678 now", "call <PHONE> now", "phone"),
        ("call (555) 123-4567", "call <PHONE>", "phone"),
        ("mobiel 0412 345 678", "mobiel <PHONE>", "phone"),
        ("+1-555-123-4567 or 555.123.4567", "<PHONE> or <PHONE>", "phone"),
        ("Tel:0612345678", "Tel:<PHONE>", "phone"),
        ("bel +32471186713 aub", "bel <PHONE> aub", "phone"),
    ],
)
def test_each_kind_is_redacted(text: str, expected: str, kind: str) -> None:
    redacted, counts = redact_pii(text)
    assert redacted == expected
    assert sum(counts.values()) == counts[kind] == expected.count("<")


@pytest.mark.parametrize(
    "text",
    [
        "@VirginAmerica thanks, you rock",  # a handle is not an e-mail address
        "card 4111 1111 1111 1112 declined",  # fails Luhn
        "NL91ABNA0417164301 is wrong",  # fails mod-97
        "in 2015 I paid $1,299.00 for order 123456",  # years, prices, short order numbers
        "order 1234567 arrived",  # 7 digits without a trunk prefix
        "on 2020-05-27 and 01-05-2020",  # dates
        "1.299.000 euro, ratio 0.1234567",  # dotted thousands, decimals
        "tweet 570306133677760513 and https://t.co/7Q05MoK71l",  # long ids, URLs
        "@1157123456 hi #0612345678",  # glued to @ or #
        "Flight 1843 AA, gate 12, 14:05",
    ],
)
def test_non_pii_survives(text: str) -> None:
    assert redact_pii(text) == (text, {})


def test_checksums() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert luhn_valid("378282246310005")
    assert iban_valid("GB29NWBK60161331926819") and iban_valid("nl91abna0417164300")
    assert not iban_valid("GB29NWBK60161331926818")
    assert not iban_valid("GB29")  # too short
    assert not iban_valid("1234NWBK60161331926819")  # no country code


def test_order_matters_iban_and_card_before_phone() -> None:
    redacted, counts = redact_pii("NL91 ABNA 0417 1643 00, 4111-1111-1111-1111, +31 6 12345678")
    assert redacted == "<IBAN>, <CARD>, <PHONE>"
    assert counts == {"iban": 1, "card": 1, "phone": 1}


def test_series_matches_scalar_and_totals_every_kind() -> None:
    texts = pd.Series(
        ["plain text", "a@b.io and c@d.org", "ring 0612345678", "", "x NL91ABNA0417164300"],
        index=[10, 11, 12, 13, 14],
        dtype="str",
    )
    redacted, totals = redact_pii_series(texts)
    assert list(redacted.index) == [10, 11, 12, 13, 14]
    assert redacted.tolist() == [redact_pii(t)[0] for t in texts]
    assert totals == {"email": 2, "iban": 1, "card": 0, "phone": 1}
