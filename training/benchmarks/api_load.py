"""Load benchmark of the HTTP API on a store of synthetic comments (127.0.0.1 only).

Usage: python training/benchmarks/api_load.py [--comments 1000000] [--workers 2]
       [--requests 300] [--concurrency 8] [--tag-requests 20] [--tag-concurrency 2]
       [--out training/benchmarks/results/api_load.json]

Setup, in a temporary folder:

1. Trains a theme model on the generated demo survey with the encoder new models train
   on (the int8 runtime; clause vectors from the persistent cache), and its predicted NPS
   group model.
2. Writes ``--comments`` synthetic tagged comments (26 weeks, 9 languages, 10 countries,
   90% survey answers, 1-3 clauses each, themes of that model, scores that depend on the
   themes) into a DuckDB store with the model published and active.
3. Starts ``cxtext serve --workers N`` twice, once with the response cache off
   (``CXTEXT_RESPONSE_CACHE_SIZE=0``: every read runs its queries) and once with the
   default cache (an LRU per worker process). For each endpoint it first sends every
   distinct request 2 x N times one by one (warm-up: JIT, connections, and with the cache
   on, the cached answers; its p50 and max are reported apart, and its max is what the
   first request after a store write pays), then the timed fixed number of requests at a
   fixed concurrency from one asyncio client:

   - GET /v1/themes (the 4-week share trend included);
   - GET /v1/drivers?segment=country:XX, cycling over the 10 countries;
   - GET /v1/comments?limit=50, cycling over NPS groups and themes;
   - the dashboard's view: the six requests its page sends (filter choices, NPS per month,
     themes, drivers, emerging themes, one theme by country), for all comments and for
     each country; the bytes of the unfiltered view's answers, and each of its requests'
     latency when sent one at a time, are reported too;
   - GET /v1/themes again with the ``ETag`` of an earlier answer in ``If-None-Match``
     (a client revalidating what it holds: ``304 Not Modified``, no body);
   - POST /v1/tag with 32 comments (demo texts in 9 languages), with its own count and
     concurrency (the encoder dominates; every worker encodes on the same 2 cores).

Prints p50 / p99 latency and the error count (non-2xx or failed) per endpoint and
configuration beside the goals (GET p99 <= 100 ms, POST /v1/tag p50 <= 1.5 s, zero
errors), and writes JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
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

from common import default_encoder, write_result  # noqa: E402

from api.settings import key_hash  # noqa: E402
from cxtext import schema  # noqa: E402
from cxtext.demo.files import write_demo  # noqa: E402
from cxtext.io import ingest_file  # noqa: E402
from cxtext.io.mapping import ColumnMapping  # noqa: E402
from cxtext.persistence import resolve_bundle  # noqa: E402
from cxtext.sentiment.fit import train_nps_bundle  # noqa: E402
from cxtext.sentiment.model import load_sentiment  # noqa: E402
from cxtext.store import Store  # noqa: E402
from cxtext.themes.bundle import load_model  # noqa: E402
from cxtext.themes.config import load_config  # noqa: E402
from cxtext.themes.model import ThemeModel  # noqa: E402
from cxtext.themes.train import save_trained, train_themes  # noqa: E402

KEY = "load-benchmark-key"
COUNTRIES = ("NL", "BE", "DE", "FR", "ES", "PT", "RO", "ZA", "AE", "GB")
GOALS = {"get_p99_ms": 100.0, "tag_p50_ms": 1500.0, "errors": 0}
SEED = 0


def synthetic(model: ThemeModel, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` tagged comments over the model's themes; scores depend on the themes."""
    themes = model.theme_ids_
    parent = dict(zip(themes.tolist(), model.parent_of(themes).tolist(), strict=True))
    pull = rng.normal(0, 2.5, size=len(themes))  # each theme's effect on the score
    k = rng.integers(1, 4, size=n)
    first = rng.integers(0, len(themes), size=n)
    steps = rng.integers(1, len(themes), size=(n, 2))
    clause_ids, clause_parents, clause_sent, theme_ids, parent_ids = [], [], [], [], []
    scores = np.empty(n)
    for i in range(n):
        picks = [first[i], (first[i] + steps[i, 0]) % len(themes)]
        picks.append((picks[1] + steps[i, 1]) % len(themes))
        chosen = list(dict.fromkeys(int(themes[p]) for p in picks[: k[i]]))
        effect = sum(pull[p] for p in picks[: len(chosen)])
        clause_ids.append(chosen)
        clause_parents.append([parent[t] for t in chosen])
        clause_sent.append([float(np.tanh(pull[p] / 2)) for p in picks[: len(chosen)]])
        theme_ids.append(chosen)
        parent_ids.append(list(dict.fromkeys(parent[t] for t in chosen)))
        scores[i] = 7.5 + effect
    survey = rng.random(n) < 0.9
    nps = np.clip(np.rint(scores + rng.normal(0, 1.5, n)), 0, 10).astype("int64")
    start = pd.Timestamp("2026-05-04", tz="UTC")
    frame = pd.DataFrame(
        {
            schema.ID: [f"s{i:07d}" for i in range(n)],
            schema.SOURCE: np.where(survey, "survey", "ticket"),
            schema.CREATED_AT: start + pd.to_timedelta(rng.integers(0, 26 * 7 * 86400, n), "s"),
            schema.TEXT: [
                f"synthetic comment {i} on theme {c[0]}" for i, c in enumerate(theme_ids)
            ],
            schema.LANGUAGE: rng.choice(list(schema.DEFAULT_LANGUAGES), size=n),
            schema.NPS_SCORE: pd.array(np.where(survey, nps, 0), dtype="Int64"),
            "country": rng.choice(COUNTRIES, size=n),
            schema.THEME_ID: [c[0] for c in theme_ids],
            schema.PARENT_THEME_ID: [p[0] for p in parent_ids],
            schema.THEME_IDS: theme_ids,
            schema.PARENT_THEME_IDS: parent_ids,
            schema.CLAUSE_THEME_IDS: clause_ids,
            schema.CLAUSE_PARENT_IDS: clause_parents,
            schema.CLAUSE_SENTIMENTS: clause_sent,
        }
    )
    frame.loc[~survey, schema.NPS_SCORE] = pd.NA
    frame[schema.SENTIMENT] = [float(np.mean(s)) for s in clause_sent]
    frame[schema.SENTIMENT_LABEL] = np.where(
        frame[schema.SENTIMENT] > 0.2,
        "positive",
        np.where(frame[schema.SENTIMENT] < -0.2, "negative", "neutral"),
    )
    frame[schema.PREDICTED_NPS_GROUP] = np.where(
        survey, None, rng.choice(["detractor", "passive", "promoter"], size=n)
    )
    return frame


def prepare(work: Path, n: int) -> tuple[Path, Path, list[str], dict[str, float]]:
    """Theme model, store of ``n`` comments, 32 demo texts for POST /v1/tag, and the
    store's write time and size."""
    files = write_demo(work / "demo", seed=SEED)
    survey = ingest_file(files["survey"], ColumnMapping.from_toml(files["survey_mapping"])).frame
    config = load_config(files["themes_config"])
    encoder = default_encoder(config.encoder)  # the encoder new models train on
    model, report, clauses = train_themes(survey, encoder, config)
    models_dir = work / "models" / "load"
    save_trained(
        model, report, clauses, config, encoder=encoder.info.to_dict(), models_dir=models_dir
    )
    sentiment, _ = load_sentiment(encoder_id=encoder.info.id)
    train_nps_bundle(survey, encoder, sentiment, models_dir=models_dir, theme_version="v1")
    started = time.perf_counter()
    frame = synthetic(model, n, np.random.default_rng(SEED))
    print(f"generated {n:,} synthetic comments in {time.perf_counter() - started:.1f} s")
    store_path = work / "store.duckdb"
    store = Store(store_path)
    _, manifest = load_model(resolve_bundle(models_dir))
    store.publish_model(manifest, model.themes_, model.parent_themes_, activate=True)
    started = time.perf_counter()
    store.write_comments(
        frame,
        run={"kind": "tag", "input": "synthetic"},
        segments=["country"],
        model="load",
        version="v1",
    )
    written = {
        "write_seconds": round(time.perf_counter() - started, 1),
        "size_mb": round(store_path.stat().st_size / 2**20, 1),
    }
    print(f"stored in {written['write_seconds']} s: {written['size_mb']} MB")
    texts = survey[schema.TEXT].dropna()
    texts = texts[texts.str.len() > 20].sample(32, random_state=SEED).tolist()
    return store_path, models_dir, texts, written


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(store: Path, models_dir: Path, workers: int, cache: int) -> tuple[Any, str]:
    """``cxtext serve`` in a child process; returns it and its base URL once ready."""
    import httpx

    port = free_port()
    env = os.environ | {
        "CXTEXT_API_KEYS": json.dumps(
            [{"name": "load", "sha256": key_hash(KEY), "scopes": ["read"]}]
        ),
        "CXTEXT_RESPONSE_CACHE_SIZE": str(cache),
        "CXTEXT_MAX_TAG_BATCH": "256",
    }
    command = [str(Path(sys.executable).parent / "cxtext"), "serve", "--store", str(store)]
    command += ["--model", str(models_dir), "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/v1/ready", timeout=5).status_code == 200:
                # Every worker loads its models on start; give the others time to finish.
                time.sleep(5 * workers)
                return server, base
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise SystemExit("the server exited during start-up")
        time.sleep(1)
    server.terminate()
    raise SystemExit("the server did not get ready")


async def load(
    base: str, requests: list[tuple[str, str, dict[str, Any]]], concurrency: int
) -> dict[str, Any]:
    """Send the requests at ``concurrency``; latency percentiles and errors."""
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(
        base_url=base,
        headers={"X-API-Key": KEY},
        timeout=120,
        limits=httpx.Limits(max_connections=concurrency),
    ) as client:

        async def one(method: str, path: str, options: dict[str, Any]) -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    response = await client.request(method, path, **options)
                    if response.status_code >= 300 and response.status_code != 304:
                        errors.append(f"{response.status_code} {path}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__} {path}")
                latencies.append(1000 * (time.perf_counter() - started))

        started = time.perf_counter()
        await asyncio.gather(*(one(*r) for r in requests))
        wall = time.perf_counter() - started
    values = np.asarray(latencies)
    return {
        "requests": len(requests),
        "concurrency": concurrency,
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p99_ms": round(float(np.percentile(values, 99)), 1),
        "max_ms": round(float(values.max()), 1),
        "errors": len(errors),
        "error_samples": errors[:5],
        "requests_per_s": round(len(requests) / wall, 1),
    }


def dashboard_view(country: str | None) -> list[tuple[str, str, dict[str, Any]]]:
    """The requests the dashboard sends to show one view (filters, NPS over time, themes,
    drivers, emerging themes) and open a theme, for all comments or one country."""
    flt = {"segment": f"country:{country}"} if country else {}
    page = {"level": "theme", "period": "month"}
    return [
        ("GET", "/v1/facets", {}),
        ("GET", "/v1/metrics/nps", {"params": flt | {"period": "month"}}),
        ("GET", "/v1/themes", {"params": flt | page | {"periods": 8}}),
        ("GET", "/v1/drivers", {"params": flt | {"level": "theme", "top": 10}}),
        ("GET", "/v1/emerging", {"params": flt | page}),
        ("GET", "/v1/themes/0", {"params": flt | page | {"by": "country"}}),
    ]


def view_answers(base: str) -> dict[str, Any]:
    """Bytes of each answer of the unfiltered dashboard view (what reaches the page), and
    each request's latency sent one by one for all 11 views, after one pass that warms
    the workers: which part of a view is slow."""
    import httpx

    sizes: dict[str, int] = {}
    latency: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, headers={"X-API-Key": KEY}, timeout=120) as client:
        for timed in (False, True):
            for country in (None, *COUNTRIES):
                for _, path, options in dashboard_view(country):
                    started = time.perf_counter()
                    answer = client.get(path, params=options.get("params"))
                    answer.raise_for_status()
                    if timed:
                        latency.setdefault(path, []).append(time.perf_counter() - started)
                    if country is None:
                        sizes[path] = len(answer.content)
    one_by_one = {
        path: {
            "p50_ms": round(1000 * float(np.median(values)), 1),
            "max_ms": round(1000 * max(values), 1),
        }
        for path, values in latency.items()
    }
    return {"dashboard_view_bytes": sizes, "dashboard_request_one_by_one": one_by_one}


def plan(args: argparse.Namespace, texts: list[str], etag: str) -> dict[str, tuple[list[Any], int]]:
    """The requests of each endpoint and their concurrency; ``etag``: that of the answer
    of GET /v1/themes."""
    groups = ("detractor", "passive", "promoter")
    comments = [
        (
            "GET",
            "/v1/comments",
            {
                "params": {"limit": 50, "nps_group": groups[i % 3]}
                | ({"theme_id": i % 7} if i % 2 else {})
            },
        )
        for i in range(args.requests)
    ]
    body = {"comments": [{"id": f"t{i}", "text": t} for i, t in enumerate(texts)]}
    revalidate = {"headers": {"If-None-Match": etag}}
    return {
        "GET /v1/themes": ([("GET", "/v1/themes", {})] * args.requests, args.concurrency),
        "GET /v1/themes (If-None-Match)": (
            [("GET", "/v1/themes", revalidate)] * args.requests,
            args.concurrency,
        ),
        "GET /v1/drivers?segment=country": (
            [
                ("GET", "/v1/drivers", {"params": {"segment": f"country:{COUNTRIES[i % 10]}"}})
                for i in range(args.requests)
            ],
            args.concurrency,
        ),
        "GET /v1/comments": (comments, args.concurrency),
        "GET dashboard views (6 requests each)": (
            [r for country in (None, *COUNTRIES) for r in dashboard_view(country)],
            args.concurrency,
        ),
        "POST /v1/tag (32 comments)": (
            [("POST", "/v1/tag", {"json": body})] * args.tag_requests,
            args.tag_concurrency,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--tag-requests", type=int, default=20)
    parser.add_argument("--tag-concurrency", type=int, default=2)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "training" / "benchmarks" / "results" / "api_load.json"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    setup = {
        "comments": args.comments,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "host": "127.0.0.1",
        "client": "httpx.AsyncClient in one process on the same machine",
    }
    print("setup:", json.dumps(setup))
    import httpx

    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="cxtext-load-") as tmp:
        store, models_dir, texts, written = prepare(Path(tmp), args.comments)
        setup["store"] = written
        for config, cache in (("no response cache", 0), ("response cache", 512)):
            server, base = start_server(store, models_dir, args.workers, cache)
            try:
                results[config] = view_answers(base)
                print(f"{config:18} dashboard view, one request at a time:")
                for path, figures in results[config]["dashboard_request_one_by_one"].items():
                    print(
                        f"{'':18}   {path:28} p50 {figures['p50_ms']:>8.1f} ms  max "
                        f"{figures['max_ms']:>8.1f} ms"
                    )
                etag = httpx.get(f"{base}/v1/themes", headers={"X-API-Key": KEY}).headers["etag"]
                for name, (requests, concurrency) in plan(args, texts, etag).items():
                    if cache and name.startswith("POST"):
                        continue  # tagging is never cached
                    # Warm-up, not timed in the figures: every distinct request a few times
                    # one by one, so each worker has run it (and, with the cache, kept it).
                    distinct = list({json.dumps(r, sort_keys=True): r for r in requests}.values())
                    warm = asyncio.run(load(base, distinct * 2 * args.workers, 1))
                    figures = asyncio.run(load(base, requests, concurrency))
                    figures["warm_up"] = {k: warm[k] for k in ("requests", "p50_ms", "max_ms")}
                    results[config][name] = figures
                    print(
                        f"{config:18} {name:32} p50 {figures['p50_ms']:>8.1f} ms  p99 "
                        f"{figures['p99_ms']:>8.1f} ms  errors {figures['errors']}  "
                        f"({figures['requests']} at concurrency {figures['concurrency']})",
                        flush=True,
                    )
            finally:
                server.terminate()
                server.wait(timeout=60)
    result = {
        "benchmark": "api_load",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": setup,
        "goals": GOALS,
        "results": results,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    write_result(args.out, result)


if __name__ == "__main__":
    main()
