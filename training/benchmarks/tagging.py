"""Batch tagging benchmark: `cxtext tag` end to end against a plain sentence-transformers
encode of the same comments, per encoder runtime, with a profile of where the time goes.

Usage: python training/benchmarks/tagging.py [--rows 2000] [--train-rows 1500]
       [--encoders default,default-int8] [--profile-rows 400]
       [--out training/benchmarks/results/tagging.json]

Setup, in a temporary folder:

1. Realistic comments, mixed lengths and languages, drawn with a fixed seed from five
   real sets (../shared/data): clothing reviews (English, long), airline tweets, UMSAB
   tweets (8 languages), inbound support tweets and the customers' turns of Dutch
   customer-service dialogues. ``--train-rows`` of them train a theme model per encoder
   (``cxtext train``); ``--rows`` others are tagged.
2. Per encoder: ``cxtext tag --runtime trained`` in a child process (the command users
   run: themes, clause sentiment, predicted NPS group, Parquet output) with a cold
   embedding cache (a fresh cache folder holding only the built encoder), timed from the
   outside.
3. In one process: a plain ``SentenceTransformer.encode`` (fp32, batch 32, prompt
   "query: ", normalised) of the same comments with the same encoder: the baseline.
4. A cProfile of the tag path (in-process, cold cache, ``--profile-rows`` comments) split
   into stages: language id, text cleaning, clause splitting, tokenisation, encoder
   forward, sentiment, theme assignment, Parquet I/O.

Prints comments/s of each, the ratio to the baseline, the CPU's flags and which runtime
``cxtext tag --runtime auto`` picks on it, the stage shares, the quality checks
a faster runtime must pass (within 0.01 of fp32, read from the themes and sentiment
benchmarks' recorded runs, one per encoder) and the setup, and writes JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

from common import DATA, write_result  # noqa: E402

SEED = 7
CACHE = Path(os.environ.get("CXTEXT_CACHE_DIR", Path.home() / ".cache" / "cxtext"))
# Stage -> (path fragment, function name) of the calls whose cumulative time it is.
STAGES = {
    "language id": [("cxtext/text/langid.py", "detect_languages")],
    "text cleaning and PII": [("cxtext/io/prepare.py", "prepare_texts")],
    "clause splitting": [("cxtext/themes/clauses.py", "clause_table")],
    "tokenisation": [("tokenizers", "encode_batch"), ("tokenization_utils", "__call__")],
    "encoder forward": [("torch/nn/modules/module.py", "_call_impl"), ("onnxruntime", "run")],
    "sentiment": [
        ("cxtext/sentiment/scoring.py", "clause_proba"),
        ("cxtext/sentiment/scoring.py", "add_sentiment_columns"),
    ],
    "theme assignment": [("cxtext/themes/tagging.py", "_theme_columns")],
    "Parquet I/O": [("pyarrow/parquet", "write_table"), ("pyarrow/parquet", "read_table")],
}


def comments(n: int) -> pd.DataFrame:
    """``n`` comments, a fifth from each source, shuffled with a fixed seed."""
    rng = np.random.default_rng(SEED)
    reviews = pd.read_csv(DATA / "womens_clothing_reviews/womens_clothing_reviews.csv")
    airline = pd.read_csv(DATA / "airline_tweets/Tweets.csv")
    umsab = pd.read_csv(DATA / "umsab/umsab_train_val.csv")
    support = pd.read_csv(DATA / "support_tweets/twcs_first5000.csv")
    dialogues = pd.read_csv(DATA / "orange_be_nl/orangebenl_dialogues.csv")
    pools = {
        "clothing reviews": reviews["Review Text"],
        "airline tweets": airline["text"],
        "umsab tweets": umsab["text"],
        "support tweets": support.loc[support["inbound"].astype(str) == "True", "text"],
        "dutch dialogues": dialogues.loc[~dialogues["is_operator"].astype(bool), "text"],
    }
    parts = []
    per = -(-n // len(pools))
    for name, texts in pools.items():
        texts = texts.dropna().astype(str).drop_duplicates()
        pick = rng.choice(len(texts), size=min(per, len(texts)), replace=False)
        parts.append(pd.DataFrame({"text": texts.iloc[pick].to_numpy(), "origin": name}))
    frame = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=SEED)
    frame = frame.head(n).reset_index(drop=True)
    frame.insert(0, "id", [f"c{i:06d}" for i in range(len(frame))])
    return frame


def cold_cache(folder: Path) -> Path:
    """A cache folder holding only the built encoders (linked), no embeddings."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for built in CACHE.iterdir():
        if built.is_dir():
            (folder / built.name).symlink_to(built)
    return folder


def cxtext(*args: str) -> dict[str, Any]:
    """Run the CLI with --json; its answer and wall seconds."""
    command = [str(Path(sys.executable).parent / "cxtext"), *args, "--json"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout) | {"wall_seconds": round(seconds, 1)}


def plain_encode(texts: list[str]) -> float:
    """Seconds of a plain fp32 sentence-transformers encode of ``texts``."""
    import torch
    from sentence_transformers import SentenceTransformer

    from cxtext.embeddings import build_default_encoder

    torch.set_num_threads(os.cpu_count() or 1)
    model = SentenceTransformer(str(build_default_encoder(CACHE)), device="cpu")
    model.encode(texts[:32], prompt="query: ", batch_size=32)  # warm-up, not timed
    started = time.perf_counter()
    model.encode(texts, prompt="query: ", batch_size=32, normalize_embeddings=True)
    return time.perf_counter() - started


def profile(source: Path, model: Path, work: Path) -> dict[str, Any]:
    """Stage seconds of an in-process tag of ``source`` with a cold cache."""
    from cxtext.batch import LocalEngine, TagSpec, run_tag_job
    from cxtext.io.mapping import ColumnMapping

    spec = TagSpec(model=model, sentiment=None, cache_dir=cold_cache(work / "profile-cache"))
    mapping = ColumnMapping.from_flags(text_col="text", id_col="id")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    run_tag_job(source, mapping, work / "profiled.parquet", spec, LocalEngine())
    profiler.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    stages: dict[str, float] = {}
    for stage, targets in STAGES.items():
        seconds = 0.0
        for (path, _, name), (_, _, _, cumulative, callers) in stats.items():
            for fragment, function in targets:
                # Count a function once: not when it is called by itself (recursion).
                if name == function and fragment in path:
                    inner = any(c[2] == function and fragment in c[0] for c in callers)
                    seconds += 0.0 if inner else cumulative
        stages[stage] = round(seconds, 2)
    stages["other (loading models, reading, merging)"] = round(
        max(total - sum(stages.values()), 0.0), 2
    )
    return {"seconds": round(total, 1), "stages": stages}


# What a faster runtime must keep within QUALITY_GATE of fp32, read from the quality
# benchmarks' results: themes.py and sentiment.py, each run once per encoder (``--encoder
# default-int8 --out results/themes_int8.json`` and ``results/sentiment_int8.json``).
QUALITY_GATE = 0.01
_CX, _HELD = "cxtext train + tag (defaults)", "cxtext tag, 7,003 held-out rows"
_B77, _HEAD = ("banking77", "sizes", "3000", "runs"), ("runs", "logistic head")
QUALITY: dict[str, tuple[str, tuple[str, ...]]] = {
    "Banking77 NMI, 3,000 rows": ("themes", (*_B77, _CX, "nmi")),
    "Banking77 ARI, 3,000 rows": ("themes", (*_B77, _CX, "ari")),
    "Banking77 accuracy, 3,000 rows": ("themes", (*_B77, _CX, "acc")),
    "Banking77 NMI, 7,003 held-out": ("themes", (*_B77, _HELD, "nmi")),
    "SIB-200 nine translations in one theme": ("themes", ("sib200", "runs", _CX, "all_nine")),
    "UMSAB sentiment macro-F1": ("sentiment", (*_HEAD, "umsab_val", "macro_f1")),
    "airline sentiment macro-F1": ("sentiment", (*_HEAD, "airline_heldout", "macro_f1")),
    "ABSA sentiment macro-F1": ("sentiment", (*_HEAD, "absa_heldout", "macro_f1")),
}


def quality_gate(results: Path, encoder: str) -> dict[str, Any]:
    """fp32 against ``encoder`` on the quality checks, from the recorded benchmark results."""
    suffix = "" if encoder == "default" else "_" + encoder.removeprefix("default-")
    rows: dict[str, Any] = {}
    for name, (benchmark, keys) in QUALITY.items():
        values = []
        for file in (results / f"{benchmark}.json", results / f"{benchmark}{suffix}.json"):
            value: Any = json.loads(file.read_text()) if file.exists() else None
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            values.append(value)
        fp32, other = values
        delta = None if fp32 is None or other is None else round(other - fp32, 4)
        rows[name] = {"fp32": fp32, encoder: other, "difference": delta}
        rows[name]["within_gate"] = None if delta is None else delta >= -QUALITY_GATE
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--train-rows", type=int, default=1500)
    parser.add_argument("--encoders", default="default,default-int8")
    parser.add_argument("--profile-rows", type=int, default=400)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "training" / "benchmarks" / "results" / "tagging.json"
    )
    args = parser.parse_args()
    import torch

    from cxtext.embeddings.runtimes import SPEEDS_FILE, cpu, measured_faster

    setup = {
        "cpu": cpu(),
        "rows": args.rows,
        "train_rows": args.train_rows,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    print("setup:", json.dumps(setup), flush=True)
    data = comments(args.rows + args.train_rows)
    setup["sources"] = data["origin"].value_counts().to_dict()
    setup["mean_characters"] = round(float(data["text"].str.len().mean()), 1)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="cxtext-tagging-") as tmp:
        work = Path(tmp)
        train, tag = work / "train.csv", work / "tag.csv"
        data.iloc[: args.train_rows].to_csv(train, index=False)
        data.iloc[args.train_rows :].to_csv(tag, index=False)
        texts = data.iloc[args.train_rows :]["text"].tolist()
        baseline = plain_encode(texts)
        results["plain sentence-transformers fp32 encode"] = {
            "seconds": round(baseline, 1),
            "comments_per_s": round(len(texts) / baseline, 1),
        }
        print(f"plain fp32 encode: {len(texts) / baseline:.1f} comments/s", flush=True)
        for encoder in args.encoders.split(","):
            config = work / f"{encoder}.toml"
            config.write_text(f'[themes]\nencoder = "{encoder}"\n')
            models = work / "models" / encoder
            flags = ["--text-col", "text", "--id-col", "id"]
            cxtext(
                "train",
                str(train),
                "--out",
                str(models),
                "--config",
                str(config),
                *flags,
                "--cache-dir",
                str(CACHE),
            )
            cache = cold_cache(work / f"cache-{encoder}")
            answer = cxtext(
                "tag",
                str(tag),
                "--model",
                str(models),
                "--out",
                str(work / f"{encoder}.parquet"),
                "--cache-dir",
                str(cache),
                "--runtime",
                "trained",
                *flags,
            )
            rate = answer["tagged"] / answer["wall_seconds"]
            results[f"cxtext tag ({encoder})"] = {
                "wall_seconds": answer["wall_seconds"],
                "comments_per_s": round(rate, 1),
                "ratio_to_plain_encode": round(rate * baseline / len(texts), 2),
                "tagged": answer["tagged"],
                "unassigned_share": answer["unassigned_share"],
            }
            print(
                f"cxtext tag ({encoder}): {rate:.1f} comments/s, "
                f"{rate * baseline / len(texts):.2f}x the plain encode",
                flush=True,
            )
        head = work / "profile.csv"
        data.iloc[args.train_rows :].head(args.profile_rows).to_csv(head, index=False)
        for encoder in args.encoders.split(","):
            models = work / "models" / encoder
            results[f"profile ({encoder})"] = profile(head, models, work)
            print(f"profile ({encoder}):", json.dumps(results[f"profile ({encoder})"]), flush=True)
    setup["load_average_at_end"] = round(os.getloadavg()[0], 2)
    # What `cxtext tag --runtime auto` picks here (timed by `cxtext encoder build`).
    speeds = CACHE / SPEEDS_FILE
    results["runtime auto picks"] = {
        "runtime": measured_faster(CACHE),
        "timed_by_encoder_build": json.loads(speeds.read_text()) if speeds.exists() else None,
    }
    print("cxtext tag --runtime auto uses:", results["runtime auto picks"]["runtime"])
    for encoder in args.encoders.split(","):
        if encoder != "default":
            gate = quality_gate(ROOT / "training" / "benchmarks" / "results", encoder)
            results[f"quality gate ({encoder} against fp32)"] = gate
            print(f"quality, fp32 against {encoder} (recorded runs; gate {QUALITY_GATE}):")
            for name, row in gate.items():
                print(f"  {name:40} {row['fp32']!s:>7} {row[encoder]!s:>7}  {row['within_gate']}")
    write_result(
        args.out,
        {
            "benchmark": "tagging",
            "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "setup": setup,
            "goal": "cxtext tag >= 3x the comments/s of a plain fp32 encode",
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
