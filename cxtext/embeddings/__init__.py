"""Sentence encoders: the Encoder protocol, the offline default model, a persistent cache."""

from cxtext.embeddings.base import Encoder, EncoderInfo, EncodeStats
from cxtext.embeddings.cache import CachedEncoder, EmbeddingCache, cached_encoder
from cxtext.embeddings.default_model import DEFAULT_ENCODER_ID, build_default_encoder
from cxtext.embeddings.encoder import DEFAULT_MODEL, SentenceTransformerEncoder, load_encoder
from cxtext.embeddings.onnx_int8 import (
    INT8_ENCODER_ID,
    INT8_MODEL,
    OnnxInt8Encoder,
    build_int8_encoder,
    load_int8_encoder,
)

__all__ = [
    "DEFAULT_ENCODER_ID",
    "DEFAULT_MODEL",
    "INT8_ENCODER_ID",
    "INT8_MODEL",
    "CachedEncoder",
    "EmbeddingCache",
    "EncodeStats",
    "Encoder",
    "EncoderInfo",
    "OnnxInt8Encoder",
    "SentenceTransformerEncoder",
    "build_default_encoder",
    "build_int8_encoder",
    "cached_encoder",
    "load_encoder",
    "load_int8_encoder",
]
