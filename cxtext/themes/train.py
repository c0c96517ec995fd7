"""Train a theme model on canonical comments, and tag comments with one.

Comments are split into clauses (sentences and contrastive joins), each clause is encoded
and gets a theme, and a comment carries all its clause themes. Non-answers ("n/a", "-",
"nothing") are kept out of discovery and stay unassigned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.embeddings import Encoder
from cxtext.sentiment.model import polarity
from cxtext.sentiment.scoring import add_sentiment_columns, clause_proba
from cxtext.themes.clauses import clause_table, encode_texts, theme_vectors
from cxtext.themes.config import SeedSpec, ThemeConfig, config_toml
from cxtext.themes.model import UNASSIGNED, Seed, ThemeModel
from cxtext.themes.polarity import DIRECTION_NAMES, polarity_signs

if TYPE_CHECKING:
    from cxtext.sentiment.model import SentimentModel
    from cxtext.sentiment.nps_group import NpsGroupModel

THEME_ID = schema.THEME_ID
THEME_LABEL = schema.THEME_LABEL
THEME_IDS = schema.THEME_IDS
PARENT_THEME_ID = schema.PARENT_THEME_ID
PARENT_THEME_LABEL = schema.PARENT_THEME_LABEL
UNASSIGNED_LABEL = "unassigned"


_POLARITY_SIGNS = {"negative": -1, "positive": 1, "any": 0}


def encode_seeds(
    encoder: Encoder, specs: Sequence[SeedSpec], sentiment: SentimentModel | None = None
) -> list[Seed]:
    """Encode the seeds' phrases; each phrase's language is identified.

    A seed without a configured polarity takes the direction its polar phrases share by
    the sentiment model when at least half its phrases are polar (complaint phrases make a
    complaint seed), else ``any``.
    """
    from cxtext.text.langid import detect_languages

    seeds = []
    for spec in specs:
        vectors = encoder.encode(list(spec.phrases))
        if spec.polarity is not None:
            direction = _POLARITY_SIGNS[spec.polarity]
        elif sentiment is not None:
            # Polar phrases that agree, and at least half the phrases polar.
            signs = polarity_signs(sentiment.polarity(vectors), len(vectors))
            polar = signs[signs != 0]
            agree = len(polar) and len(set(polar.tolist())) == 1 and 2 * len(polar) >= len(signs)
            direction = int(polar[0]) if agree else 0
        else:
            direction = 0
        seeds.append(Seed(spec.name, vectors, detect_languages(list(spec.phrases)), direction))
    return seeds


@dataclass
class TrainReport:
    """What a training run did, for the summary table and the manifest's metrics."""

    comments: int
    clauses: int
    non_answers: int  # comments without a single clause with content (empty, "n/a", "-")
    themes: int
    unassigned_share: float
    seed_threshold: float | None
    encode_seconds: float
    fit_seconds: float
    seed_polarities: dict[str, str] = field(default_factory=dict)  # "negative (inferred)"...
    split_by_polarity: bool = False  # whether clause sentiment kept each theme one-way

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def train_themes(
    frame: pd.DataFrame,
    encoder: Encoder,
    config: ThemeConfig,
    *,
    sentiment: SentimentModel | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[ThemeModel, TrainReport, pd.DataFrame]:
    """Fit a :class:`ThemeModel` on a canonical frame's comments.

    With ``sentiment`` (a model over the same encoder's vectors), clause sentiment keeps
    each theme to one direction (``split_polarity``) and gives seeds without a configured
    polarity theirs.

    Returns
    -------
    model, report, clauses
        The fitted model, a summary, and the clause table with ``theme_id`` per clause.
    """
    clauses = clause_table(frame, clause_level=config.clause_level)
    started = time.perf_counter()
    vectors = encode_texts(encoder, clauses["clause"].tolist(), on_progress)
    seeds = encode_seeds(encoder, config.seeds, sentiment)
    polarity = sentiment.polarity(vectors) if sentiment is not None and len(vectors) else None
    themed = theme_vectors(encoder, clauses, vectors, config.clause_context)
    encode_seconds = time.perf_counter() - started
    picks = None
    if config.use_problem_picks and config.seeds and "problem" in clauses.columns:
        names = {s.name.casefold(): s.name for s in config.seeds}
        picks = [
            names.get(str(p).strip().casefold()) if isinstance(p, str) else None
            for p in clauses["problem"]
        ]
    started = time.perf_counter()
    model = ThemeModel(**config.model_params()).fit(
        themed,
        languages=clauses["language"].tolist(),
        texts=clauses["clause"].tolist(),
        ids=clauses["comment_id"].tolist(),
        content=clauses["content"].to_numpy(),
        seeds=seeds,
        seed_labels=picks,
        polarity=polarity,
    )
    fit_seconds = time.perf_counter() - started
    clauses[THEME_ID] = model.labels_
    content = clauses["content"].to_numpy()
    with_content = clauses.loc[content, "row"].nunique()
    report = TrainReport(
        comments=len(frame),
        clauses=len(clauses),
        non_answers=len(frame) - with_content,
        themes=len(model.theme_ids_),
        unassigned_share=float((model.labels_[content] == UNASSIGNED).mean())
        if content.any()
        else 0.0,
        seed_threshold=None if np.isnan(model.seed_threshold_) else model.seed_threshold_,
        encode_seconds=round(encode_seconds, 2),
        fit_seconds=round(fit_seconds, 2),
        seed_polarities={
            seed.name: DIRECTION_NAMES[seed.polarity].replace("mixed", "any")
            + ("" if spec.polarity else " (inferred)")
            for seed, spec in zip(seeds, config.seeds, strict=True)
        },
        split_by_polarity=polarity is not None and config.split_polarity,
    )
    return model, report, clauses


def save_trained(
    model: ThemeModel,
    report: TrainReport,
    clauses: pd.DataFrame,
    config: ThemeConfig,
    *,
    encoder: dict[str, Any],
    models_dir: Path,
) -> Path:
    """Write a freshly trained model as the next version under ``models_dir`` (models/NAME).

    The manifest records the encoder, the fingerprint of the training clauses, the
    training report as metrics, and the config as used.
    """
    from cxtext.persistence import fingerprint, next_version
    from cxtext.themes.model import save_model

    version = next_version(models_dir)
    return save_model(
        model,
        models_dir / version,
        name=models_dir.name,
        version=version,
        encoder=encoder,
        data_fingerprint=fingerprint(clauses["comment_id"].tolist(), clauses["clause"].tolist()),
        metrics=report.to_dict(),
        config_toml=config_toml(config),
    )


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
    clauses[THEME_ID] = model.predict(
        vectors, languages=languages, content=content, polarity=polarity
    )
    clauses["parent"] = model.parent_of(clauses[THEME_ID].to_numpy())
    if len(clauses):
        clauses["confidence"] = model.transform(vectors, languages=languages).max(axis=1)
    else:
        clauses["confidence"] = pd.Series(dtype=float)
    assigned = clauses[clauses[THEME_ID] != UNASSIGNED]
    by_row = assigned.groupby("row", sort=False)
    all_ids = by_row[THEME_ID].agg(lambda s: list(dict.fromkeys(int(v) for v in s)))
    all_parents = by_row["parent"].agg(lambda s: list(dict.fromkeys(int(v) for v in s)))
    main = (
        assigned.sort_values("confidence", ascending=False, kind="stable")
        .drop_duplicates("row")
        .set_index("row")[THEME_ID]
    )
    per_clause = clauses.groupby("row", sort=False)
    clause_ids = per_clause[THEME_ID].agg(lambda s: [int(v) for v in s])
    clause_parents = per_clause["parent"].agg(lambda s: [int(v) for v in s])
    labels = {t["id"]: t["label"] for t in model.themes_}
    parents = {p["id"]: p["label"] for p in model.parent_themes_}
    n = len(frame)
    rows = pd.Series(np.arange(n))
    out = frame.copy()
    out[THEME_ID] = rows.map(main).fillna(UNASSIGNED).astype("int64").to_numpy()
    out[THEME_LABEL] = out[THEME_ID].map(labels).fillna(UNASSIGNED_LABEL)
    out[THEME_IDS] = [all_ids.get(i, []) for i in range(n)]
    out[schema.THEME_LABELS] = [[labels.get(t, str(t)) for t in ids] for ids in out[THEME_IDS]]
    out[PARENT_THEME_ID] = model.parent_of(out[THEME_ID].to_numpy())
    out[PARENT_THEME_LABEL] = out[PARENT_THEME_ID].map(parents).fillna(UNASSIGNED_LABEL)
    out[schema.PARENT_THEME_IDS] = [all_parents.get(i, []) for i in range(n)]
    out[schema.PARENT_THEME_LABELS] = [
        [parents.get(p, str(p)) for p in ids] for ids in out[schema.PARENT_THEME_IDS]
    ]
    out[schema.CLAUSE_THEME_IDS] = [clause_ids.get(i, []) for i in range(n)]
    out[schema.CLAUSE_PARENT_IDS] = [clause_parents.get(i, []) for i in range(n)]
    return out
