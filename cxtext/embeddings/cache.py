"""A persistent embedding cache keyed by (encoder key, text hash).

Re-running on the same comments must not re-encode them. Vectors live in one SQLite
file (standard library, safe for several reading processes, WAL journal) as raw float32
bytes; the key of an encoder hashes everything that changes its output (id, prompt,
window, dimension), so two encoders never share entries.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cxtext.embeddings.base import Encoder, EncoderInfo, EncodeStats, unique_texts

_LOOKUP_CHUNK = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    encoder_key TEXT NOT NULL,
    text_hash BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (encoder_key, text_hash)
) WITHOUT ROWID
"""


def encoder_key(info: EncoderInfo) -> str:
    """Stable key of everything in ``info`` that changes the vectors."""
    payload = json.dumps(
        [info.id, info.prompt, info.max_seq_length, info.dim, info.normalized]
    ).encode()
    return hashlib.sha256(payload).hexdigest()[:32]


def text_hash(text: str) -> bytes:
    """sha256 of the UTF-8 text (16 bytes are plenty for a cache key)."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:16]


class EmbeddingCache:
    """Vectors on disk, looked up by (encoder key, text hash)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, timeout=60)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(_SCHEMA)
        self._conn.commit()

    def get(self, key: str, texts: Sequence[str], dim: int) -> dict[int, np.ndarray]:
        """Return {position in texts: vector} for the texts already cached."""
        hashes = [text_hash(t) for t in texts]
        position = {h: i for i, h in enumerate(hashes)}
        found: dict[int, np.ndarray] = {}
        for start in range(0, len(hashes), _LOOKUP_CHUNK):
            chunk = hashes[start : start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT text_hash, vector FROM vectors WHERE encoder_key = ? "
                f"AND text_hash IN ({marks})",
                [key, *chunk],
            )
            for digest, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape[0] == dim:
                    found[position[digest]] = vector
        return found

    def put(self, key: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store float32 vectors of shape (len(texts), dim)."""
        rows = (
            (key, text_hash(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        )
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)

    def count(self, key: str | None = None) -> int:
        """Number of cached vectors, for one encoder key or all."""
        if key is None:
            return int(self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        query = "SELECT COUNT(*) FROM vectors WHERE encoder_key = ?"
        return int(self._conn.execute(query, [key]).fetchone()[0])

    def close(self) -> None:
        self._conn.close()


@dataclass
class CachedEncoder:
    """An :class:`Encoder` that consults an :class:`EmbeddingCache` before the model."""

    encoder: Encoder
    cache: EmbeddingCache

    @property
    def info(self) -> EncoderInfo:
        return self.encoder.info

    @property
    def stats(self) -> EncodeStats:
        return self.encoder.stats

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts, taking cached vectors where present and caching the rest.

        Returns
        -------
        np.ndarray
            float32 array of shape (len(texts), dim).
        """
        info = self.info
        key = encoder_key(info)
        uniques, inverse = unique_texts(texts)
        vectors = np.empty((len(uniques), info.dim), dtype=np.float32)
        cached = self.cache.get(key, uniques, info.dim)
        for i, vector in cached.items():
            vectors[i] = vector
        missing = [i for i in range(len(uniques)) if i not in cached]
        if missing:
            fresh = self.encoder.encode([uniques[i] for i in missing])
            vectors[missing] = fresh
            self.cache.put(key, [uniques[i] for i in missing], fresh)
        stats = self.encoder.stats
        # The inner encoder counted only the misses; account for the whole request here.
        stats.texts += len(texts) - len(missing)
        stats.cache_hits += len(cached)
        return vectors[inverse]


def cached_encoder(
    model: str = "default", *, cache_dir: Path, batch_size: int = 32
) -> CachedEncoder:
    """The encoder ``model`` (see :func:`load_encoder`) behind the persistent embedding
    cache ``cache_dir/embeddings.sqlite``."""
    from cxtext.embeddings.encoder import load_encoder

    return CachedEncoder(
        load_encoder(model, cache_dir=cache_dir, batch_size=batch_size),
        EmbeddingCache(cache_dir / "embeddings.sqlite"),
    )
