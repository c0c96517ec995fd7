"""Scale section of the theme benchmark: fit seconds and peak memory on ~100k vectors.

This section calls ``ThemeModel.fit`` directly on vectors (the library, NOT the
``cxtext train`` path: no clause splitting, no sentiment, no bundle), beside a
BERTopic-style clustering (UMAP 5-d + scikit-learn's HDBSCAN, no c-TF-IDF), each in a
fresh process.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

SEED = 0
GOALS = {"fit_seconds": ("<=", 120.0), "peak_rss_gib": ("<=", 4.0)}


def fit_theme_model(X: np.ndarray, languages: Sequence[str], **kwargs: Any) -> tuple[Any, float]:
    """Fit a ThemeModel; ``kwargs`` split into model params and fit params."""
    from cxtext.themes.model import ThemeModel

    fit_keys = {"texts", "ids", "content", "seeds", "seed_labels"}
    fit_params = {k: v for k, v in kwargs.items() if k in fit_keys}
    params = {k: v for k, v in kwargs.items() if k not in fit_keys}
    started = time.perf_counter()
    model = ThemeModel(random_state=SEED, **params).fit(X, languages=languages, **fit_params)
    return model, time.perf_counter() - started


def bertopic_style(X: np.ndarray, *, verbose: bool = False) -> tuple[np.ndarray, dict[str, float]]:
    """BERTopic's default clustering: UMAP to 5-d (cosine), then HDBSCAN (euclidean).

    Returns labels (-1 = outlier) and the seconds of each step.
    """
    import umap
    from sklearn.cluster import HDBSCAN

    started = time.perf_counter()
    low = umap.UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED
    ).fit_transform(X)
    umap_s = time.perf_counter() - started
    if verbose:
        print(f"    baseline UMAP done in {umap_s:.1f} s", flush=True)
    started = time.perf_counter()
    labels = HDBSCAN(min_cluster_size=10, metric="euclidean", n_jobs=-1).fit_predict(low)
    hdbscan_s = time.perf_counter() - started
    if verbose:
        print(f"    baseline HDBSCAN done in {hdbscan_s:.1f} s", flush=True)
    return labels.astype(np.int64), {"umap_seconds": umap_s, "hdbscan_seconds": hdbscan_s}


def warm_up_numba() -> float:
    """Compile UMAP's numba kernels once so that timed fits measure the fit alone.

    5,000 rows: from 4,096 rows on, UMAP finds neighbours with pynndescent, whose kernels
    compile on first use too.
    """
    import umap

    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    umap.UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED
    ).fit_transform(rng.normal(size=(5000, 8)).astype(np.float32))
    return time.perf_counter() - started


def peak_rss_kib() -> int:
    """Peak resident memory of this process in KiB.

    Linux's ``VmHWM`` belongs to the current address space; ``ru_maxrss`` is kept across
    exec, so a spawned child would report at least its parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _scale_worker(kind: str, path: str, conn: Any) -> None:
    """Fit one method on the vectors in ``path`` in this fresh process; send the figures."""
    warm_up_s = warm_up_numba()
    X = np.load(path)
    rss_before = peak_rss_kib()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    if kind == "cxtext":
        model, _ = fit_theme_model(X, ["en"] * len(X))
        labels = model.labels_
    else:
        labels, timings = bertopic_style(X, verbose=True)
    seconds = time.perf_counter() - started
    conn.send(
        {
            "fit_seconds": seconds,
            "warm_up_seconds": warm_up_s,
            "rss_before_fit_kib": rss_before,
            "peak_rss_kib": peak_rss_kib(),
            "labels": labels.astype(np.int32),
            **timings,
        }
    )
    conn.close()


def run_isolated(kind: str, path: Path, timeout: float) -> dict[str, Any] | None:
    """Run :func:`_scale_worker` in a spawned process; ``None`` when it ran past ``timeout``."""
    ctx = mp.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_scale_worker, args=(kind, str(path), send))
    process.start()
    send.close()
    result = receive.recv() if receive.poll(timeout) else None
    if result is None:
        process.terminate()
    process.join()
    if result is None and process.exitcode not in (0, None, -15):
        raise RuntimeError(f"{kind} scale run failed with exit code {process.exitcode}")
    return result


def noisy_copies(X: np.ndarray, copies: int, scale: float = 0.02) -> np.ndarray:
    """``copies`` copies of ``X`` with N(0, scale) noise per dimension, re-normalised."""
    rng = np.random.default_rng(SEED)
    parts = []
    for _ in range(copies):
        noisy = X + rng.normal(0.0, scale, size=X.shape).astype(np.float32)
        parts.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    return np.vstack(parts).astype(np.float32)


def section_scale(
    vectors: np.ndarray, categories: np.ndarray, *, copies: int, timeout: float
) -> dict[str, Any]:
    """Fit seconds and peak RSS on ``copies`` noisy copies of ``vectors`` (Banking77's),
    each method in a fresh process."""
    from sklearn.metrics import normalized_mutual_info_score

    X = noisy_copies(vectors, copies)
    truth = np.tile(categories, copies)
    print(f"  {len(X):,} vectors ({copies} noisy copies, sigma 0.02 per dimension)")
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.npy"
        np.save(path, X)
        for kind, name in (
            ("cxtext", "ThemeModel.fit default"),
            ("baseline", "BERTopic-style"),
        ):
            print(f"  {name}: fitting in a fresh process ...", flush=True)
            result = run_isolated(kind, path, timeout)
            if result is None:
                runs[name] = {"fit_seconds": None, "status": f"> {timeout / 60:g} min (stopped)"}
                print(f"  {name}: stopped after {timeout:.0f} s", flush=True)
                continue
            labels = result.pop("labels")
            figures = {
                "fit_seconds": round(result.pop("fit_seconds"), 1),
                "peak_rss_gib": round(result["peak_rss_kib"] / 2**20, 2),
                "rss_before_fit_gib": round(result["rss_before_fit_kib"] / 2**20, 2),
                "fit_rss_delta_gib": round(
                    (result["peak_rss_kib"] - result["rss_before_fit_kib"]) / 2**20, 2
                ),
                "k": len(np.unique(labels[labels >= 0])),
                "unassigned": round(float((labels < 0).mean()), 4),
                "nmi": round(float(normalized_mutual_info_score(truth, labels)), 4),
                "status": "done",
            }
            figures |= {k: round(v, 1) for k, v in result.items() if k.endswith("_seconds")}
            runs[name] = figures
            print(
                f"  {name}: {figures['fit_seconds']:.1f} s, peak RSS "
                f"{figures['peak_rss_gib']:.2f} GiB (+{figures['fit_rss_delta_gib']:.2f} "
                f"in the fit), k {figures['k']}, unassigned {figures['unassigned']:.1%}, "
                f"NMI {figures['nmi']:.3f} (JIT warm-up {figures['warm_up_seconds']:.0f} s "
                "before the fit)",
                flush=True,
            )
    ours = runs["ThemeModel.fit default"]
    theirs = runs["BERTopic-style"]
    ratio: float | str | None = None
    if ours["fit_seconds"]:
        if theirs["fit_seconds"] is None:
            ratio = f"> {timeout / ours['fit_seconds']:.1f}"
        else:
            ratio = round(theirs["fit_seconds"] / ours["fit_seconds"], 1)
    print(f"  baseline / cxtext fit time: {ratio}")
    ours["goals_met"] = {
        name: bool(ours[name] <= target)
        for name, (_, target) in GOALS.items()
        if ours.get(name) is not None
    }
    return {
        "path": "ThemeModel.fit on vectors (library call, not the cxtext train CLI path)",
        "rows": len(X),
        "copies": copies,
        "noise_sigma": 0.02,
        "timeout_seconds": timeout,
        "runs": runs,
        "baseline_to_cxtext_time": ratio,
        "goals": {k: list(v) for k, v in GOALS.items()},
    }
