"""What the training scripts and the benchmarks share: the default encoder behind the
persistent embedding cache, chunked encoding with progress lines, and result files."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
ENCODE_CHUNK = 512


def default_encoder(model: str = "default") -> Any:
    """The encoder ``model`` (the project's default unless named) behind its persistent
    embedding cache (``CXTEXT_CACHE_DIR`` or ``~/.cache/cxtext``)."""
    from cxtext.embeddings import cached_encoder

    cache = Path(os.environ.get("CXTEXT_CACHE_DIR", Path.home() / ".cache" / "cxtext"))
    return cached_encoder(model, cache_dir=cache)


def encode(encoder: Any, texts: Sequence[str], name: str) -> np.ndarray:
    """Vectors of ``texts``, shape (n, d), encoded in chunks with progress lines."""
    started = time.perf_counter()
    parts = []
    for start in range(0, len(texts), ENCODE_CHUNK):
        parts.append(encoder.encode(list(texts[start : start + ENCODE_CHUNK])))
        done = min(start + ENCODE_CHUNK, len(texts))
        if done == len(texts) or (start // ENCODE_CHUNK) % 5 == 4:
            print(f"  encode {name}: {done:,}/{len(texts):,}", flush=True)
    X = np.vstack(parts).astype(np.float32) if parts else np.zeros((0, encoder.info.dim))
    print(f"  encode {name}: {time.perf_counter() - started:.1f} s", flush=True)
    return X


def write_result(path: Path, result: dict[str, Any]) -> None:
    """Write a benchmark's result as indented JSON (non-ASCII kept) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")
