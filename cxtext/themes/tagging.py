"""Tag comments with a theme model: clause themes, the comment's main theme and its
parents, then clause and comment sentiment (:mod:`cxtext.sentiment.scoring`).

Comments are split into clauses (sentences and contrastive joins), each clause is encoded
and gets a theme, and a comment carries all its clause themes. Non-answers stay
unassigned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.embeddings import Encoder
from cxtext.sentiment.model import polarity
from cxtext.sentiment.scoring import add_sentiment_columns, clause_proba
from cxtext.themes.clauses import clause_table, encode_texts, theme_vectors
from cxtext.themes.model import UNASSIGNED, ThemeModel

if TYPE_CHECKING:
    from cxtext.sentiment.model import SentimentModel
    from cxtext.sentiment.nps_group import NpsGroupModel

UNASSIGNED_LABEL = "unassigned"


def tag_frame(
    frame: pd.DataFrame,
    model: ThemeModel,
    encoder: Encoder,
    *,
    sentiment: SentimentModel | None = None,
    nps_model: NpsGroupModel | None = None,
    clause_level: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Add theme (and sentiment) columns to a canonical frame, one row per input row.

    Adds ``theme_id`` (the comment's main theme: its most confident clause's, -1 when
    none), ``theme_label``, ``theme_ids`` / ``theme_labels`` (all clause themes, in clause
    order, no repeats), ``parent_theme_id``, ``parent_theme_label``, ``parent_theme_ids``
    / ``parent_theme_labels``, and per clause ``clause_theme_ids`` / ``clause_parent_ids``
    (-1 unassigned). With ``sentiment``: ``sentiment``, ``sentiment_label``,
    ``clause_sentiments`` and ``nps_group`` (from ``nps_score`` when the frame has one);
    with ``nps_model`` too: ``predicted_nps_group`` (see :mod:`cxtext.sentiment.scoring`).
    """
    clauses = clause_table(frame, clause_level=clause_level)
    vectors = encode_texts(encoder, clauses["clause"].tolist(), on_progress)
    themed = theme_vectors(encoder, clauses, vectors, model.clause_context)
    if sentiment is None:
        return _theme_columns(frame, clauses, themed, model, None)
    proba = clause_proba(sentiment, vectors)  # once: it sets theme directions and sentiment
    out = _theme_columns(frame, clauses, themed, model, polarity(proba, sentiment.classes_))
    return add_sentiment_columns(out, clauses, vectors, sentiment, nps_model, proba)


def _theme_columns(
    frame: pd.DataFrame,
    clauses: pd.DataFrame,
    vectors: np.ndarray,
    model: ThemeModel,
    polarity: np.ndarray | None,
) -> pd.DataFrame:
    languages = clauses["language"].tolist()
    content = clauses["content"].to_numpy()
    clauses[schema.THEME_ID] = model.predict(
        vectors, languages=languages, content=content, polarity=polarity
    )
    clauses["parent"] = model.parent_of(clauses[schema.THEME_ID].to_numpy())
    if len(clauses):
        clauses["confidence"] = model.transform(vectors, languages=languages).max(axis=1)
    else:
        clauses["confidence"] = pd.Series(dtype=float)
    assigned = clauses[clauses[schema.THEME_ID] != UNASSIGNED]
    by_row = assigned.groupby("row", sort=False)
    all_ids = by_row[schema.THEME_ID].agg(lambda s: list(dict.fromkeys(int(v) for v in s)))
    all_parents = by_row["parent"].agg(lambda s: list(dict.fromkeys(int(v) for v in s)))
    main = (
        assigned.sort_values("confidence", ascending=False, kind="stable")
        .drop_duplicates("row")
        .set_index("row")[schema.THEME_ID]
    )
    per_clause = clauses.groupby("row", sort=False)
    clause_ids = per_clause[schema.THEME_ID].agg(lambda s: [int(v) for v in s])
    clause_parents = per_clause["parent"].agg(lambda s: [int(v) for v in s])
    labels = {t["id"]: t["label"] for t in model.themes_}
    parents = {p["id"]: p["label"] for p in model.parent_themes_}
    n = len(frame)
    rows = pd.Series(np.arange(n))
    out = frame.copy()
    out[schema.THEME_ID] = rows.map(main).fillna(UNASSIGNED).astype("int64").to_numpy()
    out[schema.THEME_LABEL] = out[schema.THEME_ID].map(labels).fillna(UNASSIGNED_LABEL)
    out[schema.THEME_IDS] = [all_ids.get(i, []) for i in range(n)]
    out[schema.THEME_LABELS] = [
        [labels.get(t, str(t)) for t in ids] for ids in out[schema.THEME_IDS]
    ]
    out[schema.PARENT_THEME_ID] = model.parent_of(out[schema.THEME_ID].to_numpy())
    out[schema.PARENT_THEME_LABEL] = (
        out[schema.PARENT_THEME_ID].map(parents).fillna(UNASSIGNED_LABEL)
    )
    out[schema.PARENT_THEME_IDS] = [all_parents.get(i, []) for i in range(n)]
    out[schema.PARENT_THEME_LABELS] = [
        [parents.get(p, str(p)) for p in ids] for ids in out[schema.PARENT_THEME_IDS]
    ]
    out[schema.CLAUSE_THEME_IDS] = [clause_ids.get(i, []) for i in range(n)]
    out[schema.CLAUSE_PARENT_IDS] = [clause_parents.get(i, []) for i in range(n)]
    return out
