"""Discovery: UMAP to a few dimensions, then a Ward tree cut relative to the data size
(:mod:`cxtext.themes.model`, step 3, says why)."""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np

from cxtext.schema import UNASSIGNED

# Ward cut in UMAP space at granularity 1 for REFERENCE_ROWS vectors; it scales with
# sqrt(n) (see cxtext.themes.model and training/benchmarks/themes.py).
WARD_CUT = 4.5
REFERENCE_ROWS = 3000
# Below this many vectors UMAP computes exact neighbours (above it, pynndescent's).
_EXACT_KNN_ROWS = 4096


def discover(
    Z: np.ndarray,
    *,
    n_neighbors: int,
    n_components: int,
    granularity: float,
    min_size: int,
    random_state: int,
) -> np.ndarray:
    """Cluster vectors; labels 0..k-1 by size, -1 for members of clusters smaller than
    ``min_size`` (dissolved)."""
    import umap
    from sklearn.cluster import AgglomerativeClustering

    n = len(Z)
    if n < 2 * min_size:
        return np.full(n, UNASSIGNED, dtype=np.int64)
    _cache_umap_kernels()
    neighbors = min(n_neighbors, n - 1)
    reducer = umap.UMAP(
        n_neighbors=neighbors,
        n_components=n_components,
        min_dist=0.0,
        metric="cosine",
        init="pca",  # the default spectral start (ARPACK) differs between processes
        random_state=random_state,
        n_jobs=1,  # a fixed random_state makes UMAP single-threaded anyway
        precomputed_knn=_exact_neighbors(Z, neighbors) if n < _EXACT_KNN_ROWS else (None,) * 3,
    )
    with warnings.catch_warnings():
        # UMAP warns that a fixed random_state means one thread, and that neighbours
        # given without a search index cannot transform new data: both intended.
        warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*knn_search_index", category=UserWarning)
        low = reducer.fit_transform(Z)
    cut = WARD_CUT * granularity * np.sqrt(max(n, REFERENCE_ROWS) / REFERENCE_ROWS)
    raw = AgglomerativeClustering(
        n_clusters=None, distance_threshold=cut, linkage="ward"
    ).fit_predict(low)
    sizes = np.bincount(raw)
    keep = np.flatnonzero(sizes >= min_size)
    relabel = np.full(len(sizes), UNASSIGNED, dtype=np.int64)
    order = keep[np.argsort(-sizes[keep], kind="stable")]
    relabel[order] = np.arange(len(order))
    return relabel[raw]


@cache
def _cache_umap_kernels() -> None:
    """Let numba keep UMAP's kernels compiled on disk, as pynndescent does with its own.

    umap-learn compiles them without ``cache=True``: 11-12 s of CPU in every process that
    fits a model, most of a small fit (360 vectors: 12.4 s, 1.2 s with the kernels loaded
    back). numba stores them beside umap's sources (or under ``NUMBA_CACHE_DIR``) and
    compiles again when those change. The same machine code, so the same embedding.
    """
    import umap.distances
    import umap.layouts
    import umap.umap_
    import umap.utils

    for kernel in (
        umap.utils.fast_knn_indices,  # exact neighbours below 4,096 vectors
        umap.distances.cosine,
        umap.umap_.smooth_knn_dist,
        umap.umap_.compute_membership_strengths,
        umap.layouts._nb_optimize_layout_euclidean_single_epoch,  # the serial layout
    ):
        if hasattr(kernel, "enable_caching"):  # a plain function under NUMBA_DISABLE_JIT
            kernel.enable_caching()


def _exact_neighbors(Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, None]:
    """Each row's ``k`` nearest rows by cosine distance (itself first), for UMAP.

    UMAP finds them itself below 4,096 rows by handing its compiled cosine to
    scikit-learn's ``pairwise_distances``, which calls it once per pair from Python: 22 of
    the 26 s of a 3,000-row discovery. One matrix product gives the same neighbours.
    """
    distances = np.clip(1.0 - Z @ Z.T, 0.0, None)
    np.fill_diagonal(distances, 0.0)
    rows = np.arange(len(Z))[:, None]
    nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
    # Ties broken by row number, so the neighbours never depend on the partition's order.
    order = np.lexsort((nearest, distances[rows, nearest]), axis=1)
    nearest = nearest[rows, order]
    return nearest.astype(np.int32), distances[rows, nearest].astype(np.float32), None
