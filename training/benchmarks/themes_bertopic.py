"""Real BERTopic (the ``bench`` extra pins it) on the vectors of the project's encoder.

BERTopic gets the very vectors cxtext's encoder gives the raw texts (from the persistent
embedding cache), its default UMAP (5-d, cosine, 15 neighbours, min_dist 0) with
``random_state`` fixed so that runs repeat, and its default HDBSCAN
(``min_cluster_size=10``) and c-TF-IDF. Zero-shot topics are embedded by the same encoder.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

SEED = 0


def _embedder(encoder: Any) -> Any:
    """The project's encoder as a BERTopic embedding backend (for zero-shot topic names)."""
    from bertopic.backend import BaseEmbedder

    class CxtextEmbedder(BaseEmbedder):  # type: ignore[misc]
        def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
            return np.asarray(encoder.encode(list(documents)), dtype=np.float32)

    return CxtextEmbedder()


def _umap() -> Any:
    from umap import UMAP

    # BERTopic 0.17's default UMAP, with random_state fixed (it also turns off the
    # parallel, non-deterministic neighbour search).
    return UMAP(
        n_neighbors=15,
        n_components=5,
        min_dist=0.0,
        metric="cosine",
        low_memory=False,
        random_state=SEED,
    )


def fit(
    docs: Sequence[str],
    X: np.ndarray,
    *,
    encoder: Any = None,
    zeroshot: Sequence[str] | None = None,
    reduce: Sequence[str] = ("embeddings",),
    min_similarity: float = 0.7,
) -> dict[str, Any]:
    """Fit BERTopic on ``docs`` with the precomputed vectors ``X``.

    Returns ``labels`` (-1 = outlier), ``seconds``, ``model``, and per strategy in
    ``reduce`` the labels after ``reduce_outliers`` (``reduced_<strategy>``) with its
    seconds. ``zeroshot``: BERTopic's ``zeroshot_topic_list`` (default
    ``zeroshot_min_similarity`` 0.7); ``zeroshot_index`` then maps each topic id to the
    index of its zero-shot name (absent: a discovered topic).
    """
    from bertopic import BERTopic

    params: dict[str, Any] = {"umap_model": _umap()}
    if zeroshot is not None:
        params |= {
            "zeroshot_topic_list": list(zeroshot),
            "zeroshot_min_similarity": min_similarity,
            "embedding_model": _embedder(encoder),
        }
    model = BERTopic(**params)
    started = time.perf_counter()
    topics, _ = model.fit_transform(list(docs), embeddings=X)
    seconds = time.perf_counter() - started
    labels = np.asarray(topics, dtype=np.int64)
    out: dict[str, Any] = {"labels": labels, "seconds": seconds, "model": model}
    if zeroshot is not None:
        index = {int(k): int(v) for k, v in model._topic_id_to_zeroshot_topic_idx.items()}
        out["zeroshot_all_matched"] = not index
        if not index:
            # Every document passed the similarity: BERTopic 0.17.4 then skips clustering
            # and keeps no topic -> zero-shot name mapping (its topics are the names'
            # indices renumbered by size). Recover it from the same argmax BERTopic took.
            names = np.asarray(model.embedding_model.embed(list(zeroshot)), dtype=np.float32)
            names /= np.linalg.norm(names, axis=1, keepdims=True)
            unit = X / np.linalg.norm(X, axis=1, keepdims=True)
            nearest = (unit @ names.T).argmax(axis=1)
            for topic in np.unique(labels):
                index[int(topic)] = int(np.bincount(nearest[labels == topic]).argmax())
        out["zeroshot_index"] = index
    for strategy in reduce:
        if not (labels < 0).any():
            out[f"reduced_{strategy}"] = labels.copy()
            out[f"reduced_{strategy}_seconds"] = 0.0
            continue
        started = time.perf_counter()
        extra = {"embeddings": X} if strategy == "embeddings" else {}
        reduced = model.reduce_outliers(list(docs), list(labels), strategy=strategy, **extra)
        out[f"reduced_{strategy}"] = np.asarray(reduced, dtype=np.int64)
        out[f"reduced_{strategy}_seconds"] = time.perf_counter() - started
    return out


def topic_names(model: Any, *, top: int = 8) -> list[dict[str, Any]]:
    """The largest topics' names and keywords, for reading beside cxtext's labels."""
    info = model.get_topic_info()
    rows = []
    for _, row in info[info["Topic"] >= 0].head(top).iterrows():
        words = [w for w, _ in (model.get_topic(int(row["Topic"])) or [])][:6]
        rows.append(
            {
                "id": int(row["Topic"]),
                "size": int(row["Count"]),
                "label": str(row["Name"]),
                "keywords": words,
            }
        )
    return rows
