"""cxtext.pipeline: the one road the CLI, the API and the demo take with a comment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxtext import schema
from cxtext.errors import ArtifactError
from cxtext.pipeline import (
    load_serving_models,
    prepare_comments,
    tag_comments,
    train_bundle,
)
from cxtext.themes.config import load_config
from tests.fakes import FakeEncoder, fake_sentiment_bundle

PHRASES = ["the invoice was wrong", "the engineer was friendly", "the app keeps crashing"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pipeline")
    encoder = FakeEncoder()
    texts = [f"{PHRASES[i % 3]} {['today', 'again', 'as usual'][i // 3 % 3]}" for i in range(90)]
    frame = pd.DataFrame(
        {
            schema.ID: [f"t{i}" for i in range(90)],
            schema.TEXT: texts,
            schema.LANGUAGE: "en",
            schema.NPS_SCORE: pd.array([[2, 9, 5][i % 3] for i in range(90)], dtype="Int64"),
        }
    )
    sentiment_dir = fake_sentiment_bundle(
        root, encoder, PHRASES, ["negative", "positive", "neutral"]
    )
    from cxtext.sentiment.model import load_sentiment

    sentiment, _ = load_sentiment(sentiment_dir)
    config = load_config(None, min_theme_size=8)
    model, report, folder, nps = train_bundle(
        frame, encoder, config, sentiment, root / "models" / "themes"
    )
    assert folder.name == "v1" and report.themes == len(model.themes_)
    assert set(nps) >= {"trained"}
    return {"themes": root / "models" / "themes", "sentiment": sentiment_dir}


def test_loaded_models_tag_as_the_trained_ones(trained: dict[str, Path]) -> None:
    asked: list[str] = []

    def build(encoder_id: str) -> FakeEncoder:
        asked.append(encoder_id)
        return FakeEncoder()

    models = load_serving_models(trained["themes"], build, sentiment_path=trained["sentiment"])
    assert asked == ["fake/hashing"] and models.version == "themes/v1"
    frame = prepare_comments(
        pd.DataFrame(
            {
                schema.ID: ["a", "b"],
                schema.TEXT: [f"{p} again" for p in PHRASES[:2]],
                schema.LANGUAGE: "en",
            }
        )
    )
    tagged = tag_comments(frame, models)
    assert tagged[schema.ID].tolist() == ["a", "b"]
    assert (tagged[schema.THEME_ID] >= 0).all()
    assert tagged[schema.SENTIMENT_LABEL].tolist() == ["negative", "positive"]


def test_a_model_of_another_encoder_is_an_artifact_error(trained: dict[str, Path]) -> None:
    with pytest.raises(ArtifactError, match="gives 32-d vectors; the theme model needs 64"):
        load_serving_models(trained["themes"], FakeEncoder(dim=32))
    with pytest.raises(
        ArtifactError, match="encoder 'cxtext/multilingual-e5-small', not 'fake/hashing'"
    ):
        # The shipped sentiment model belongs to the default encoder, not the fake one.
        load_serving_models(trained["themes"], FakeEncoder())


def test_preparing_keeps_given_languages_and_picks_others_from_the_set() -> None:
    frame = pd.DataFrame(
        {
            schema.ID: ["1", "2", "3"],
            schema.TEXT: [
                "  Mail me at ann@example.com please ",
                "De factuur klopt weer niet en niemand belt terug",
                "Die rekening is weer verkeerd en niemand bel terug nie",
            ],
            schema.LANGUAGE: ["en", None, None],
        }
    )
    prepared = prepare_comments(frame, languages=["nl", "en"])
    assert "ann@example.com" not in prepared.loc[0, schema.TEXT]
    assert prepared.loc[0, schema.TEXT] == prepared.loc[0, schema.TEXT].strip()
    # Afrikaans is not in the set, so its text gets one of the configured languages.
    assert prepared[schema.LANGUAGE].tolist()[:2] == ["en", "nl"]
    assert prepared.loc[2, schema.LANGUAGE] in {"nl", "en", schema.UNDETERMINED_LANGUAGE}
    assert pd.isna(frame.loc[1, schema.LANGUAGE])  # the input is left as it was
