"""Train a theme model on canonical comments (tagging with one: :mod:`cxtext.themes.tagging`).

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
from cxtext.themes.clauses import clause_table, encode_texts, theme_vectors
from cxtext.themes.config import SeedSpec, ThemeConfig, config_toml
from cxtext.themes.model import UNASSIGNED, Seed, ThemeModel
from cxtext.themes.polarity import DIRECTION_NAMES, polarity_signs
from cxtext.themes.stability import summary

if TYPE_CHECKING:
    from cxtext.sentiment.model import SentimentModel

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
    stability_seconds: float = 0.0  # of fit_seconds, the perturbed repeats
    # stability.summary, with "themes": {theme id: score, None when not measured}
    stability: dict[str, Any] = field(default_factory=dict)

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
    clauses[schema.THEME_ID] = model.labels_
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
        stability_seconds=round(model.stability_seconds_, 2),
        stability=summary(model.stability_, config.stability_runs)
        | {"themes": {str(t): s["score"] for t, s in model.stability_.items()}},
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
    from cxtext.themes.bundle import save_model

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
