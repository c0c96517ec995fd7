"""Memory benchmark of batch tagging: peak RSS of `cxtext tag` on a large input.

Usage: python training/benchmarks/tagging_memory.py [--rows 300000] [--pool 3000]
       [--chunk-rows 5000] [--out training/benchmarks/results/tagging_memory.json]

Setup, in a temporary folder: ``--pool`` distinct real comments (the mix of
``tagging.py``: reviews, tweets in 8 languages, support tweets, Dutch dialogues) train a
theme model and are tagged once, so the embedding cache holds their clauses; then a CSV
of ``--rows`` rows (unique ids, texts drawn from the pool, a score and a date) is tagged
by ``cxtext tag`` under ``/usr/bin/time -v``. The encoder is not what this measures (see
``tagging.py`` for throughput on unseen comments): every other stage runs on every row,
and the input and output never sit whole in memory. Prints peak RSS against the goal
(1.5 GiB), rows/s and the job's summary, and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "training"))
sys.path.insert(0, str(ROOT / "training" / "benchmarks"))

from common import write_result  # noqa: E402
from tagging import CACHE, comments  # noqa: E402

GOAL_GIB = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--pool", type=int, default=3000)
    parser.add_argument("--chunk-rows", type=int, default=5_000)
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "training" / "benchmarks" / "results" / "tagging_memory.json",
    )
    args = parser.parse_args()
    setup = {
        "rows": args.rows,
        "pool": args.pool,
        "chunk_rows": args.chunk_rows,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }
    print("setup:", json.dumps(setup), flush=True)
    cli = str(Path(sys.executable).parent / "cxtext")
    flags = ["--text-col", "text", "--id-col", "id", "--cache-dir", str(CACHE), "--json"]
    with tempfile.TemporaryDirectory(prefix="cxtext-memory-") as tmp:
        work = Path(tmp)
        pool = comments(args.pool)
        pool_file = work / "pool.csv"
        pool.to_csv(pool_file, index=False)
        models = work / "models" / "themes"
        for command in (
            [cli, "train", str(pool_file), "--out", str(models), *flags],
            [
                cli,
                "tag",
                str(pool_file),
                "--model",
                str(models),
                "--out",
                str(work / "p.parquet"),
                *flags,
            ],
        ):
            subprocess.run(command, check=True, capture_output=True)
        rng = np.random.default_rng(0)
        pick = rng.integers(0, len(pool), size=args.rows)
        big = pd.DataFrame(
            {
                "id": [f"r{i:08d}" for i in range(args.rows)],
                "text": pool["text"].to_numpy()[pick],
            }
        )
        source = work / "big.csv"
        big.to_csv(source, index=False)
        setup["input_mb"] = round(source.stat().st_size / 2**20, 1)
        del big
        out = work / "tagged.parquet"
        command = [
            "/usr/bin/time",
            "-v",
            cli,
            "tag",
            str(source),
            "--model",
            str(models),
            "--out",
            str(out),
            "--chunk-rows",
            str(args.chunk_rows),
            *flags,
        ]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(done.stderr[-3000:])
        peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)[1])
        summary = json.loads(done.stdout)
        setup["output_mb"] = round(out.stat().st_size / 2**20, 1)
    peak_gib = peak_kib / 2**20
    result = {
        "peak_rss_gib": round(peak_gib, 3),
        "goal_gib": GOAL_GIB,
        "meets_goal": peak_gib <= GOAL_GIB,
        "wall_seconds": round(seconds, 1),
        "rows_per_s": round(summary["tagged"] / seconds, 1),
        "summary": {
            k: summary[k]
            for k in ("read", "tagged", "quarantined", "chunks", "unassigned_share", "seconds")
        },
    }
    print(
        f"peak RSS {peak_gib:.2f} GiB (goal <= {GOAL_GIB}), {result['rows_per_s']:,} rows/s, "
        f"{seconds:.0f} s",
        flush=True,
    )
    write_result(
        args.out,
        {
            "benchmark": "tagging_memory",
            "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "setup": setup,
            "results": result,
        },
    )


if __name__ == "__main__":
    main()
