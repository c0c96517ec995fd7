"""Tagging comments sent to the API with the served models (:mod:`cxtext.pipeline`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from cxtext.pipeline import ServingModels, prepare_comments, tag_comments
from cxtext.schema import DEFAULT_LANGUAGES


def tag_sent_comments(
    models: ServingModels,
    comments: list[dict[str, Any]],
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> pd.DataFrame:
    """Tag comments (``id``, ``text``, optional ``language``) with themes and sentiment.

    Texts are cleaned and PII-redacted first, as ingestion does, and comments without a
    language get one of ``languages``. Returns the tagged frame (the tag columns of
    :mod:`cxtext.schema`), one row per comment in order.
    """
    frame = prepare_comments(pd.DataFrame(comments), languages=languages)
    return tag_comments(frame, models)
