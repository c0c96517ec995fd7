"""Sentence encoders: the Encoder protocol, the offline default model, a persistent cache."""

from cxtext.embeddings.cache import CachedEncoder, EmbeddingCache, cached_encoder
from cxtext.embeddings.default_model import DEFAULT_ENCODER_ID, build_default_encoder
from cxtext.embeddings.encoder import (
    DEFAULT_MODEL,
    Encoder,
    EncoderInfo,
    EncodeStats,
    SentenceTransformerEncoder,
    load_encoder,
)

__all__ = [
    "DEFAULT_ENCODER_ID",
    "DEFAULT_MODEL",
    "CachedEncoder",
    "EmbeddingCache",
    "EncodeStats",
    "Encoder",
    "EncoderInfo",
    "SentenceTransformerEncoder",
    "build_default_encoder",
    "cached_encoder",
    "load_encoder",
]
