"""Clauses of comments and the vectors themes work on: the clause table, batched
encoding, and clause vectors with their comment as context."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.embeddings import Encoder
from cxtext.errors import DataValidationError
from cxtext.text.clauses import non_answer_mask, split_clauses_frame
from cxtext.text.clean import strip_addressing

ENCODE_BATCH = 512


def clause_table(frame: pd.DataFrame, *, clause_level: bool = True) -> pd.DataFrame:
    """Clauses of the canonical frame's minable comments.

    @handles, links and ``#`` signs are removed first (:func:`strip_addressing`).

    Returns
    -------
    DataFrame
        ``comment_id``, ``row`` (position of the comment in ``frame``), ``clause_index``,
        ``clause``, ``comment`` (the whole comment, as split), ``language``, ``content``
        (False for non-answers) and ``problem`` (the respondent's pick, when the frame has
        one).
    """
    for column in (schema.ID, schema.TEXT):
        if column not in frame.columns:
            raise DataValidationError(f"the comments have no {column!r} column")
    text = strip_addressing(frame[schema.TEXT].fillna("").astype(str))
    languages = (
        frame[schema.LANGUAGE].fillna(schema.UNDETERMINED_LANGUAGE).astype(str)
        if schema.LANGUAGE in frame.columns
        else pd.Series(schema.UNDETERMINED_LANGUAGE, index=frame.index)
    )
    rows = np.arange(len(frame))
    if clause_level:
        clauses = split_clauses_frame(rows, text, languages).rename(columns={"comment_id": "row"})
    else:
        clauses = pd.DataFrame({"row": rows, "clause_index": 0, "clause": text.to_numpy()})
        clauses = clauses[text.str.strip().to_numpy() != ""].reset_index(drop=True)
    row = clauses["row"].to_numpy(dtype=np.int64)
    clauses.insert(0, "comment_id", frame[schema.ID].astype(str).to_numpy()[row])
    clauses["comment"] = text.to_numpy()[row]
    clauses["language"] = languages.to_numpy()[row]
    if schema.PROBLEM in frame.columns:
        clauses["problem"] = frame[schema.PROBLEM].to_numpy()[row]
    whole = non_answer_mask(text)
    clauses["content"] = ~non_answer_mask(clauses["clause"]) & ~whole[row]
    return clauses


def encode_texts(
    encoder: Encoder, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
) -> np.ndarray:
    """Vectors (n, d) of ``texts``, encoded in batches with progress callbacks."""
    parts = []
    for start in range(0, len(texts), ENCODE_BATCH):
        parts.append(encoder.encode(list(texts[start : start + ENCODE_BATCH])))
        if on_progress:
            on_progress(min(start + ENCODE_BATCH, len(texts)))
    if not parts:
        return np.zeros((0, encoder.info.dim), dtype=np.float32)
    return np.vstack(parts)


def theme_vectors(
    encoder: Encoder, clauses: pd.DataFrame, vectors: np.ndarray, weight: float
) -> np.ndarray:
    """The vectors themes are found and assigned on: a clause's own vector plus ``weight``
    times its whole comment's, renormalised, in comments of several clauses.

    A clause cut from its comment often leans on the rest ("I ordered it 2 weeks ago!",
    "Can you explain?"); the comment's vector carries what it is about, while the clause's
    own vector keeps apart two causes in one comment. Single-clause comments keep their
    vector, so only comments of several clauses are encoded again (cached like any text).
    Measured on Banking77 through train + tag (3,000 / 10,003 rows): NMI 0.750 / 0.758 with
    weight 1, 0.711 / 0.693 with 0.
    """
    if weight <= 0 or not len(clauses):
        return vectors
    row = clauses["row"].to_numpy(dtype=np.int64)
    multi = np.bincount(row)[row] > 1
    if not multi.any():
        return vectors
    _, first, inverse = np.unique(row[multi], return_index=True, return_inverse=True)
    whole = encode_texts(encoder, clauses["comment"].to_numpy()[multi][first].tolist())
    out = vectors.copy()
    out[multi] = vectors[multi] + np.float32(weight) * whole[inverse]
    out[multi] /= np.linalg.norm(out[multi], axis=1, keepdims=True)
    return out
