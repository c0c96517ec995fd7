"""Embedding cache and de-duplication, with the fake encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cxtext.embeddings import CachedEncoder, EmbeddingCache
from cxtext.embeddings.base import unique_texts
from cxtext.embeddings.cache import encoder_key
from tests.fakes import FakeEncoder


def test_unique_texts_inverse_rebuilds_the_input() -> None:
    texts = ["b", "a", "b", "c", "a"]
    uniques, inverse = unique_texts(texts)
    assert uniques == ["b", "a", "c"]
    assert [uniques[i] for i in inverse] == texts


def test_second_run_is_answered_from_disk(tmp_path: Path) -> None:
    texts = ["slow internet", "bill too high", "slow internet", "rude agent"]
    first = CachedEncoder(FakeEncoder(), EmbeddingCache(tmp_path / "cache.sqlite"))
    vectors = first.encode(texts)
    assert first.stats.encoded == 3  # the duplicate is encoded once
    assert first.stats.texts == 4
    first.cache.close()

    inner = FakeEncoder()
    second = CachedEncoder(inner, EmbeddingCache(tmp_path / "cache.sqlite"))
    again = second.encode([*texts, "new text"])
    assert inner.stats.encoded == 1
    assert second.stats.cache_hits == 3
    assert second.stats.texts == 5
    np.testing.assert_array_equal(again[:4], vectors)
    assert again.dtype == np.float32 and again.shape == (5, 64)


def test_encoders_never_share_entries(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    small, large = FakeEncoder(dim=16), FakeEncoder(dim=32)
    assert encoder_key(small.info) != encoder_key(large.info)
    CachedEncoder(small, cache).encode(["same text"])
    out = CachedEncoder(large, cache).encode(["same text"])
    assert out.shape == (1, 32)
    assert large.stats.encoded == 1
    assert cache.count() == 2


def test_empty_request(tmp_path: Path) -> None:
    encoder = CachedEncoder(FakeEncoder(), EmbeddingCache(tmp_path / "c.sqlite"))
    assert encoder.encode([]).shape == (0, 64)
