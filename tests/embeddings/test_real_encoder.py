"""The default multilingual encoder, rebuilt offline, on small real inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cxtext.embeddings import SentenceTransformerEncoder
from cxtext.embeddings.default_model import DEFAULT_ENCODER_ID, verify_folder

pytestmark = pytest.mark.integration

SAME_COMPLAINT = [
    "My bill was charged twice this month.",
    "Mijn rekening is deze maand twee keer afgeschreven.",
    "Mi factura se cobró dos veces este mes.",
    "Minha fatura foi cobrada duas vezes este mês.",
    "تم خصم فاتورتي مرتين هذا الشهر.",
]
OTHER = "The technician installed the router quickly and was very friendly."


def test_vectors_are_unit_float32_with_the_declared_shape(
    real_encoder: SentenceTransformerEncoder,
) -> None:
    info = real_encoder.info
    assert info.id == DEFAULT_ENCODER_ID and info.dim == 384 and info.prompt == "query: "
    vectors = real_encoder.encode(["hello", "hello", "bonjour"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[1])


def test_the_prompt_is_applied(real_encoder: SentenceTransformerEncoder) -> None:
    ours = real_encoder.encode(["late delivery"])
    raw = real_encoder.model.encode(["query: late delivery"], prompt="", normalize_embeddings=True)
    bare = real_encoder.model.encode(["late delivery"], prompt="", normalize_embeddings=True)
    assert float(ours[0] @ raw[0]) > 0.9999
    assert float(ours[0] @ bare[0]) < 0.999


def test_translations_are_closer_than_another_topic(
    real_encoder: SentenceTransformerEncoder,
) -> None:
    vectors = real_encoder.encode([*SAME_COMPLAINT, OTHER])
    sims = vectors[:-1] @ vectors[:-1].T
    off_topic = vectors[:-1] @ vectors[-1]
    lowest_translation = sims[np.triu_indices(len(SAME_COMPLAINT), 1)].min()
    assert lowest_translation > off_topic.max()


def test_texts_over_the_window_are_counted(real_encoder: SentenceTransformerEncoder) -> None:
    before = real_encoder.stats.over_window
    real_encoder.encode(["word " * 700, "short text"])
    assert real_encoder.stats.over_window == before + 1


def test_built_folder_passes_full_verification(encoder_folder: Path) -> None:
    manifest = verify_folder(encoder_folder, full=True)
    assert manifest["agreement_min_cosine"] >= 0.999
