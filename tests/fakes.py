"""Deterministic stand-ins for slow parts, for fast unit tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cxtext.embeddings import EncoderInfo, EncodeStats

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class FakeEncoder:
    """Hashes lower-cased words into ``dim`` buckets with signs, then L2-normalises.

    Texts sharing words get similar vectors, so clustering tests behave sensibly; an
    empty text maps to a fixed unit vector.
    """

    dim: int = 64
    stats: EncodeStats = field(default_factory=EncodeStats)

    @property
    def info(self) -> EncoderInfo:
        return EncoderInfo(
            id="fake/hashing",
            source="tests",
            dim=self.dim,
            normalized=True,
            prompt="",
            max_seq_length=10_000,
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.stats.texts += len(texts)
        self.stats.encoded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        out[:, 0] = 1e-3
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def fake_sentiment_bundle(
    root: Path, encoder: FakeEncoder, texts: Sequence[str], labels: Sequence[str]
) -> Path:
    """Fit a sentiment model on fake-encoder vectors of labelled texts; save it as
    ``root/sentiment/v1`` and return ``root/sentiment``."""
    from cxtext.sentiment.model import SentimentModel, save_sentiment

    model = SentimentModel(C=100.0, calibration_share=0.25).fit(
        encoder.encode(list(texts) * 10), list(labels) * 10
    )
    save_sentiment(
        model,
        root / "sentiment" / "v1",
        name="sentiment",
        version="v1",
        encoder=encoder.info.to_dict(),
        model_card="# test sentiment\n",
    )
    return root / "sentiment"


PHRASES = [
    "the invoice was wrong again",
    "internet connection keeps dropping",
    "friendly helpful shop staff",
]


def fake_models(root: Path) -> dict[str, Path]:
    """Theme bundles v1 and v2 (``root/models/themes``) and a sentiment bundle, trained on
    fake-encoder vectors of three causes (:data:`PHRASES`)."""
    import pandas as pd

    from cxtext import schema
    from cxtext.themes.config import load_config
    from cxtext.themes.train import save_trained, train_themes

    encoder = FakeEncoder()
    texts = [f"{PHRASES[i % 3]} {['today', 'again', 'as usual'][i // 3 % 3]}" for i in range(90)]
    frame = pd.DataFrame(
        {schema.ID: [f"t{i}" for i in range(90)], schema.TEXT: texts, schema.LANGUAGE: "en"}
    )
    config = load_config(None, min_theme_size=8)
    model, report, clauses = train_themes(frame, encoder, config)
    themes = root / "models" / "themes"
    for _ in range(2):  # v1 and v2
        save_trained(
            model, report, clauses, config, encoder=encoder.info.to_dict(), models_dir=themes
        )
    sentiment = fake_sentiment_bundle(root, encoder, PHRASES, ["negative", "neutral", "positive"])
    return {"themes": themes, "sentiment": sentiment}


def fake_encoder_for(encoder_id: str) -> FakeEncoder:
    """The fake encoder whatever a bundle names (a picklable encoder factory)."""
    return FakeEncoder()
