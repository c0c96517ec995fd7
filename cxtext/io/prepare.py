"""Prepare comment texts for tagging: clean, redact PII, flag empty texts, identify the
language where none is given. Ingestion, the tagging pipeline, the API and batch jobs
all prepare texts here, so a comment is prepared the same way whichever road it takes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxtext.io.pii import redact_pii_series
from cxtext.schema import LANGUAGE, TEXT, TEXT_FLAG, TextFlag
from cxtext.text.clean import clean_texts
from cxtext.text.langid import detect_languages


@dataclass
class PrepareCounts:
    """What preparing texts changed: PII placeholders by kind, languages identified."""

    pii: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)


def prepare_texts(
    frame: pd.DataFrame,
    *,
    redact_pii: bool = True,
    languages: Sequence[str] | None,
    counts: PrepareCounts | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` (with a ``text`` column) whose texts are cleaned and
    PII-redacted, with ``text_flag`` ("empty" or "ok") and, unless ``languages`` is None,
    a ``language`` for every row: the one given where present, else the one identified
    among ``languages``. ``counts`` (if given) adds up what changed."""
    text = clean_texts(frame[TEXT].astype("string").fillna(""))
    if redact_pii:
        text, found = redact_pii_series(text)
        if counts is not None:
            counts.pii.update(found)
    out = frame.copy()
    out[TEXT] = text.astype("string")
    out[TEXT_FLAG] = pd.Series(
        np.where(text == "", TextFlag.EMPTY.value, TextFlag.OK.value),
        index=out.index,
        dtype="string",
    )
    if languages is None:
        return out
    return fill_languages(out, languages, counts=counts)


def fill_languages(
    frame: pd.DataFrame, languages: Sequence[str], *, counts: PrepareCounts | None = None
) -> pd.DataFrame:
    """``frame`` with a ``language`` for every row: the given one where present, else the
    one identified among ``languages`` from the (prepared) ``text``."""
    given = frame[LANGUAGE] if LANGUAGE in frame.columns else pd.Series(pd.NA, index=frame.index)
    given = given.astype("string")
    missing = given.isna().to_numpy()
    if not missing.any():
        return frame
    texts = frame[TEXT].astype("string").fillna("")[missing].tolist()
    codes = detect_languages(texts, languages=languages)
    given[missing] = codes
    if counts is not None:
        counts.languages.update(codes)
    out = frame.copy()
    out[LANGUAGE] = given
    return out
