"""Theme benchmark: ThemeModel beside k-means and a BERTopic-style baseline on real data.

Usage: python training/benchmarks/themes.py [--only banking77,sib200,airline,scale]
       [--copies 10] [--baseline-timeout 900] [--out training/benchmarks/results/themes.json]

Sections (all by default; ``--only`` picks some, and the JSON keeps the other sections of
an earlier run, each stamped with when it ran):

1. ``banking77``: discovery quality against the 77 intents, k not given to cxtext: NMI,
   ARI, accuracy (Hungarian matching; -1 is a cluster of its own that never counts as
   correct), themes, unassigned share, fit seconds. cxtext at granularity 1.0 / 1.3 / 0.7,
   k-means with the true k = 77, and BERTopic's defaults (UMAP 5-d + HDBSCAN
   min_cluster_size=10) with and without reassigning its outliers to the nearest centroid.
2. ``sib200``: cross-lingual consistency on 800 sentences x 9 languages: share of
   sentences whose nine translations share one theme, mean share in the modal theme, NMI
   to language and to topic at theme and parent level; cxtext default, granularity 4.0,
   and without language debiasing; plain k-means k = 7 for reference.
3. ``airline``: negative airline tweets against ``negativereason`` ("Can't Tell" kept as a
   label); the 15 largest themes with label, keywords and majority reason.
4. ``scale``: fit seconds and peak RSS on 10 noisy copies of the Banking77 vectors
   (~100k), each fit in a fresh process (multiprocessing "spawn"); the baseline is
   stopped after ``--baseline-timeout`` seconds.

Embeddings come from the project's default encoder through its persistent cache
(``CXTEXT_CACHE_DIR`` or ``~/.cache/cxtext``); the texts are used exactly as in the files.
Numba is warmed up once before the timed fits (JIT compilation excluded from the fit
seconds); the scale fits run in fresh processes that warm up first, and their peak RSS
(Linux ``VmHWM``) includes the imports, the warm-up and the vectors.

Data (read from ../shared/data, never copied; see its README.md):

- Banking77 train (Casanueva et al. 2020, PolyAI-LDN/task-specific-datasets), CC-BY-4.0.
- SIB-200 train + dev (Adelani et al. 2024, dadelani/sib-200), Apache-2.0 repository,
  text CC BY-SA 4.0.
- Twitter US Airline Sentiment (Kaggle / CrowdFlower), CC BY-NC-SA 4.0.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "training"))

from common import default_encoder, encode, write_result  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
BANKING = DATA / "banking77" / "train.csv"
SIB = DATA / "sib200" / "sib200_train_dev.csv"
AIRLINE = DATA / "airline_tweets" / "Tweets.csv"
SECTIONS = ("banking77", "sib200", "airline", "scale")
SEED = 0
SIB_LANGUAGES = {
    "eng_Latn": "en",
    "afr_Latn": "af",
    "ron_Latn": "ro",
    "nld_Latn": "nl",
    "arb_Arab": "ar",
    "por_Latn": "pt",
    "spa_Latn": "es",
    "deu_Latn": "de",
    "fra_Latn": "fr",
}
# (comparison, target) per metric; printed beside the figures and flagged in the JSON.
GOALS: dict[str, dict[str, tuple[str, float]]] = {
    "banking77": {
        "nmi": (">=", 0.80),
        "ari": (">=", 0.50),
        "acc": (">=", 0.62),
        "unassigned": ("<=", 0.05),
    },
    "sib200": {
        "modal_share": (">=", 0.95),
        "nmi_language": ("<=", 0.02),
        "nmi_topic": (">=", 0.50),
        "nmi_topic_parent": (">=", 0.50),
    },
    "scale": {"fit_seconds": ("<=", 120.0), "peak_rss_gib": ("<=", 4.0)},
}
# Best published fully unsupervised Banking77 result with k given.
BANKING_REFERENCE = {"nmi": 0.753, "ari": 0.433, "acc": 0.548}
AIRLINE_TABLE_ROWS = 15


# --- shared helpers --------------------------------------------------------------------


def hungarian_accuracy(truth: np.ndarray, pred: np.ndarray) -> float:
    """Accuracy under the best one-to-one matching of clusters to classes.

    Unassigned rows (-1) count in the denominator but can never be matched correctly.
    """
    from scipy.optimize import linear_sum_assignment

    _, t = np.unique(truth, return_inverse=True)
    assigned = pred >= 0
    if not assigned.any():
        return 0.0
    _, p = np.unique(pred[assigned], return_inverse=True)
    table = np.zeros((t.max() + 1, p.max() + 1), dtype=np.int64)
    np.add.at(table, (t[assigned], p), 1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return float(table[rows, cols].sum() / len(truth))


def cluster_scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, float | int]:
    """NMI, ARI (-1 as a label of its own), Hungarian accuracy, k, unassigned share."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(truth, pred)), 4),
        "ari": round(float(adjusted_rand_score(truth, pred)), 4),
        "acc": round(hungarian_accuracy(truth, pred), 4),
        "k": len(np.unique(pred[pred >= 0])),
        "unassigned": round(float((pred < 0).mean()), 4),
    }


def size_profile(labels: np.ndarray) -> dict[str, float | int]:
    """How theme sizes spread: smallest, median, largest share, themes under 20 / 1% rows."""
    sizes = np.bincount(labels[labels >= 0])
    sizes = sizes[sizes > 0]
    if not len(sizes):
        return {"themes": 0}
    return {
        "themes": len(sizes),
        "smallest": int(sizes.min()),
        "median": float(np.median(sizes)),
        "largest_share": round(float(sizes.max() / len(labels)), 4),
        "under_20_rows": int((sizes < 20).sum()),
        "under_1pct_rows": int((sizes < 0.01 * len(labels)).sum()),
    }


def meets(value: float, goal: tuple[str, float]) -> bool:
    op, target = goal
    return bool(value >= target) if op == ">=" else bool(value <= target)


def goal_flags(figures: dict[str, Any], goals: dict[str, tuple[str, float]]) -> dict[str, bool]:
    return {
        name: meets(figures[name], goal)
        for name, goal in goals.items()
        if figures.get(name) is not None
    }


def goal_text(name: str, goals: dict[str, tuple[str, float]]) -> str:
    op, target = goals[name]
    return f"{op} {target:g}"


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


def reassign_outliers(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Outliers (-1) to the cluster whose normalised mean vector is closest (cosine)."""
    clusters = np.unique(labels[labels >= 0])
    centroids = np.vstack([X[labels == c].mean(axis=0) for c in clusters])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    out = labels.copy()
    outliers = labels < 0
    out[outliers] = clusters[(X[outliers] @ centroids.T).argmax(axis=1)]
    return out


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


def code_fingerprint() -> dict[str, str]:
    """Git HEAD and a hash of the cxtext sources, to tie figures to the code they measured."""
    import hashlib
    import subprocess

    digest = hashlib.sha256()
    for path in sorted((ROOT / "cxtext").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {"git_head": head, "cxtext_sources_sha256": digest.hexdigest()[:16]}


COLUMN = 11
SHORT = {
    "unassigned": "unassigned",
    "fit_seconds": "fit_s",
    "modal_share": "modal",
    "nmi_language": "nmi_lang",
    "nmi_topic": "nmi_topic",
    "nmi_topic_parent": "nmi_parent",
    "peak_rss_gib": "rss_gib",
}


def _row(name: str, figures: dict[str, Any], keys: Sequence[str]) -> str:
    cells = []
    for key in keys:
        value = figures.get(key)
        if isinstance(value, float):
            digits = 1 if key.endswith("seconds") else 3
            cells.append(f"{value:>{COLUMN}.{digits}f}")
        elif value is None:
            cells.append(f"{'-':>{COLUMN}}")
        else:
            cells.append(f"{value!s:>{COLUMN}}")
    return f"  {name[:36]:<36}" + "".join(cells)


def _header(keys: Sequence[str]) -> str:
    return f"  {'':<36}" + "".join(f"{SHORT.get(k, k)[: COLUMN - 1]:>{COLUMN}}" for k in keys)


# --- 1. Banking77 -----------------------------------------------------------------------


def section_banking77(encoder: Any) -> dict[str, Any]:
    """Discovery quality on Banking77 train against its 77 intents."""
    from sklearn.cluster import KMeans

    frame = pd.read_csv(BANKING)
    texts = frame["text"].tolist()
    truth = frame["category"].to_numpy()
    X = encode(encoder, texts, "banking77")
    languages = ["en"] * len(X)
    runs: dict[str, dict[str, Any]] = {}
    print(_header(("nmi", "ari", "acc", "k", "unassigned", "fit_seconds")))

    for name, params in (
        ("cxtext default", {}),
        ("cxtext granularity 1.3", {"granularity": 1.3}),
        ("cxtext granularity 0.7", {"granularity": 0.7}),
    ):
        model, seconds = fit_theme_model(X, languages, **params)
        labels = model.labels_
        figures = cluster_scores(truth, labels) | {"fit_seconds": round(seconds, 1)}
        figures["sizes"] = size_profile(labels)
        figures["parents"] = len(np.unique(model.parents_))
        if not params:
            # DESIGN.md: training rows are labelled by the one inference rule.
            figures["predict_equals_fit_labels"] = bool(
                np.array_equal(model.predict(X, languages=languages), labels)
            )
        runs[name] = figures
        print(_row(name, figures, ("nmi", "ari", "acc", "k", "unassigned", "fit_seconds")))

    started = time.perf_counter()
    kmeans = KMeans(n_clusters=77, n_init=3, random_state=SEED).fit_predict(X)
    runs["k-means k=77 (k given)"] = cluster_scores(truth, kmeans) | {
        "fit_seconds": round(time.perf_counter() - started, 1)
    }
    print(_row("k-means k=77", runs["k-means k=77 (k given)"], ("nmi", "ari", "acc", "k")))

    labels, timings = bertopic_style(X)
    seconds = sum(timings.values())
    runs["BERTopic-style (UMAP+HDBSCAN)"] = cluster_scores(truth, labels) | {
        "fit_seconds": round(seconds, 1),
        "outlier_share": round(float((labels < 0).mean()), 4),
        "sizes": size_profile(labels),
    }
    started = time.perf_counter()
    reassigned = reassign_outliers(X, labels)
    runs["BERTopic-style, outliers reassigned"] = cluster_scores(truth, reassigned) | {
        "fit_seconds": round(seconds + time.perf_counter() - started, 1)
    }
    for name in ("BERTopic-style (UMAP+HDBSCAN)", "BERTopic-style, outliers reassigned"):
        print(_row(name, runs[name], ("nmi", "ari", "acc", "k", "unassigned")))

    goals = GOALS["banking77"]
    for figures in runs.values():
        figures["goals_met"] = goal_flags(figures, goals)
    return {
        "rows": len(X),
        "classes": len(np.unique(truth)),
        "runs": runs,
        "goals": {k: list(v) for k, v in goals.items()},
        "reference_published_k_given": BANKING_REFERENCE,
    }


# --- 2. SIB-200 -------------------------------------------------------------------------


def translation_agreement(index_ids: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Per sentence (its 9 translations): share in the modal theme, and all-nine agreement.

    Unassigned translations (-1) never count as agreeing.
    """
    shares = []
    for rows in pd.Series(np.arange(len(labels))).groupby(index_ids).indices.values():
        themes = labels[rows]
        assigned = themes[themes >= 0]
        modal = np.bincount(assigned).max() if len(assigned) else 0
        shares.append(modal / len(rows))
    share = np.asarray(shares)
    return {
        "all_nine": round(float((share == 1.0).mean()), 4),
        "modal_share": round(float(share.mean()), 4),
    }


def section_sib200(encoder: Any) -> dict[str, Any]:
    """Cross-lingual consistency on SIB-200 (the same 800 sentences in 9 languages)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score as nmi

    frame = pd.read_csv(SIB)
    unknown = set(frame["lang"]) - set(SIB_LANGUAGES)
    if unknown:
        raise SystemExit(f"sib200: unmapped language codes {sorted(unknown)}")
    languages = frame["lang"].map(SIB_LANGUAGES).tolist()
    topics = frame["category"].to_numpy()
    index_ids = frame["index_id"].to_numpy()
    X = encode(encoder, frame["text"].tolist(), "sib200")
    runs: dict[str, dict[str, Any]] = {}
    keys = ("all_nine", "modal_share", "nmi_language", "nmi_topic", "nmi_topic_parent", "k")
    print(_header(keys))

    for name, params in (
        ("cxtext default", {}),
        ("cxtext granularity 4.0", {"granularity": 4.0}),
        ("cxtext debias_languages=False", {"debias_languages": False}),
    ):
        model, seconds = fit_theme_model(X, languages, **params)
        labels = model.labels_
        parents = model.parent_of(labels)
        figures: dict[str, Any] = translation_agreement(index_ids, labels)
        figures |= {
            "nmi_language": round(float(nmi(languages, labels)), 4),
            "nmi_topic": round(float(nmi(topics, labels)), 4),
            "nmi_language_parent": round(float(nmi(languages, parents)), 4),
            "nmi_topic_parent": round(float(nmi(topics, parents)), 4),
            "parent_all_nine": translation_agreement(index_ids, parents)["all_nine"],
            "k": len(model.theme_ids_),
            "parents": len(np.unique(model.parents_)),
            "unassigned": round(float((labels < 0).mean()), 4),
            "fit_seconds": round(seconds, 1),
            "sizes": size_profile(labels),
        }
        runs[name] = figures
        print(_row(name, figures, keys))

    # References: k-means on the raw vectors, and on vectors with each language's mean
    # shift removed (the same centring cxtext starts from), with the true k and twice it:
    # how much topic signal the encoder's vectors carry for any clustering.
    langs = np.asarray(languages)
    means = {code: X[langs == code].mean(axis=0) for code in np.unique(langs)}
    centred = X - np.vstack([means[code] for code in langs]) + X.mean(axis=0)
    for label, vectors, k in (
        ("k-means k=7 raw", X, 7),
        ("k-means k=7 language-centred", centred, 7),
        ("k-means k=14 language-centred", centred, 14),
    ):
        kmeans = KMeans(n_clusters=k, n_init=3, random_state=SEED).fit_predict(vectors)
        runs[label] = translation_agreement(index_ids, kmeans) | {
            "nmi_language": round(float(nmi(languages, kmeans)), 4),
            "nmi_topic": round(float(nmi(topics, kmeans)), 4),
            "k": k,
        }
        print(_row(label, runs[label], keys))

    goals = GOALS["sib200"]
    for figures in runs.values():
        figures["goals_met"] = goal_flags(figures, goals)
    return {
        "rows": len(X),
        "sentences": len(np.unique(index_ids)),
        "languages": sorted(set(languages)),
        "topics": len(np.unique(topics)),
        "runs": runs,
        "goals": {k: list(v) for k, v in goals.items()},
    }


# --- 3. Airline complaints --------------------------------------------------------------


def section_airline(encoder: Any) -> dict[str, Any]:
    """Themes of negative airline tweets against the annotated ``negativereason``."""

    frame = pd.read_csv(AIRLINE, dtype=str, keep_default_na=False)
    frame = frame[frame["airline_sentiment"] == "negative"].reset_index(drop=True)
    reasons = frame["negativereason"].to_numpy()
    if (reasons == "").any():
        raise SystemExit(f"airline: {(reasons == '').sum()} negative tweets without a reason")
    texts = frame["text"].tolist()
    X = encode(encoder, texts, "airline")
    raw_model, raw_seconds = fit_theme_model(X, ["en"] * len(X))
    raw = _airline_figures(reasons, frame["airline"], raw_model.labels_, raw_seconds)
    raw["k"] = len(raw_model.theme_ids_)

    # The product's path: @handles and links stripped, clauses, comment = main clause theme.
    from cxtext import schema
    from cxtext.themes.train import THEME_ID, load_config, tag_frame, train_themes

    canonical = pd.DataFrame(
        {schema.ID: frame["tweet_id"], schema.TEXT: frame["text"], schema.LANGUAGE: "en"}
    )
    model, report, _ = train_themes(canonical, encoder, load_config(None))
    labels = tag_frame(canonical, model, encoder)[THEME_ID].to_numpy()
    seconds = report.fit_seconds
    figures = _airline_figures(reasons, frame["airline"], labels, seconds)
    figures["k"] = len(model.theme_ids_)
    figures["parents"] = len(model.parent_themes_)
    figures["clauses"] = report.clauses
    crosstab = pd.crosstab(labels, reasons)
    sizes = pd.Series(labels[labels >= 0]).value_counts()
    by_id = {t["id"]: t for t in model.themes_}
    table = []
    for theme, size in sizes.head(AIRLINE_TABLE_ROWS).items():
        info = by_id[int(theme)]
        counts = crosstab.loc[theme]
        reps = info.get("representatives") or []
        table.append(
            {
                "id": int(theme),
                "size": int(size),
                "label": info["label"],
                "keywords": [term for term, _ in info["keywords"][:5]],
                "majority_reason": str(counts.idxmax()),
                "majority_share": round(float(counts.max() / size), 3),
                "representative": reps[0]["text"] if reps else None,
            }
        )
    for name, row in (("raw tweet vectors", raw), ("cxtext pipeline", figures)):
        print(
            f"  {name}: NMI {row['nmi']:.3f}  ARI {row['ari']:.3f}  purity {row['purity']:.3f}"
            f"  (NMI to airline {row['nmi_airline']:.3f})  k {row['k']}"
            f"  unassigned {row['unassigned']:.1%}  fit {row['fit_seconds']:.1f} s"
        )
    print_theme_table(table)
    return {
        "rows": len(X),
        "reasons": frame["negativereason"].value_counts().to_dict(),
        "cxtext default": figures,
        "ThemeModel on raw tweet vectors": raw,
        "largest_themes": table,
    }


def _airline_figures(
    reasons: np.ndarray, airlines: pd.Series, labels: np.ndarray, seconds: float
) -> dict[str, Any]:
    """NMI/ARI/purity to the annotated reason, and NMI to the airline addressed."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    crosstab = pd.crosstab(labels, reasons).drop(index=-1, errors="ignore")
    return {
        "nmi": round(float(normalized_mutual_info_score(reasons, labels)), 4),
        "ari": round(float(adjusted_rand_score(reasons, labels)), 4),
        # Complaints addressed to one airline should not form themes of their own.
        "nmi_airline": round(float(normalized_mutual_info_score(airlines, labels)), 4),
        # Purity: rows in their theme's majority reason (unassigned rows count as wrong).
        "purity": round(float(crosstab.max(axis=1).sum() / len(labels)), 4),
        "unassigned": round(float((labels < 0).mean()), 4),
        "fit_seconds": round(seconds, 1),
        "sizes": size_profile(labels),
    }


def print_theme_table(table: list[dict[str, Any]]) -> None:
    print(f"  {'id':>3} {'size':>5}  {'label':<38} {'majority reason':<24} {'share':>5}  keywords")
    for row in table:
        print(
            f"  {row['id']:>3} {row['size']:>5}  {row['label'][:38]:<38} "
            f"{row['majority_reason'][:24]:<24} {row['majority_share']:>5.2f}  "
            + ", ".join(row["keywords"])
        )


# --- 4. Scale ---------------------------------------------------------------------------


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


def section_scale(encoder: Any, *, copies: int, timeout: float) -> dict[str, Any]:
    """Fit seconds and peak RSS on ~100k vectors, each method in a fresh process."""
    from sklearn.metrics import normalized_mutual_info_score

    frame = pd.read_csv(BANKING)
    X = noisy_copies(encode(encoder, frame["text"].tolist(), "banking77"), copies)
    truth = np.tile(frame["category"].to_numpy(), copies)
    print(f"  {len(X):,} vectors ({copies} noisy copies, sigma 0.02 per dimension)")
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.npy"
        np.save(path, X)
        for kind, name in (("cxtext", "cxtext default"), ("baseline", "BERTopic-style")):
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
    ours = runs["cxtext default"]
    theirs = runs["BERTopic-style"]
    ratio: float | str | None = None
    if ours["fit_seconds"]:
        if theirs["fit_seconds"] is None:
            ratio = f"> {timeout / ours['fit_seconds']:.1f}"
        else:
            ratio = round(theirs["fit_seconds"] / ours["fit_seconds"], 1)
    print(f"  baseline / cxtext fit time: {ratio}")
    goals = GOALS["scale"]
    ours["goals_met"] = goal_flags(ours, goals)
    return {
        "rows": len(X),
        "copies": copies,
        "noise_sigma": 0.02,
        "timeout_seconds": timeout,
        "runs": runs,
        "baseline_to_cxtext_time": ratio,
        "goals": {k: list(v) for k, v in goals.items()},
    }


# --- summary ------------------------------------------------------------------------------


def print_summary(result: dict[str, Any]) -> None:
    """One compact table per section, goals beside the figures."""
    print("\n=== summary ===")
    if "banking77" in result:
        goals = GOALS["banking77"]
        keys = ("nmi", "ari", "acc", "unassigned", "k", "fit_seconds")
        print(f"Banking77 ({result['banking77']['rows']:,} rows, 77 intents)")
        print(_header(keys))
        print(_row("goal", {k: goal_text(k, goals) for k in goals}, keys))
        print(_row("published best (k given)", BANKING_REFERENCE, keys))
        for name, figures in result["banking77"]["runs"].items():
            print(_row(name, figures, keys) + _flags(figures))
    if "sib200" in result:
        goals = GOALS["sib200"]
        keys = (
            "all_nine",
            "modal_share",
            "nmi_language",
            "nmi_topic",
            "nmi_topic_parent",
            "k",
            "unassigned",
        )
        print(f"SIB-200 ({result['sib200']['rows']:,} rows = 800 sentences x 9 languages)")
        print(_header(keys))
        print(_row("goal", {k: goal_text(k, goals) for k in goals}, keys))
        for name, figures in result["sib200"]["runs"].items():
            print(_row(name, figures, keys) + _flags(figures))
    if "airline" in result:
        keys = ("nmi", "ari", "purity", "nmi_airline", "k", "unassigned", "fit_seconds")
        print(f"Airline negative tweets ({result['airline']['rows']:,} rows, 10 reasons)")
        print(_header(keys))
        if "ThemeModel on raw tweet vectors" in result["airline"]:
            raw = result["airline"]["ThemeModel on raw tweet vectors"]
            print(_row("ThemeModel on raw tweet vectors", raw, keys))
        print(_row("cxtext default", result["airline"]["cxtext default"], keys))
    if "scale" in result:
        goals = GOALS["scale"]
        keys = ("fit_seconds", "peak_rss_gib", "k", "unassigned", "nmi")
        print(f"Scale ({result['scale']['rows']:,} vectors, {result['setup']['cores']} cores)")
        print(_header(keys))
        print(_row("goal (cxtext)", {k: goal_text(k, goals) for k in goals}, keys))
        for name, figures in result["scale"]["runs"].items():
            note = "" if figures.get("status") == "done" else f"  {figures.get('status')}"
            print(_row(name, figures, keys) + _flags(figures) + note)
        print(f"  baseline / cxtext fit time: {result['scale']['baseline_to_cxtext_time']}")


def _flags(figures: dict[str, Any]) -> str:
    met = figures.get("goals_met")
    if not met:
        return ""
    return "  " + " ".join(f"{SHORT.get(k, k)}:{'ok' if ok else 'NO'}" for k, ok in met.items())


def setup_info(encoder: Any) -> dict[str, Any]:
    packages = ("cxtext", "numpy", "scipy", "scikit-learn", "umap-learn", "numba", "pandas")
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {name: version(name) for name in packages},
        "encoder": encoder.info.to_dict(),
        "data": {
            "banking77": str(BANKING.relative_to(DATA.parent)),
            "sib200": str(SIB.relative_to(DATA.parent)),
            "airline": str(AIRLINE.relative_to(DATA.parent)),
        },
        "random_state": SEED,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--copies", type=int, default=10, help="noisy copies for scale")
    parser.add_argument("--baseline-timeout", type=float, default=900.0, help="seconds")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "training/benchmarks/results/themes.json"
    )
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    missing = [p for p in (BANKING, SIB, AIRLINE) if not p.exists()]
    if missing:
        raise SystemExit(f"data absent: {', '.join(map(str, missing))} (see {DATA}/README.md)")

    started = time.perf_counter()
    encoder = default_encoder()
    setup = setup_info(encoder)
    setup["sections"] = chosen
    setup["code"] = code_fingerprint()
    print("setup:", json.dumps({k: v for k, v in setup.items() if k != "data"}))
    if set(chosen) & {"banking77", "sib200", "airline"}:
        setup["numba_warm_up_seconds"] = round(warm_up_numba(), 1)
        print(f"numba warm-up: {setup['numba_warm_up_seconds']} s (excluded from fit times)")

    result: dict[str, Any] = {}
    if args.out.exists() and set(chosen) != set(SECTIONS):
        result = {k: v for k, v in json.loads(args.out.read_text()).items() if k in SECTIONS}
    result["setup"] = setup
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "banking77": lambda: section_banking77(encoder),
        "sib200": lambda: section_sib200(encoder),
        "airline": lambda: section_airline(encoder),
        "scale": lambda: section_scale(encoder, copies=args.copies, timeout=args.baseline_timeout),
    }
    for name in SECTIONS:
        if name not in chosen:
            continue
        print(f"\n--- {name} ---", flush=True)
        section_started = time.perf_counter()
        section = runners[name]()
        section["wall_seconds"] = round(time.perf_counter() - section_started, 1)
        section["ran_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        print(f"  {name}: {section['wall_seconds']:.0f} s wall", flush=True)
        result[name] = section
    result["setup"]["wall_seconds"] = round(time.perf_counter() - started, 1)
    if code_fingerprint() != setup["code"]:
        setup["code_changed_during_run"] = True
        print("WARNING: cxtext sources changed during the run; figures may mix versions")
    print_summary(result)
    print(f"\nwall time: {result['setup']['wall_seconds']:.0f} s")
    write_result(args.out, result)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
