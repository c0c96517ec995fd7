"""The product path for the theme benchmark: ``cxtext train`` / ``tag`` / ``drivers`` /
``demo`` run as subprocesses of the installed command line, and the scores computed from
their outputs.

Every figure that says "cxtext" in the theme benchmark comes from these commands' files
and JSON, never from the library called in process, so it measures what a user gets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
CXTEXT = Path(sys.executable).with_name("cxtext")
UNASSIGNED = -1
# The encoder `cxtext train` is told to use when a call gives no config (themes.py
# --encoder sets it; "default" leaves the config's own).
TRAIN_ENCODER = "default"


class CommandError(RuntimeError):
    """A cxtext command exited with a non-zero status."""


def run_cli(args: Sequence[str], *, timeout: float = 3600.0) -> tuple[str, float]:
    """Run ``cxtext ARGS`` from the repository root; its stdout and wall seconds.

    The encoder cache is the user's (``CXTEXT_CACHE_DIR`` or ``~/.cache/cxtext``), as for
    any command typed in a shell.
    """
    command = [str(CXTEXT), *map(str, args)]
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ.copy(),
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr or done.stdout)[-3000:]
        raise CommandError(f"{' '.join(command)} exited {done.returncode}:\n{tail}")
    return done.stdout, seconds


def run_json(args: Sequence[str], *, timeout: float = 3600.0) -> tuple[dict[str, Any], float]:
    """Run ``cxtext ARGS --json``; the JSON it printed (its last JSON line) and wall seconds."""
    stdout, seconds = run_cli([*args, "--json"], timeout=timeout)
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line), seconds
    raise CommandError(f"cxtext {' '.join(map(str, args))} printed no JSON:\n{stdout[-2000:]}")


def write_csv(path: Path, ids: Sequence[str], texts: Sequence[str]) -> Path:
    """A two-column UTF-8 CSV (``id``, ``text``), as a user's export would be."""
    pd.DataFrame({"id": list(ids), "text": list(texts)}).to_csv(path, index=False)
    return path


def train_and_tag(
    csv: Path,
    work: Path,
    name: str,
    *,
    config: Path | None = None,
    tag_files: dict[str, Path] | None = None,
) -> dict[str, Any]:
    """``cxtext train CSV`` then ``cxtext tag`` on the same CSV (and on ``tag_files``).

    Returns the train JSON (``train``), its wall seconds (``train_wall_seconds``), and per
    tagged file the tag JSON (``tag``/``tag_<key>``) and the tagged frame
    (``tagged``/``tagged_<key>``).
    """
    models = work / f"{name}_models"
    args = ["train", csv, "--text-col", "text", "--id-col", "id", "--out", models]
    if config is None and TRAIN_ENCODER != "default":
        config = work / f"{name}_encoder.toml"
        config.write_text(f'[themes]\nencoder = "{TRAIN_ENCODER}"\n')
    if config is not None:
        args += ["--config", config]
    trained, train_wall = run_json(args)
    result: dict[str, Any] = {"train": trained, "train_wall_seconds": round(train_wall, 1)}
    for key, path in {"": csv, **(tag_files or {})}.items():
        out = work / f"{name}{'_' + key if key else ''}_tagged.parquet"
        tagged, tag_wall = run_json(
            [
                "tag",
                path,
                "--text-col",
                "text",
                "--id-col",
                "id",
                "--model",
                trained["model"],
                "--out",
                out,
            ]
        )
        suffix = f"_{key}" if key else ""
        result[f"tag{suffix}"] = tagged | {"wall_seconds": round(tag_wall, 1)}
        result[f"tagged{suffix}"] = pd.read_parquet(out)
    return result


def labels_for(
    tagged: pd.DataFrame, ids: Sequence[str], column: str = "theme_id"
) -> tuple[np.ndarray, int]:
    """``column`` of the tagged frame in the order of ``ids``; rows the command left out
    (quarantined) are unassigned. Also returns how many were left out."""
    by_id = tagged.assign(_id=tagged["id"].astype(str)).set_index("_id")[column]
    aligned = pd.Series(list(ids), dtype=str).map(by_id)
    missing = int(aligned.isna().sum())
    return aligned.fillna(UNASSIGNED).astype(np.int64).to_numpy(), missing


def theme_sets_for(tagged: pd.DataFrame, ids: Sequence[str]) -> list[set[int]]:
    """Every clause theme of each comment (``theme_ids``), in the order of ``ids``."""
    by_id = dict(
        zip(
            tagged["id"].astype(str),
            (set(int(t) for t in ts) for ts in tagged["theme_ids"]),
            strict=True,
        )
    )
    return [by_id.get(str(i), set()) for i in ids]


# --- scores -------------------------------------------------------------------------------


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
    """NMI, ARI (-1 as a cluster of its own), Hungarian accuracy, themes, unassigned share."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(truth, pred)), 4),
        "ari": round(float(adjusted_rand_score(truth, pred)), 4),
        "acc": round(hungarian_accuracy(truth, pred), 4),
        "k": len(np.unique(pred[pred >= 0])),
        "unassigned": round(float((pred < 0).mean()), 4),
    }


def polarity_purity(labels: np.ndarray, polarity: np.ndarray) -> dict[str, float | int]:
    """Share of one-polarity sentences whose polarity is their theme's majority polarity.

    ``polarity`` holds "positive", "negative" or anything else (left out). Unassigned
    sentences (-1) count as impure; the baseline puts every sentence in one theme.
    """
    keep = np.isin(polarity, ("positive", "negative"))
    lab, pol = labels[keep], polarity[keep]
    assigned = lab >= 0
    table = pd.crosstab(lab[assigned], pol[assigned])
    pure = int(table.max(axis=1).sum()) if len(table) else 0
    majority = pd.Series(pol).value_counts()
    return {
        "sentences": int(keep.sum()),
        "purity": round(pure / max(1, len(lab)), 4),
        "baseline_one_theme": round(float(majority.max() / max(1, len(pol))), 4),
        "mixed_themes": int(((table > 0).sum(axis=1) == 2).sum()) if len(table) else 0,
        "themes_with_minority_over_20pct": int((table.min(axis=1) > 0.2 * table.sum(axis=1)).sum())
        if len(table)
        else 0,
    }


def theme_labels(themes_table: list[dict[str, Any]], *, top: int = 8) -> list[dict[str, Any]]:
    """The seed themes, then the largest discovered ones, up to ``top`` (label, keywords)."""
    seeds = [t for t in themes_table if t.get("origin") == "seed"]
    others = sorted(
        (t for t in themes_table if t.get("origin") != "seed"), key=lambda t: -t["size"]
    )
    picked = (seeds + others)[: max(top, len(seeds))]
    return [
        {
            "id": t["id"],
            "size": t["size"],
            "origin": t.get("origin"),
            "label": t["label"],
            "keywords": [term for term, _ in t["keywords"][:6]],
        }
        for t in picked
    ]


def print_labels(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"  labels, {title}:")
    for row in rows:
        origin = "seed" if row.get("origin") == "seed" else "    "
        print(
            f"    {row['id']:>4} {row['size']:>6} {origin} {row['label'][:44]:<44} | "
            + ", ".join(row["keywords"])
        )
