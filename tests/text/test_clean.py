"""Text cleaning: markup out, every character a customer typed in."""

from __future__ import annotations

import pandas as pd
import pytest

from cxtext.text import clean_text, clean_texts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Great&nbsp;service</p><p>fast</p>", "Great service fast"),
        ("line one<br>line two<BR/>three", "line one line two three"),
        ("<b>bold</b>text and <a href='x'>link</a>", "boldtext and link"),
        ("a<script>alert('x')</script>b<style>.c{}</style>c", "a b c"),
        ("kept <!-- hidden --> visible", "kept visible"),
        ("&lt;b&gt; is shown, &amp; &eacute; &#128077;", "<b> is shown, & é 👍"),
        ("I <3 this, a < b > c", "I <3 this, a < b > c"),
        ("  tabs\tand\nnew\r\nlines  ", "tabs and new lines"),
        (
            "no\u00a0break\u2009thin\u3000ideographic\u200bzero\ufeffbom",
            "no break thin ideographic zero bom",
        ),
        ("", ""),
        ("<br> &nbsp; ", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_non_ascii_and_emoji_are_kept() -> None:
    arabic = "الخدمة ممتازة 👍🏽"
    romanian = "Mulțumesc, livrarea a întârziat și coletul era deteriorat"
    family = "👨\u200d👩\u200d👧 ok"  # zero-width joiners inside an emoji stay
    assert clean_text(f"<div>{arabic}</div>") == arabic
    assert clean_text(romanian) == romanian
    assert clean_text(family) == family


def test_nul_characters_are_removed() -> None:
    assert clean_text("nul\x00inside \x00") == "nulinside"
    assert clean_text("<p>\x00</p>\x00") == ""
    assert clean_text("&#0; is no NUL") == "\ufffd is no NUL"  # html.unescape's replacement
    assert clean_texts(pd.Series(["a\x00b"], dtype="str")).tolist() == ["ab"]


def test_nfc_normalization() -> None:
    decomposed = "cafe\u0301 s\u0326i"  # e + combining acute, s + combining comma below
    assert clean_text(decomposed) == "café și"


def test_clean_texts_keeps_index_and_matches_scalar() -> None:
    raw = pd.Series(["<i>x</i>  y", "ș\u00a0ț", "", "plain"], index=[5, 6, 7, 8], dtype="str")
    out = clean_texts(raw)
    assert list(out.index) == [5, 6, 7, 8]
    assert out.tolist() == [clean_text(t) for t in raw] == ["x y", "ș ț", "", "plain"]


def test_strip_addressing_removes_handles_links_and_hash_signs() -> None:
    import pandas as pd

    from cxtext.text.clean import strip_addressing

    texts = pd.Series(["@united my bag is lost http://t.co/x1 #fail", "mail me at a@b.com", ""])
    assert strip_addressing(texts).tolist() == ["my bag is lost fail", "mail me at a@b.com", ""]
