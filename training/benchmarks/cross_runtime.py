"""Do the same comments get the same themes on another runtime or thread count?

Each set is trained and tagged through ``cxtext train`` and ``cxtext tag`` four times:
with the fp32 encoder (``default``) and the int8 one (``default-int8``), a stand-in for
two CPUs whose sums differ, each with 1 and with 2 threads (``CXTEXT_THREADS`` for the
encoder, and OMP/OpenBLAS/MKL/numba threads). Every run has an empty embedding cache of
its own, so its vectors are computed under its own setting.

Pairs compared: fp32 vs int8 (2 threads each) and 1 vs 2 threads (per runtime). Per
pair: the ARI between the comments' themes (unassigned as a class of its own), the share
of themes matched one to one (Hungarian on the Jaccard of their comments, a match at
Jaccard >= 0.7, over the larger theme count), and the share of matched themes with the
same label. Sets: Banking77 (3,000 rows, stratified), SIB-200 (all rows) and the demo
survey (with its seeds and mapping).

    .venv/bin/python training/benchmarks/cross_runtime.py [--sets demo banking77 sib200]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA, write_result
from themes_product import run_json, write_csv

RESULT = Path(__file__).with_name("results") / "cross_runtime.json"
RUNS = {
    "fp32, 2 threads": ("default", 2),
    "fp32, 1 thread": ("default", 1),
    "int8, 2 threads": ("default-int8", 2),
    "int8, 1 thread": ("default-int8", 1),
}
PAIRS = (
    ("fp32, 2 threads", "int8, 2 threads"),
    ("fp32, 1 thread", "fp32, 2 threads"),
    ("int8, 1 thread", "int8, 2 threads"),
)
MATCH_JACCARD = 0.7
_THREAD_VARS = (
    "CXTEXT_THREADS",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)


@contextmanager
def run_setting(threads: int, cache: Path) -> Iterator[None]:
    """Thread variables and an empty embedding cache (beside the built encoders)."""
    home = Path(os.environ.get("CXTEXT_CACHE_DIR", Path.home() / ".cache" / "cxtext"))
    cache.mkdir(parents=True, exist_ok=True)
    for folder in home.iterdir():
        if folder.is_dir() and not (cache / folder.name).exists():
            (cache / folder.name).symlink_to(folder)
    saved = {k: os.environ.get(k) for k in (*_THREAD_VARS, "CXTEXT_CACHE_DIR")}
    os.environ.update({k: str(threads) for k in _THREAD_VARS} | {"CXTEXT_CACHE_DIR": str(cache)})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def train_and_tag(
    data: Path, work: Path, encoder: str, read: list[str], config: str = ""
) -> dict[str, Any]:
    """``cxtext train`` then ``cxtext tag`` of ``data`` with ``encoder``."""
    toml = work / "config.toml"
    toml.write_text(
        f'{config}\n[themes]\nencoder = "{encoder}"\n'
        if "[themes]" not in config
        else config.replace("[themes]", f'[themes]\nencoder = "{encoder}"', 1)
    )
    started = time.perf_counter()
    trained, _ = run_json(["train", data, *read, "--config", toml, "--out", work / "models"])
    train_seconds = time.perf_counter() - started
    out = work / "tagged.parquet"
    run_json(["tag", data, *read, "--model", trained["model"], "--out", out])
    return {
        "trained": trained,
        "train_seconds": round(train_seconds, 1),
        "tagged": pd.read_parquet(out),
    }


def theme_match(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """ARI of the comments' themes; one-to-one theme matches and their labels."""
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score

    ta = a["tagged"].set_index(a["tagged"]["id"].astype(str))
    tb = b["tagged"].set_index(b["tagged"]["id"].astype(str)).reindex(ta.index)
    ari = adjusted_rand_score(ta["theme_id"].to_numpy(), tb["theme_id"].fillna(-2).to_numpy())

    def members(frame: pd.DataFrame) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        for comment, themes in zip(frame.index, frame["theme_ids"], strict=True):
            for theme in themes if themes is not None else []:
                out.setdefault(int(theme), set()).add(comment)
        return out

    ma, mb = members(ta), members(tb)
    ids_a, ids_b = sorted(ma), sorted(mb)
    jaccard = np.zeros((len(ids_a), len(ids_b)))
    for i, x in enumerate(ids_a):
        for j, y in enumerate(ids_b):
            jaccard[i, j] = len(ma[x] & mb[y]) / len(ma[x] | mb[y])
    rows, cols = linear_sum_assignment(jaccard, maximize=True)
    matched = [
        (ids_a[r], ids_b[c])
        for r, c in zip(rows, cols, strict=True)
        if jaccard[r, c] >= MATCH_JACCARD
    ]
    status = {
        t["id"]: (t.get("stability") or {}).get("status") for t in a["trained"]["themes_table"]
    }
    found = {x for x, _ in matched}
    by_status = {
        kind: round(sum(x in found for x in group) / len(group), 4) if group else None
        for kind, group in {
            kind: [x for x in ids_a if status.get(x) == kind]
            for kind in ("stable", "unstable", "not measured")
        }.items()
    }
    label_a = {t["id"]: t["label"] for t in a["trained"]["themes_table"]}
    label_b = {t["id"]: t["label"] for t in b["trained"]["themes_table"]}
    same = sum(label_a[x].casefold() == label_b[y].casefold() for x, y in matched)
    return {
        "ari": round(float(ari), 4),
        "themes": [len(ids_a), len(ids_b)],
        "matched": len(matched),
        "matched_share": round(len(matched) / max(len(ids_a), len(ids_b), 1), 4),
        "same_label_share": round(same / max(len(matched), 1), 4),
        # Does the stability measured in training foretell which themes come back?
        "matched_share_by_stability": by_status,
    }


def dataset(name: str, work: Path) -> tuple[Path, list[str], str]:
    """The set's input file, the reading flags of ``cxtext train``/``tag`` and config text."""
    work.mkdir(parents=True, exist_ok=True)
    if name == "banking77":
        frame = pd.read_csv(DATA / "banking77" / "train.csv")
        frame["id"] = [f"b{i:05d}" for i in range(len(frame))]
        share = 3000 / len(frame)
        sub = frame.groupby("category", group_keys=False).sample(frac=share, random_state=0)
        return write_csv(work / "banking.csv", sub["id"], sub["text"]), _plain(), ""
    if name == "sib200":
        frame = pd.read_csv(DATA / "sib200" / "sib200_train_dev.csv")
        ids = [f"{i}_{lang}" for i, lang in zip(frame["index_id"], frame["lang"], strict=True)]
        return write_csv(work / "sib200.csv", ids, frame["text"]), _plain(), ""
    from cxtext.demo.files import write_demo

    files = write_demo(work, n_survey=2000, n_tickets=0, seed=0)
    config = Path(files["themes_config"]).read_text(encoding="utf-8")
    return Path(files["survey"]), ["--mapping", str(files["survey_mapping"])], config


def cpu() -> dict[str, Any]:
    """The CPU model and the vector extensions that change int8 and float sums."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in info.splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    flags = next(
        (line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")),
        [],
    )
    wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")
    return {"model": model, "flags": [f for f in wanted if f in flags]}


def _plain() -> list[str]:
    return ["--text-col", "text", "--id-col", "id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["demo", "banking77", "sib200"])
    args = parser.parse_args()
    result: dict[str, Any] = {
        "setup": {
            "cpu": cpu(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "command": "cxtext train + cxtext tag (subprocesses), empty embedding cache per run",
        },
        "goal": "ARI >= 0.90 per pair; >= 90% of themes matched; >= 90% of those same label",
        "sets": {},
    }
    with tempfile.TemporaryDirectory(prefix="cross-runtime-") as tmp:
        root = Path(tmp)
        for name in args.sets:
            data, read, config = dataset(name, root / name)
            runs: dict[str, dict[str, Any]] = {}
            for run, (encoder, threads) in RUNS.items():
                print(f"{name}: {run}", flush=True)
                work = root / name / run.replace(", ", "_").replace(" ", "")
                work.mkdir(parents=True, exist_ok=True)
                with run_setting(threads, work / "cache"):
                    runs[run] = train_and_tag(data, work, encoder, read, config)
            pairs = {f"{a} vs {b}": theme_match(runs[a], runs[b]) for a, b in PAIRS}
            for pair, figures in pairs.items():
                print(f"  {pair}: {figures}", flush=True)
            result["sets"][name] = {
                "rows": len(next(iter(runs.values()))["tagged"]),
                "pairs": pairs,
                "runs": {
                    run: {
                        "themes": r["trained"]["themes"],
                        "train_seconds": r["train_seconds"],
                        "stability": {
                            k: v for k, v in r["trained"]["stability"].items() if k != "themes"
                        },
                    }
                    for run, r in runs.items()
                },
            }
            write_result(RESULT, result)


if __name__ == "__main__":
    main()
