"""Encoder benchmark: build time, load time and comments/s on real airline tweets.

Usage: python training/benchmarks/encoder.py [--rows 1000] [--out results/encoder.json]

Prints the setup (model, rows, cores, threads) and the figures, and writes them as JSON.
Data: Twitter US Airline Sentiment (Kaggle / CrowdFlower), read from ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import write_result

from cxtext.embeddings import CachedEncoder, EmbeddingCache, build_default_encoder, load_encoder

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--batch-sizes", default="16,32,64")
    parser.add_argument(
        "--out", type=Path, default=Path("training/benchmarks/results/encoder.json")
    )
    args = parser.parse_args()

    tweets = pd.read_csv(DATA / "airline_tweets" / "Tweets.csv", dtype=str)["text"]
    texts = tweets.head(args.rows).tolist()
    setup = {
        "rows": len(texts),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "data": "airline_tweets/Tweets.csv (first rows)",
    }
    print("setup:", json.dumps(setup))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        folder = build_default_encoder(Path(tmp))
        build_s = time.perf_counter() - started
        started = time.perf_counter()
        encoder = load_encoder(cache_dir=Path(tmp))
        load_s = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in folder.rglob("*")) / 2**20
        speeds = {}
        for batch_size in (int(b) for b in args.batch_sizes.split(",")):
            encoder.batch_size = batch_size
            # A per-run suffix defeats de-duplication across runs; each run encodes all rows.
            run_texts = [f"{t} {'.' * batch_size}" for t in texts]
            started = time.perf_counter()
            encoder.encode(run_texts)
            speeds[batch_size] = len(texts) / (time.perf_counter() - started)
        cached = CachedEncoder(encoder, EmbeddingCache(Path(tmp) / "cache.sqlite"))
        cached.encode(texts)
        started = time.perf_counter()
        cached.encode(texts)
        cached_rate = len(texts) / (time.perf_counter() - started)
    result = {
        "setup": setup,
        "model": encoder.info.to_dict(),
        "build_seconds": round(build_s, 1),
        "load_seconds": round(load_s, 2),
        "folder_mb": round(size_mb),
        "comments_per_second": {str(k): round(v, 1) for k, v in speeds.items()},
        "cached_comments_per_second": round(cached_rate),
        "over_window": encoder.stats.over_window,
    }
    print(f"build {build_s:.1f} s, load {load_s:.2f} s, folder {size_mb:.0f} MB")
    for batch_size, rate in speeds.items():
        print(f"batch {batch_size:>3}: {rate:6.1f} comments/s")
    print(f"from the cache: {cached_rate:,.0f} comments/s")
    write_result(args.out, result)


if __name__ == "__main__":
    main()
