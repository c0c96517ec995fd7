"""The work of one chunk of a batch tagging job, the same on every engine.

:func:`tag_chunk` prepares a chunk's texts, tags it with the serving models
(:mod:`cxtext.pipeline`) and writes it as one Parquet part, atomically. The models load
once per process (:func:`serving_models`), so a Dask worker loads them on its first
chunk and keeps them.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxtext import schema
from cxtext.embeddings import Encoder, cached_encoder
from cxtext.io.prepare import fill_languages, prepare_texts
from cxtext.persistence import replacing, resolve_bundle
from cxtext.pipeline import ServingModels, load_serving_models, tag_comments
from cxtext.schema import DEFAULT_LANGUAGES
from cxtext.themes.model import UNASSIGNED


@dataclass(frozen=True)
class TagSpec:
    """What every chunk of a job is tagged with; sent to every worker, so it is small and
    picklable.

    Attributes
    ----------
    model
        A theme bundle or ``models/NAME`` (its active version).
    sentiment
        A sentiment bundle; None: the shipped one for the theme model's encoder.
    cache_dir
        Where encoders are built and the embedding cache lives (on each worker).
    languages
        ISO 639-1 codes language id picks from for rows without a language.
    encoder_factory
        Builds the encoder a bundle names from its id; None: the persistent-cache encoder
        under ``cache_dir``. Must be picklable for the Dask engine.
    threads
        CPU threads for the encoder in each worker; None leaves the runtime's default.
    runtime
        ``trained``, ``fp32`` or ``int8``: which runtime of the default model encodes
        (:func:`cxtext.embeddings.runtimes.tagging_encoder`); chosen once for the job, so
        no two workers tag with different ones.
    """

    model: Path
    sentiment: Path | None
    cache_dir: Path
    languages: tuple[str, ...] = tuple(DEFAULT_LANGUAGES)
    encoder_factory: Callable[[str], Encoder] | None = None
    threads: int | None = None
    runtime: str = "trained"


@dataclass(frozen=True)
class ChunkDone:
    """A finished chunk: its part file and counts."""

    index: int
    part: str
    rows: int
    unassigned: int
    seconds: float


_LOADED: dict[tuple[TagSpec, Path], ServingModels] = {}
_LOADING = threading.Lock()


def serving_models(spec: TagSpec) -> ServingModels:
    """The serving models of ``spec``, loaded once per process (again when a new version
    of ``models/NAME`` appears)."""
    key = (spec, resolve_bundle(spec.model))
    with _LOADING:
        if key not in _LOADED:
            if spec.threads:
                import torch

                torch.set_num_threads(spec.threads)
            factory = spec.encoder_factory or functools.partial(
                cached_encoder, cache_dir=spec.cache_dir
            )
            _LOADED[key] = load_serving_models(
                key[1],
                factory,
                sentiment_path=spec.sentiment,
                runtime=spec.runtime,
                cache_dir=spec.cache_dir,
            )
        return _LOADED[key]


def tag_chunk(
    spec: TagSpec,
    chunk: pd.DataFrame,
    index: int,
    part: Path,
    *,
    prepare: bool,
    columns: list[str] | None = None,
) -> ChunkDone:
    """Tag one chunk and write it to ``part`` (atomically: a killed worker leaves no
    half-written part).

    Parameters
    ----------
    chunk
        Canonical rows; their texts as read when ``prepare``, else already prepared (a
        missing language is still identified).
    index
        The chunk's place in the job.
    columns
        The input columns' order after preparing (that of an ingested file).
    """
    started = time.perf_counter()
    models = serving_models(spec)
    if prepare:
        frame = prepare_texts(chunk, languages=spec.languages)
        if columns is not None:
            frame = frame[columns + [c for c in frame.columns if c not in columns]]
    else:
        frame = fill_languages(chunk, spec.languages)
    tagged = tag_comments(frame.reset_index(drop=True), models)
    with replacing(part) as partial:
        tagged.to_parquet(partial, index=False)
    return ChunkDone(
        index=index,
        part=part.name,
        rows=len(tagged),
        unassigned=int((tagged[schema.THEME_ID] == UNASSIGNED).sum()),
        seconds=round(time.perf_counter() - started, 3),
    )
