"""Sentiment benchmark: the sentiment heads beside VADER and always-majority, one run.

Usage: python training/benchmarks/sentiment.py [--out training/benchmarks/results/sentiment.json]
       [--speed-rows 512]

Evaluated on data no model here trained on:

- UMSAB validation split (2,592 tweets, 324 per language, ar de en es fr hi it pt):
  macro-F1 overall and per language.
- Twitter US Airline Sentiment, the fixed 20% held-out split (SHA-256 of ``tweet_id``).

Rows of the table: the logistic and the MLP head, both trained here exactly as
``training/train_sentiment.py`` trains the shipped model (the head comparison that picks
its default); the shipped bundle as loaded from ``models/sentiment``; VADER
(vaderSentiment, English lexicon; compound >= 0.05 positive, <= -0.05 negative, as its
authors recommend) on the raw texts; always-majority (the training set's majority class
of that source). Also: ECE of the calibrated probabilities, and comments per second on
this machine for the encoder + head (no cache) and for the head alone.

Embeddings come from the default encoder through its persistent cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "training"))

from common import default_encoder, encode, write_result  # noqa: E402
from train_sentiment import (  # noqa: E402
    SEED,
    evaluate,
    fit,
    load_airline,
    load_umsab,
    training_frame,
)

from cxtext.sentiment.model import SHIPPED_DIR, load_sentiment  # noqa: E402
from cxtext.sentiment.training import classification_figures  # noqa: E402

GOALS = {"umsab_val": 0.66, "airline_heldout": 0.80}


def vader_labels(texts: list[str]) -> np.ndarray | None:
    """VADER's label per text, or None when vaderSentiment is not installed."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    scores = np.asarray([analyzer.polarity_scores(t)["compound"] for t in texts])
    return np.where(scores >= 0.05, "positive", np.where(scores <= -0.05, "negative", "neutral"))


def by_language(frame: pd.DataFrame, predicted: np.ndarray) -> dict[str, float]:
    """Macro-F1 per language."""
    out = {}
    for code in sorted(frame["language"].unique()):
        rows = (frame["language"] == code).to_numpy()
        out[code] = classification_figures(frame["label"][rows], predicted[rows])["macro_f1"]
    return out


def speed(encoder: Any, model: Any, texts: list[str]) -> dict[str, float]:
    """Comments/s for encoder + head without the cache, and for the head alone."""
    plain = encoder.encoder  # the encoder behind the cache
    started = time.perf_counter()
    X = plain.encode(texts)
    model.predict_proba(X)
    total = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(20):
        model.predict_proba(X)
    head = (time.perf_counter() - started) / 20
    return {
        "rows": len(texts),
        "encoder_and_head_per_s": round(len(texts) / total, 1),
        "head_only_per_s": round(len(texts) / head, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "training" / "benchmarks" / "results" / "sentiment.json"
    )
    parser.add_argument("--speed-rows", type=int, default=512)
    args = parser.parse_args()
    started = time.perf_counter()

    encoder = default_encoder()
    train = training_frame()
    sets = {"umsab_val": load_umsab("val"), "airline_heldout": load_airline(heldout=True)}
    setup = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "encoder": encoder.info.to_dict(),
        "training_rows": train["source"].value_counts().to_dict(),
        "evaluation_rows": {name: len(frame) for name, frame in sets.items()},
        "seed": SEED,
    }
    print("setup:", json.dumps(setup))
    X_train = encode(encoder, train["text"].tolist(), "training rows")
    vectors = {name: encode(encoder, f["text"].tolist(), name) for name, f in sets.items()}

    models: dict[str, Any] = {}
    fit_seconds: dict[str, float] = {}
    for head in ("logistic", "mlp"):
        t = time.perf_counter()
        models[f"{head} head"] = fit(train, X_train, head=head)
        fit_seconds[f"{head} head"] = round(time.perf_counter() - t, 1)
    if SHIPPED_DIR.exists():
        shipped, manifest = load_sentiment()
        models[f"shipped {manifest['version']} ({shipped.head})"] = shipped

    runs: dict[str, dict[str, Any]] = {}
    for name, model in models.items():
        runs[name] = {"fit_seconds": fit_seconds.get(name)}
        for set_name, frame in sets.items():
            figures = evaluate(model, vectors[set_name], frame["label"].to_numpy())
            predicted = model.predict(vectors[set_name])
            figures["by_language"] = by_language(frame, predicted)
            figures["meets_goal"] = figures["macro_f1"] >= GOALS[set_name]
            runs[name][set_name] = figures
    majority = {
        "umsab_val": train.loc[train["source"] == "umsab", "label"].mode()[0],
        "airline_heldout": train.loc[train["source"] == "airline", "label"].mode()[0],
    }
    runs["always-majority"] = {
        name: classification_figures(frame["label"], np.full(len(frame), majority[name]))
        for name, frame in sets.items()
    }
    raw_texts = {
        "umsab_val": sets["umsab_val"]["text"],
        "airline_heldout": sets["airline_heldout"]["raw_text"],
    }
    vader = {name: vader_labels(raw_texts[name].tolist()) for name in sets}
    if all(v is not None for v in vader.values()):
        runs["VADER (English lexicon)"] = {}
        for name, frame in sets.items():
            labels = vader[name]
            assert labels is not None
            figures = classification_figures(frame["label"], labels)
            figures["by_language"] = by_language(frame, labels)
            runs["VADER (English lexicon)"][name] = figures
    else:
        print("VADER skipped: pip install -e '.[bench]' to compare against it")

    print(f"\n{'':34}{'UMSAB val F1':>14}{'airline F1':>12}{'UMSAB ECE':>11}{'airline ECE':>12}")
    print(f"{'goal':34}{'>= 0.66':>14}{'>= 0.80':>12}")
    for name, figures in runs.items():
        u, a = figures["umsab_val"], figures["airline_heldout"]
        print(
            f"{name:34}{u['macro_f1']:>14.3f}{a['macro_f1']:>12.3f}"
            f"{u.get('ece', float('nan')):>11.3f}{a.get('ece', float('nan')):>12.3f}"
        )
    print("\nUMSAB validation macro-F1 by language:")
    for name, figures in runs.items():
        langs = figures["umsab_val"].get("by_language")
        if langs:
            print(f"  {name:32}" + " ".join(f"{k} {v:.2f}" for k, v in langs.items()))

    best = max(
        ("logistic head", "mlp head"),
        key=lambda n: runs[n]["umsab_val"]["macro_f1"] + runs[n]["airline_heldout"]["macro_f1"],
    )
    texts = sets["airline_heldout"]["text"].tolist()[: args.speed_rows]
    throughput = speed(encoder, models[best], texts)
    print(f"\nspeed ({best}, {os.cpu_count()} cores): {throughput}")
    result = {
        "benchmark": "sentiment",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": setup,
        "goals_macro_f1": GOALS,
        "runs": runs,
        "best_head": best,
        "speed": throughput,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    write_result(args.out, result)


if __name__ == "__main__":
    main()
