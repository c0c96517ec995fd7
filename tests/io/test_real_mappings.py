"""The shipped mapping configs ingest the real public data sets (../shared/data).

Skipped when the data folder is not beside the checkout. Language id is off to keep the
tests fast; everything else (validation, cleaning, PII) runs as in production.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxtext.io import ColumnMapping, ingest_file

ROOT = Path(__file__).resolve().parents[2]
DATA = (ROOT / ".." / "shared" / "data").resolve()
MAPPINGS = ROOT / "training" / "configs" / "mappings"

pytestmark = pytest.mark.integration


def ingest(config: str, relative: str, tmp_path: Path) -> tuple[pd.DataFrame, dict]:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"real data not available: {path} (expected ../shared/data beside the repo)")
    mapping = ColumnMapping.from_toml(MAPPINGS / config)
    result = ingest_file(path, mapping, detect_language=False, quarantine_path=tmp_path / "q.csv")
    report = result.report.to_dict()
    assert report["read"] == report["accepted"] + report["quarantined"]
    return result.frame, report


def test_airline_tweets(tmp_path: Path) -> None:
    frame, report = ingest("airline_tweets.toml", "airline_tweets/Tweets.csv", tmp_path)
    # 155 tweets appear twice in the Kaggle file; the second copy is a duplicate id.
    assert (report["read"], report["quarantined"]) == (14640, 155)
    assert report["reasons"] == {"id:duplicate": 155}
    assert frame["id"].str.len().eq(18).all() and frame["id"].is_unique
    assert frame["created_at"].notna().all()
    assert frame["created_at"].iloc[0] == pd.Timestamp("2015-02-24 19:35:52", tz="UTC")
    assert "Can't Tell" in set(frame["negativereason"].dropna())
    assert set(frame["airline_sentiment"]) == {"negative", "neutral", "positive"}


def test_clothing_reviews(tmp_path: Path) -> None:
    frame, report = ingest(
        "clothing_reviews.toml", "womens_clothing_reviews/womens_clothing_reviews.csv", tmp_path
    )
    assert (report["read"], report["quarantined"], report["empty_text"]) == (23486, 0, 844)
    assert frame["csat"].between(1, 5).all()
    assert frame["text"].iloc[2].startswith("Some major design flaws. I had such high hopes")
    assert set(frame["department"].dropna()) >= {"Dresses", "Tops", "Intimate"}


def test_support_tweets(tmp_path: Path) -> None:
    frame, report = ingest("support_tweets.toml", "support_tweets/twcs_first5000.csv", tmp_path)
    assert (report["read"], report["quarantined"]) == (5000, 0)
    assert set(frame["source"]) == {"ticket"}
    assert frame["created_at"].notna().all()
    assert set(frame["inbound"]) == {"True", "False"}
    assert report["pii"]["phone"] > 0


def test_orange_be_nl(tmp_path: Path) -> None:
    frame, report = ingest("orange_be_nl.toml", "orange_be_nl/orangebenl_dialogues.csv", tmp_path)
    assert (report["read"], report["quarantined"]) == (10527, 0)
    assert frame["id"].is_unique and frame["id"].iloc[1] == "0:1"
    # The same tweet opens many dialogues: tweet_id is kept, but is not the id.
    assert not frame["tweet_id"].is_unique
    assert frame["created_at"].notna().all()
