"""What every encoder is: the Encoder protocol, what a bundle records about an encoder,
its running counts, and de-duplication of the texts it is asked for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class EncoderInfo:
    """What a bundle records about the encoder that made its vectors."""

    id: str
    source: str
    dim: int
    normalized: bool
    prompt: str
    max_seq_length: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EncodeStats:
    """Running counts of one encoder's work.

    Attributes
    ----------
    texts
        Texts asked for, duplicates included.
    encoded
        Texts run through the model (after de-duplication and cache hits).
    cache_hits
        Texts answered from the persistent cache.
    over_window
        Encoded texts longer than the model's window; the model saw only their start.
    """

    texts: int = 0
    encoded: int = 0
    cache_hits: int = 0
    over_window: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@runtime_checkable
class Encoder(Protocol):
    """Anything that maps texts to L2-normalised float32 vectors."""

    @property
    def info(self) -> EncoderInfo: ...

    @property
    def stats(self) -> EncodeStats: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 vectors of shape (len(texts), info.dim), L2-normalised."""
        ...


def unique_texts(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """De-duplicate texts keeping first-seen order.

    Returns
    -------
    uniques, inverse
        ``uniques[inverse[i]] == texts[i]``; ``inverse`` has shape (n,).
    """
    index: dict[str, int] = {}
    inverse = np.fromiter(
        (index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts)
    )
    return list(index), inverse


def encode_each_once(
    texts: Sequence[str], encode_unique: Callable[[list[str]], np.ndarray], stats: EncodeStats
) -> np.ndarray:
    """Vectors of ``texts``, shape (len(texts), dim), with each distinct text encoded once
    by ``encode_unique``; ``stats.texts`` counts every text asked for."""
    stats.texts += len(texts)
    uniques, inverse = unique_texts(texts)
    vectors = encode_unique(uniques)
    return vectors[inverse] if len(texts) else vectors
