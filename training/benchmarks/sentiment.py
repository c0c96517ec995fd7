"""Sentiment benchmark: the sentiment heads beside VADER and always-majority, one run.

Usage: python training/benchmarks/sentiment.py [--out training/benchmarks/results/sentiment.json]
       [--speed-rows 512]

Evaluated on data no model here trained on:

- UMSAB validation split (2,592 tweets, 324 per language, ar de en es fr hi it pt):
  macro-F1 overall and per language.
- Twitter US Airline Sentiment, the fixed 20% held-out split (SHA-256 of ``tweet_id``).
- SemEval ABSA laptop and hotel sentences with one polarity, the fixed 30% held-out split.
- Clearly polar clothing reviews (1-2 and 5 stars), labelled through the path of
  ``cxtext tag`` (clauses scored, probabilities averaged by length): neutral share and
  sign accuracy.

Rows of the table: the logistic and the MLP head trained here exactly as
``training/train_sentiment.py`` trains the shipped model (the head comparison that picks
its default); the logistic head on the earlier recipe (tweets only, no review sentences),
to show what the review sentences add; the shipped bundle as loaded from
``cxtext/shipped/sentiment``; VADER (vaderSentiment, English lexicon; compound >= 0.05 positive,
<= -0.05 negative, as its authors recommend) on the raw texts; always-majority (the
training set's majority class of that source). Also: ECE of the calibrated probabilities,
and comments per second on this machine for the encoder + head (no cache) and for the
head alone.

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
    SET_TITLES,
    comment_labels,
    evaluate,
    evaluation_sets,
    fit,
    polar_figures,
    polar_reviews,
    training_frame,
)

from cxtext.sentiment.model import SHIPPED_DIR, load_sentiment  # noqa: E402
from cxtext.sentiment.training import classification_figures  # noqa: E402

GOALS = {
    "umsab_val": 0.66,
    "umsab_min_language": 0.55,
    "airline_heldout": 0.80,
    "absa_heldout": 0.75,
    "polar_neutral_share": 0.10,
}
EARLIER_SOURCES = ("umsab", "airline")


def vader_labels(texts: list[str]) -> np.ndarray | None:
    """VADER's label per text, or None when vaderSentiment is not installed."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    scores = np.asarray([analyzer.polarity_scores(t)["compound"] for t in texts])
    return np.where(scores >= 0.05, "positive", np.where(scores <= -0.05, "negative", "neutral"))


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


def meets_goals(figures: dict[str, Any]) -> dict[str, bool]:
    """Which goals one model's figures meet."""
    umsab = figures["umsab_val"]
    return {
        "umsab_val": umsab["macro_f1"] >= GOALS["umsab_val"],
        "umsab_min_language": min(umsab["by_language"].values()) >= GOALS["umsab_min_language"],
        "airline_heldout": figures["airline_heldout"]["macro_f1"] >= GOALS["airline_heldout"],
        "absa_heldout": figures["absa_heldout"]["macro_f1"] >= GOALS["absa_heldout"],
        "polar_neutral_share": figures["polar_reviews"]["neutral_share"]
        <= GOALS["polar_neutral_share"],
    }


def baselines(
    train: pd.DataFrame, sets: dict[str, pd.DataFrame], polar: pd.DataFrame
) -> dict[str, dict[str, Any]]:
    """Always-majority and (when installed) VADER on every set."""
    runs: dict[str, dict[str, Any]] = {"always-majority": {}}
    for name, frame in sets.items():
        source = frame["source"].iloc[0]
        majority = train.loc[train["source"] == source, "label"].mode()[0]
        runs["always-majority"][name] = classification_figures(
            frame["label"], np.full(len(frame), majority)
        )
    vader_sets = {name: frame.get("raw_text", frame["text"]) for name, frame in sets.items()}
    vader = {name: vader_labels(texts.tolist()) for name, texts in vader_sets.items()}
    polar_vader = vader_labels(polar["text"].tolist())
    if polar_vader is None:
        print("VADER skipped: pip install -e '.[bench]' to compare against it")
        return runs
    runs["VADER (English lexicon)"] = {
        name: classification_figures(frame["label"], vader[name]) for name, frame in sets.items()
    }
    runs["VADER (English lexicon)"]["polar_reviews"] = polar_figures(
        polar["label"].to_numpy(), polar_vader
    )
    return runs


def print_table(runs: dict[str, dict[str, Any]]) -> None:
    """The side-by-side table and the per-language line of each model."""
    columns = [*SET_TITLES, "polar_reviews"]
    print(f"\n{'':36}{'UMSAB F1':>10}{'airline F1':>12}{'ABSA F1':>10}{'polar neutral':>15}")
    print(f"{'goal':36}{'>= 0.66':>10}{'>= 0.80':>12}{'>= 0.75':>10}{'<= 0.10':>15}")
    for name, figures in runs.items():
        cells = [
            figures[c].get("neutral_share" if c == "polar_reviews" else "macro_f1", float("nan"))
            if c in figures
            else float("nan")
            for c in columns
        ]
        print(f"{name:36}{cells[0]:>10.3f}{cells[1]:>12.3f}{cells[2]:>10.3f}{cells[3]:>15.3f}")
    print("\nUMSAB validation macro-F1 by language (goal: none below 0.55):")
    for name, figures in runs.items():
        languages = figures["umsab_val"].get("by_language")
        if languages:
            print(f"  {name:34}" + " ".join(f"{k} {v:.2f}" for k, v in languages.items()))
    print("\nClearly polar reviews, neutral share / sign accuracy, clauses averaged by")
    print("length and opinion (as cxtext tag does) vs by length only:")
    for name, figures in runs.items():
        if "polar_by_length" in figures:
            a, b = figures["polar_reviews"], figures["polar_by_length"]
            print(
                f"  {name:34}{a['neutral_share']:.3f} / {a['sign_accuracy']:.3f}"
                f"   vs {b['neutral_share']:.3f} / {b['sign_accuracy']:.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "training" / "benchmarks" / "results" / "sentiment.json"
    )
    parser.add_argument("--speed-rows", type=int, default=512)
    parser.add_argument("--encoder", default="default", help="e.g. default-int8")
    args = parser.parse_args()
    started = time.perf_counter()

    encoder = default_encoder(args.encoder)
    train = training_frame()
    sets = evaluation_sets()
    polar = polar_reviews()
    setup = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "encoder": encoder.info.to_dict(),
        "training_rows": train["source"].value_counts().to_dict(),
        "evaluation_rows": {name: len(frame) for name, frame in sets.items()}
        | {"polar_reviews": len(polar)},
        "seed": SEED,
    }
    print("setup:", json.dumps(setup))
    X_train = encode(encoder, train["text"].tolist(), "training rows")
    vectors = {name: encode(encoder, f["text"].tolist(), name) for name, f in sets.items()}

    models: dict[str, Any] = {}
    fit_seconds: dict[str, float] = {}
    earlier = train["source"].isin(EARLIER_SOURCES).to_numpy()
    recipes = {
        "logistic head": (train, X_train, "logistic"),
        "mlp head": (train, X_train, "mlp"),
        "logistic head, tweets only": (train[earlier], X_train[earlier], "logistic"),
    }
    for name, (frame, X, head) in recipes.items():
        t = time.perf_counter()
        models[name] = fit(frame, X, head=head)
        fit_seconds[name] = round(time.perf_counter() - t, 1)
    if SHIPPED_DIR.exists():
        shipped, manifest = load_sentiment(encoder_id=encoder.info.id)
        if manifest["encoder"]["id"] == encoder.info.id:  # never another encoder's head
            models[f"shipped {manifest['version']} ({shipped.head})"] = shipped

    runs: dict[str, dict[str, Any]] = {}
    for name, model in models.items():
        runs[name] = {"fit_seconds": fit_seconds.get(name)}
        for set_name, frame in sets.items():
            runs[name][set_name] = evaluate(model, vectors[set_name], frame)
        for key, opinion_weighted in (("polar_reviews", True), ("polar_by_length", False)):
            runs[name][key] = polar_figures(
                polar["label"].to_numpy(),
                comment_labels(model, encoder, polar, opinion_weighted=opinion_weighted),
            )
        runs[name]["meets_goals"] = meets_goals(runs[name])
    runs |= baselines(train, sets, polar)
    print_table(runs)

    # The head that keeps clearly polar reviews out of neutral, then the best F1 sum.
    best = max(
        ("logistic head", "mlp head"),
        key=lambda n: (
            runs[n]["meets_goals"]["polar_neutral_share"],
            sum(runs[n][s]["macro_f1"] for s in SET_TITLES),
        ),
    )
    texts = sets["airline_heldout"]["text"].tolist()[: args.speed_rows]
    throughput = speed(encoder, models[best], texts)
    print(f"\nbest head: {best}; speed ({os.cpu_count()} cores): {throughput}")
    result = {
        "benchmark": "sentiment",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": setup,
        "goals": GOALS,
        "runs": runs,
        "best_head": best,
        "speed": throughput,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    write_result(args.out, result)


if __name__ == "__main__":
    main()
