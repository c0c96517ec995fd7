"""Synthetic multilingual vectors with known topics, and a model fitted on them once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from cxtext.themes.model import ThemeModel

TOPIC_WORDS = {
    0: ["invoice wrong", "factuur fout", "factura greșită"],
    1: ["internet slow", "internet traag", "internet lent"],
    2: ["agent rude", "medewerker onbeleefd", "angajat nepoliticos"],
    3: ["app crashes", "app crasht", "aplicația se blochează"],
}
LANGUAGES = ("en", "nl", "ro")


@dataclass
class Corpus:
    vectors: np.ndarray
    topics: np.ndarray
    languages: list[str]
    texts: list[str]
    ids: list[str]


def make_corpus(
    per_cell: int = 60, *, dim: int = 48, language_shift: float = 0.8, seed: int = 0
) -> Corpus:
    """Topic centres plus a strong per-language offset plus noise, L2-normalised."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(TOPIC_WORDS), dim))
    shifts = rng.normal(size=(len(LANGUAGES), dim)) * language_shift
    rows, topics, languages, texts = [], [], [], []
    for topic, phrases in TOPIC_WORDS.items():
        for lang_index, language in enumerate(LANGUAGES):
            for i in range(per_cell):
                rows.append(centres[topic] + shifts[lang_index] + rng.normal(scale=0.35, size=dim))
                topics.append(topic)
                languages.append(language)
                texts.append(f"{phrases[lang_index]} {['again', 'today', 'still'][i % 3]}")
    vectors = np.asarray(rows, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Corpus(
        vectors, np.asarray(topics), languages, texts, [f"c{i}" for i in range(len(rows))]
    )


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return make_corpus()


@pytest.fixture(scope="session")
def fitted(corpus: Corpus) -> ThemeModel:
    return ThemeModel(granularity=1.0, min_theme_size=10).fit(
        corpus.vectors, languages=corpus.languages, texts=corpus.texts, ids=corpus.ids
    )
