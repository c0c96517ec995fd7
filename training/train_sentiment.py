"""Train the shipped sentiment model (cxtext/shipped/sentiment/<version>/) from ../shared/data.

Usage: python training/train_sentiment.py [--version v1] [--head logistic|mlp]
       [--out cxtext/shipped/sentiment]

Training data (read from ../shared/data, never copied; see its README.md):

- UMSAB (cardiffnlp/xlm-t) train split: 14,712 tweets, balanced negative / neutral /
  positive, 8 languages (ar, de, en, es, fr, hi, it, pt). Apache-2.0 repository.
- Twitter US Airline Sentiment (Kaggle / CrowdFlower, CC BY-NC-SA 4.0), every tweet
  outside the fixed 20% held-out split (SHA-256 of ``tweet_id``,
  :func:`cxtext.sentiment.training.holdout_mask`) that the benchmark evaluates on.
- SemEval ABSA sentences (laptop and hotel reviews, Pontiki et al.) whose opinions all
  share one polarity, outside the fixed 30% held-out split (SHA-256 of
  ``domain:sentence_id``): review sentences about one aspect, the shape of a clause.

Texts are cleaned as the tagger cleans them (@handles, links and ``#`` removed) and
encoded by the project's default encoder through its persistent cache. Each source gets
a fixed share of the total weight (``SOURCE_SHARES``), and within a source every class
the same weight, so the model is neither an airline model nor biased to the majority
class. The run is deterministic:
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

from cxtext.sentiment.model import (  # noqa: E402
    SHIPPED_DIR,
    SentimentModel,
    comment_sentiment,
    save_sentiment,
)
from cxtext.sentiment.scoring import clause_weights  # noqa: E402
from cxtext.sentiment.training import classification_figures, holdout_mask  # noqa: E402
from cxtext.text.clean import strip_addressing  # noqa: E402
from cxtext.themes.clauses import clause_table  # noqa: E402

UMSAB = DATA / "umsab" / "umsab_train_val.csv"
AIRLINE = DATA / "airline_tweets" / "Tweets.csv"
ABSA = DATA / "absa_semeval_en" / "absa_laptops_hotels_en.csv"
ABSA_HELDOUT_SHARE = 0.3
CLOTHING = DATA / "womens_clothing_reviews" / "womens_clothing_reviews.csv"
POLAR_REVIEWS_PER_SIDE = 400
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
# Share of the total training weight per source. The review sentences get a tenth: enough
# to teach the head what a one-aspect review clause sounds like (ABSA held-out macro-F1
# +3.4 points), little enough to keep the tweets' figures (UMSAB -1.4, airline -0.4); a
# third each cost UMSAB 3 points for 5 on ABSA (training/benchmarks/sentiment.py).
SOURCE_SHARES = {"umsab": 0.45, "airline": 0.45, "absa": 0.10}
# Chosen by training/benchmarks/sentiment.py (the head comparison in its JSON): the MLP
# scores 1.7 UMSAB points more but calls 13% of clearly polar reviews neutral (logistic 6%).
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


def load_absa(*, heldout: bool) -> pd.DataFrame:
    """ABSA sentences whose opinions share one polarity, in (``heldout``) or outside the
    fixed 30% split; sentences with no opinion or with mixed polarities are left out."""
    frame = pd.read_csv(ABSA, dtype=str)
    polarities = (
        frame["aspect_polarities"]
        .fillna("")
        .map(lambda cell: {part.rsplit("=", 1)[1] for part in cell.split(";") if "=" in part})
    )
    single = polarities.map(len) == 1
    frame = frame[single].assign(label=polarities[single].map(lambda p: next(iter(p))))
    key = frame["domain"] + ":" + frame["sentence_id"]
    frame = frame[holdout_mask(key, share=ABSA_HELDOUT_SHARE) == heldout]
    return pd.DataFrame(
        {
            "text": strip_addressing(frame["text"].astype(str)).to_numpy(),
            "label": frame["label"].to_numpy(),
            "language": "en",
            "source": "absa",
        }
    )


def training_frame() -> pd.DataFrame:
    """Every training row: UMSAB train, airline and ABSA outside their held-out splits."""
    return pd.concat(
        [load_umsab("train"), load_airline(heldout=False), load_absa(heldout=False)],
        ignore_index=True,
    )


def polar_reviews() -> pd.DataFrame:
    """A fixed sample of clearly polar clothing reviews: 1-2 stars (negative) and 5 stars
    (positive), ``POLAR_REVIEWS_PER_SIDE`` of each; never used for training."""
    frame = pd.read_csv(CLOTHING)
    frame = frame[frame["Review Text"].notna()]
    sides = [
        frame[frame["Rating"] <= 2].assign(label="negative"),
        frame[frame["Rating"] == 5].assign(label="positive"),
    ]
    picked = pd.concat([s.sample(n=POLAR_REVIEWS_PER_SIDE, random_state=SEED) for s in sides])
    return pd.DataFrame(
        {
            "id": picked.index.astype(str),
            "text": picked["Review Text"].astype(str).to_numpy(),
            "label": picked["label"].to_numpy(),
            "language": "en",
        }
    )


def comment_labels(
    model: SentimentModel, encoder: Any, frame: pd.DataFrame, *, opinion_weighted: bool = True
) -> np.ndarray:
    """Each comment's label as ``cxtext tag`` gives it: split into clauses, score each
    clause, average the clause probabilities (:func:`comment_sentiment`)."""
    clauses = clause_table(frame)
    vectors = encode(encoder, clauses["clause"].tolist(), "clauses")
    rows = clauses["row"].to_numpy(dtype=np.int64)
    sentiment = comment_sentiment(
        model.predict_proba(vectors),
        model.classes_,
        rows,
        clause_weights(clauses),
        len(frame),
        opinion_weighted=opinion_weighted,
    )
    return sentiment["sentiment_label"].fillna("neutral").to_numpy(dtype=str)


def polar_figures(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Neutral share and sign accuracy of labels given to clearly polar comments."""
    return {
        "n": len(truth),
        "neutral_share": round(float((predicted == "neutral").mean()), 4),
        "sign_accuracy": round(float((predicted == truth).mean()), 4),
    }


def evaluation_sets() -> dict[str, pd.DataFrame]:
    """The held-out sets no model here trains on, by name."""
    return {
        "umsab_val": load_umsab("val"),
        "airline_heldout": load_airline(heldout=True),
        "absa_heldout": load_absa(heldout=True),
    }


def balanced_weights(frame: pd.DataFrame) -> np.ndarray:
    """Each source its share of the total weight (:data:`SOURCE_SHARES`, renormalised over
    the sources present), and each class the same weight within a source; mean weight 1."""
    cells = frame.groupby(["source", "label"])["label"].transform("size").to_numpy(float)
    classes = frame.groupby("source")["label"].transform("nunique").to_numpy(float)
    shares = frame["source"].map(SOURCE_SHARES).to_numpy(float)
    weight = shares / (cells * classes)
    return weight / weight.mean()


def fit(frame: pd.DataFrame, X: np.ndarray, *, head: str) -> SentimentModel:
    """The sentiment model on vectors ``X`` of ``frame``'s rows, balanced weights."""
    model = SentimentModel(head=head, random_state=SEED)
    return model.fit(X, frame["label"].to_numpy(), sample_weight=balanced_weights(frame))


def evaluate(model: SentimentModel, X: np.ndarray, frame: pd.DataFrame) -> dict[str, Any]:
    """Macro-F1, accuracy, ECE, Brier and macro-F1 per language of ``model`` on vectors
    ``X`` of ``frame``'s rows (gold ``label``, ``language``)."""
    proba = model.predict_proba(X)
    predicted = model.classes_[proba.argmax(axis=1)]
    labels = frame["label"].to_numpy()
    figures = classification_figures(labels, predicted, proba=proba, classes=model.classes_)
    languages = frame["language"].to_numpy()
    if len(set(languages)) > 1:
        figures["by_language"] = {
            code: classification_figures(labels[languages == code], predicted[languages == code])[
                "macro_f1"
            ]
            for code in sorted(set(languages))
        }
    return figures


SET_TITLES = {
    "umsab_val": "UMSAB validation (8 languages)",
    "airline_heldout": "Airline tweets, held-out 20%",
    "absa_heldout": "ABSA review sentences, held-out 30%",
}


def model_card(
    version: str, head: str, sizes: dict[str, int], metrics: dict[str, Any], encoder: str
) -> str:
    """MODEL_CARD.md of the shipped bundle."""
    rows = "\n".join(
        f"| {title} | {metrics[name]['n']:,} | {metrics[name]['macro_f1']} | "
        f"{metrics[name]['accuracy']} | {metrics[name]['ece']} |"
        for name, title in SET_TITLES.items()
    )
    languages = metrics["umsab_val"]["by_language"]
    language_row = " | ".join(f"{code} {f1}" for code, f1 in languages.items())
    polar = metrics["polar_reviews"]
    return f"""# cxtext sentiment model {version}

Three classes (negative / neutral / positive) over the sentence vectors of the encoder
`{encoder}` (multilingual-e5-small). Head: {head}; probabilities calibrated by temperature
scaling on a held-out 10% of the training rows. Score = P(positive) - P(negative).

## Training data
- UMSAB train split (cardiffnlp/xlm-t): {sizes["umsab"]:,} tweets in ar, de, en, es, fr, hi,
  it, pt.
- Twitter US Airline Sentiment: {sizes["airline"]:,} tweets outside the fixed 20% held-out
  split (SHA-256 of tweet_id).
- SemEval ABSA laptop and hotel review sentences with one polarity: {sizes["absa"]:,}
  sentences outside the fixed 30% held-out split (SHA-256 of domain:sentence_id).
Shares of the training weight: UMSAB 45%, airline 45%, ABSA 10%; within a source each
class has the same weight.

## Evaluation (never trained on)
| Set | rows | macro-F1 | accuracy | ECE |
|---|---|---|---|---|
{rows}

UMSAB macro-F1 by language: {language_row}.

Clearly polar clothing reviews ({polar["n"]:,}: 1-2 stars and 5 stars), labelled as
`cxtext tag` labels a comment (clauses scored, then averaged by length and opinion):
neutral share {polar["neutral_share"]}, sign accuracy {polar["sign_accuracy"]}.

## Limits
- The encoder is frozen: the head sees one mean-pooled vector per clause. Sarcasm,
  negation far from its target and comparisons ("better than before, still slow") are
  often missed.
- Hindi tweets score lowest (see above); languages outside the eight evaluated ones are
  scored through the multilingual encoder but not measured.
- ABSA neutral sentences are rare (a few dozen held out), so its neutral F1 is noisy.

Rebuild: `python training/train_sentiment.py --version {version} --encoder {encoder}`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="v2")
    parser.add_argument("--head", default=DEFAULT_HEAD, choices=("logistic", "mlp"))
    parser.add_argument("--out", type=Path, default=SHIPPED_DIR)
    parser.add_argument(
        "--encoder",
        default="default",
        help="encoder whose vectors the head reads (e.g. default-int8)",
    )
    args = parser.parse_args()
    missing = [path for path in (UMSAB, AIRLINE, ABSA, CLOTHING) if not path.exists()]
    if missing:
        raise SystemExit(f"training data missing: {', '.join(map(str, missing))}")

    encoder = default_encoder(args.encoder)
    train = training_frame()
    X = encode(encoder, train["text"].tolist(), "training rows")
    started = time.perf_counter()
    model = fit(train, X, head=args.head)
    print(f"fit {args.head} head on {len(train):,} rows: {time.perf_counter() - started:.1f} s")

    metrics: dict[str, Any] = {}
    for name, frame in evaluation_sets().items():
        metrics[name] = evaluate(model, encode(encoder, frame["text"].tolist(), name), frame)
        print(f"{name}: {metrics[name]}")
    polar = polar_reviews()
    metrics["polar_reviews"] = polar_figures(
        polar["label"].to_numpy(), comment_labels(model, encoder, polar)
    )
    print(f"polar_reviews: {metrics['polar_reviews']}")
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
        model_card=model_card(args.version, args.head, sizes, metrics, encoder.info.id),
    )
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
