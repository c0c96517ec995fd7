"""Predicted NPS group and drivers on real reviews, with Rating as the score PROXY.

Usage: python training/benchmarks/drivers.py [--rows 4000]
       [--out training/benchmarks/results/drivers.json]

Data: Women's E-Commerce Clothing Reviews (Kaggle, CC0; ../shared/data, never copied),
a fixed random sample of ``--rows`` reviews with text (seed 0). These are product reviews
with a 1-5 Rating, not NPS answers: Rating 1-2 stands in for detractors, 3 for passives,
4-5 for promoters (the data README's proxy). Every figure below is about that proxy.

1. Predicted group: the product's NpsGroupModel on its features (clause vectors + clause
   sentiment), beside the same model on vectors only, on vectors + sentiment + theme
   multi-hot, and always-majority; fixed held-out 20% by SHA-256 of the review id.
   Macro-F1, accuracy, ECE, Brier, and the predicted vs true group shares (what the theme
   tables report for unscored comments).
2. Drivers: a ThemeModel fitted on the reviews' clauses, then each theme's impact on the
   proxy NPS with its 95% interval; the top detraction and promotion drivers printed.

The pipeline is the product's: clauses (cxtext.themes.clauses.clause_table), the default
encoder through its persistent cache, the shipped sentiment model.
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
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

from common import default_encoder, write_result  # noqa: E402

from cxtext.analysis.drivers import drivers_report  # noqa: E402
from cxtext.io import ingest_file  # noqa: E402
from cxtext.io.mapping import ColumnMapping  # noqa: E402
from cxtext.sentiment.model import load_sentiment  # noqa: E402
from cxtext.sentiment.nps_group import NpsGroupModel, comment_features  # noqa: E402
from cxtext.sentiment.training import classification_figures, holdout_mask  # noqa: E402
from cxtext.themes.clauses import clause_table, encode_texts  # noqa: E402
from cxtext.themes.model import ThemeModel  # noqa: E402
from cxtext.themes.tagging import tag_frame  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "womens_clothing_reviews" / "womens_clothing_reviews.csv"
MAPPING = ROOT / "training" / "configs" / "mappings" / "clothing_reviews.toml"
PROXY = {1: "detractor", 2: "detractor", 3: "passive", 4: "promoter", 5: "promoter"}
SEED = 0


def load_sample(rows: int) -> pd.DataFrame:
    """Canonical frame of a fixed sample of reviews with text, ``nps_group`` by proxy."""
    mapping = ColumnMapping.from_toml(MAPPING)
    frame = ingest_file(DATA, mapping).frame
    frame = frame[frame["text"].fillna("").str.strip() != ""]
    frame = frame.sample(n=min(rows, len(frame)), random_state=SEED).reset_index(drop=True)
    frame["nps_group"] = frame["csat"].astype(int).map(PROXY)
    frame["language"] = "en"
    return frame


def evaluate(
    name: str, X: np.ndarray, y: np.ndarray, held: np.ndarray, model: Any
) -> dict[str, Any]:
    """Held-out figures of a model fitted on the other rows."""
    model.fit(X[~held], y[~held])
    proba = model.predict_proba(X[held])
    predicted = model.classes_[proba.argmax(axis=1)]
    figures = classification_figures(y[held], predicted, proba=proba, classes=model.classes_)
    figures["predicted_shares"] = dict(
        zip(model.classes_.tolist(), proba.mean(axis=0).round(4).tolist(), strict=True)
    )
    print(
        f"  {name:42} macro-F1 {figures['macro_f1']:.3f}  acc {figures['accuracy']:.3f}  "
        f"ECE {figures['ece']:.3f}  Brier {figures['brier']:.3f}"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "training" / "benchmarks" / "results" / "drivers.json"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    frame = load_sample(args.rows)
    encoder = default_encoder()
    sentiment, manifest = load_sentiment()
    clauses = clause_table(frame)
    setup = {
        "reviews": len(frame),
        "clauses": len(clauses),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "encoder": encoder.info.id,
        "sentiment_model": f"{manifest['name']}/{manifest['version']}",
        "proxy": "Rating 1-2 detractor, 3 passive, 4-5 promoter",
    }
    print("setup:", json.dumps(setup))
    t = time.perf_counter()
    vectors = encode_texts(encoder, clauses["clause"].tolist())
    print(f"encoded {len(clauses):,} clauses in {time.perf_counter() - t:.1f} s")

    # 1. predicted group
    n = len(frame)
    rows = clauses["row"].to_numpy(dtype=np.int64)
    weights = np.maximum(clauses["clause"].str.len().to_numpy(float), 1.0)
    proba = sentiment.predict_proba(vectors)
    features = comment_features(vectors, proba, sentiment.classes_, rows, weights, n)
    dim = vectors.shape[1]
    t = time.perf_counter()
    themes = ThemeModel(random_state=SEED).fit(
        vectors, languages=clauses["language"].tolist(), content=clauses["content"].to_numpy()
    )
    fit_seconds = round(time.perf_counter() - t, 1)
    multi_hot = np.zeros((n, len(themes.theme_ids_)), np.float32)
    assigned = themes.labels_ >= 0
    columns = np.searchsorted(themes.theme_ids_, themes.labels_[assigned])
    multi_hot[rows[assigned], columns] = 1.0
    y = frame["nps_group"].to_numpy().astype(str)
    held = holdout_mask(frame["id"].astype(str))
    print(f"\npredicted group on the held-out 20% ({held.sum():,} reviews), Rating proxy:")
    runs = {
        "vectors only": evaluate("vectors only", features[:, :dim], y, held, NpsGroupModel()),
        "vectors + sentiment (product)": evaluate(
            "vectors + sentiment (product)", features, y, held, NpsGroupModel()
        ),
        "vectors + sentiment + themes": evaluate(
            "vectors + sentiment + themes",
            np.hstack([features, multi_hot]),
            y,
            held,
            NpsGroupModel(),
        ),
    }
    majority = pd.Series(y[~held]).mode()[0]
    runs["always-majority"] = classification_figures(y[held], np.full(held.sum(), majority))
    print(f"  {'always-majority':42} macro-F1 {runs['always-majority']['macro_f1']:.3f}")
    true_shares = {str(g): round(float((y[held] == g).mean()), 4) for g in sorted(set(y))}
    print(f"  true shares {true_shares}")
    print(
        f"  predicted shares (product) {runs['vectors + sentiment (product)']['predicted_shares']}"
    )

    # 2. drivers on the proxy NPS
    tagged = tag_frame(frame, themes, encoder, sentiment=sentiment)
    tagged["nps_group"] = frame["nps_group"].to_numpy()
    report = drivers_report(tagged, top=5)
    print(
        f"\ndrivers ({len(themes.theme_ids_)} themes, fit {fit_seconds} s), proxy NPS "
        f"{report['overall']['nps']:.1f} over {report['overall']['n']:,} reviews:"
    )
    for side in ("detraction", "promotion"):
        for row in report["key_drivers"][side]:
            examples = [
                text
                for text, label in zip(clauses["clause"], themes.labels_, strict=True)
                if label == row["theme_id"]
            ][:2]
            print(
                f"  {side:10} theme {row['theme_id']:>3}  n {row['n']:>4}  impact "
                f"{row['impact']:+.2f} [{row['impact_ci'][0]:+.2f}, {row['impact_ci'][1]:+.2f}]"
                f"  e.g. {' | '.join(e[:60] for e in examples)}"
            )
    result = {
        "benchmark": "drivers",
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "setup": setup,
        "predicted_group": runs | {"true_shares": true_shares},
        "drivers": {
            "overall": report["overall"],
            "key_drivers": report["key_drivers"],
            "method": report["method"],
        },
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    write_result(args.out, result)


if __name__ == "__main__":
    main()
