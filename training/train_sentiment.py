"""Train the shipped sentiment model (models/sentiment/<version>/) from ../shared/data.

Usage: python training/train_sentiment.py [--version v1] [--head logistic|mlp]
       [--out models/sentiment]

Training data (read from ../shared/data, never copied; see its README.md):

- UMSAB (cardiffnlp/xlm-t) train split: 14,712 tweets, balanced negative / neutral /
  positive, 8 languages (ar, de, en, es, fr, hi, it, pt). Apache-2.0 repository.
- Twitter US Airline Sentiment (Kaggle / CrowdFlower, CC BY-NC-SA 4.0), every tweet
  outside the fixed 20% held-out split (SHA-256 of ``tweet_id``,
  :func:`cxtext.sentiment.training.holdout_mask`) that the benchmark evaluates on.

Texts are cleaned as the tagger cleans them (@handles, links and ``#`` removed) and
encoded by the project's default encoder through its persistent cache. Each source gets
the same total weight, and within a source every class the same weight, so the model is
neither an airline model nor biased to the majority class. The run is deterministic:
the same data and seed write the same arrays.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

from common import DATA, default_encoder, encode  # noqa: E402

from cxtext.sentiment.model import SHIPPED_DIR, SentimentModel, save_sentiment  # noqa: E402
from cxtext.sentiment.training import classification_figures, holdout_mask  # noqa: E402
from cxtext.text.clean import strip_addressing  # noqa: E402

UMSAB = DATA / "umsab" / "umsab_train_val.csv"
AIRLINE = DATA / "airline_tweets" / "Tweets.csv"
UMSAB_LANGUAGES = {
    "arabic": "ar",
    "english": "en",
    "french": "fr",
    "german": "de",
    "hindi": "hi",
    "italian": "it",
    "portuguese": "pt",
    "spanish": "es",
}
SEED = 0
# Chosen by training/benchmarks/sentiment.py (the head comparison in its JSON).
DEFAULT_HEAD = "logistic"


def load_umsab(split: str) -> pd.DataFrame:
    """UMSAB rows of one split ("train" or "val"): text, label, language, source."""
    frame = pd.read_csv(UMSAB)
    frame = frame[frame["split"] == split]
    return pd.DataFrame(
        {
            "text": strip_addressing(frame["text"].astype(str)).to_numpy(),
            "label": frame["label"].to_numpy(),
            "language": frame["lang"].map(UMSAB_LANGUAGES).to_numpy(),
            "source": "umsab",
        }
    )


def load_airline(*, heldout: bool) -> pd.DataFrame:
    """Airline tweets in (``heldout``) or outside the fixed 20% split."""
    frame = pd.read_csv(AIRLINE, dtype={"tweet_id": str})
    frame = frame[holdout_mask(frame["tweet_id"]) == heldout]
    return pd.DataFrame(
        {
            "text": strip_addressing(frame["text"].astype(str)).to_numpy(),
            "raw_text": frame["text"].astype(str).to_numpy(),
            "label": frame["airline_sentiment"].to_numpy(),
            "language": "en",
            "source": "airline",
        }
    )


def training_frame() -> pd.DataFrame:
    """Every training row (UMSAB train + airline outside the held-out split)."""
    return pd.concat([load_umsab("train"), load_airline(heldout=False)], ignore_index=True)


def balanced_weights(frame: pd.DataFrame) -> np.ndarray:
    """Equal total weight per source, and per class within a source; mean weight 1."""
    cells = frame.groupby(["source", "label"])["label"].transform("size").to_numpy(float)
    classes = frame.groupby("source")["label"].transform("nunique").to_numpy(float)
    sources = frame["source"].nunique()
    weight = 1.0 / (cells * classes * sources)
    return weight * len(frame)


def fit(frame: pd.DataFrame, X: np.ndarray, *, head: str) -> SentimentModel:
    """The sentiment model on vectors ``X`` of ``frame``'s rows, balanced weights."""
    model = SentimentModel(head=head, random_state=SEED)
    return model.fit(X, frame["label"].to_numpy(), sample_weight=balanced_weights(frame))


def evaluate(model: SentimentModel, X: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Macro-F1, accuracy, ECE and Brier of ``model`` on vectors and gold labels."""
    proba = model.predict_proba(X)
    predicted = model.classes_[proba.argmax(axis=1)]
    return classification_figures(labels, predicted, proba=proba, classes=model.classes_)


def model_card(version: str, head: str, sizes: dict[str, int], metrics: dict[str, Any]) -> str:
    """MODEL_CARD.md of the shipped bundle."""
    rows = "\n".join(
        f"| {title} | {m['n']:,} | {m['macro_f1']} | {m['accuracy']} | {m['ece']} |"
        for title, m in (
            ("UMSAB validation", metrics["umsab_val"]),
            ("Airline held-out 20%", metrics["airline_heldout"]),
        )
    )
    return f"""# cxtext sentiment model {version}

Three classes (negative / neutral / positive) over the sentence vectors of the default
encoder (multilingual-e5-small). Head: {head}; probabilities calibrated by temperature
scaling on a held-out 10% of the training rows. Score = P(positive) - P(negative).

## Training data
- UMSAB train split (cardiffnlp/xlm-t): {sizes["umsab"]:,} tweets in ar, de, en, es, fr, hi,
  it, pt.
- Twitter US Airline Sentiment: {sizes["airline"]:,} tweets outside the fixed 20% held-out
  split (SHA-256 of tweet_id).
Each source has the same total weight; within a source each class has the same weight.

## Evaluation (never trained on)
| Set | rows | macro-F1 | accuracy | ECE |
|---|---|---|---|---|
{rows}

Rebuild: `python training/train_sentiment.py --version {version}`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="v1")
    parser.add_argument("--head", default=DEFAULT_HEAD, choices=("logistic", "mlp"))
    parser.add_argument("--out", type=Path, default=SHIPPED_DIR)
    args = parser.parse_args()
    if not UMSAB.exists() or not AIRLINE.exists():
        raise SystemExit(f"training data missing under {DATA}")

    encoder = default_encoder()
    train = training_frame()
    X = encode(encoder, train["text"].tolist(), "training rows")
    started = time.perf_counter()
    model = fit(train, X, head=args.head)
    print(f"fit {args.head} head on {len(train):,} rows: {time.perf_counter() - started:.1f} s")

    metrics: dict[str, Any] = {}
    for name, frame in (
        ("umsab_val", load_umsab("val")),
        ("airline_heldout", load_airline(heldout=True)),
    ):
        metrics[name] = evaluate(
            model, encode(encoder, frame["text"].tolist(), name), frame["label"].to_numpy()
        )
        print(f"{name}: {metrics[name]}")
    metrics["temperature"] = round(model.temperature_, 4)

    sizes = train["source"].value_counts().to_dict()
    target = save_sentiment(
        model,
        args.out / args.version,
        name="sentiment",
        version=args.version,
        encoder=encoder.info.to_dict(),
        metrics=metrics,
        data_fingerprint={"rows": len(train), "sources": sizes},
        model_card=model_card(args.version, args.head, sizes, metrics),
    )
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
