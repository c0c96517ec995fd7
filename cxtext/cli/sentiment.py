"""``cxtext train-sentiment``: adapt the sentiment model to scored comments."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from cxtext.cli.common import (
    DEFAULT_CACHE_DIR,
    CacheDir,
    IdCol,
    JsonFlag,
    Mapping,
    ScoreCol,
    SentimentOpt,
    TextCol,
    app,
    encoder_for,
    load_frame,
    out,
    run_command,
    version_folder,
)
from cxtext.errors import ConfigError


@app.command("train-sentiment")
def train_sentiment(
    input: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    out_dir: Annotated[
        Path, typer.Option("--out", help="models/NAME for the adapted model; a new vN is written.")
    ],
    from_scores: Annotated[
        bool,
        typer.Option(
            "--from-scores", help="Learn from the comments' NPS groups as weak labels (required)."
        ),
    ] = False,
    mapping: Mapping = None,
    text_col: TextCol = None,
    id_col: IdCol = None,
    score_col: ScoreCol = None,
    sentiment_model: SentimentOpt = None,
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    as_json: JsonFlag = False,
) -> None:
    """Adapt the sentiment model to your own scored comments; reports the held-out gain."""
    from cxtext.sentiment.fit import adapt_from_scores
    from cxtext.sentiment.model import load_sentiment, save_sentiment

    def action() -> dict[str, Any]:
        if not from_scores:
            raise ConfigError(
                "only --from-scores adaptation is available; the shipped model is built by "
                "training/train_sentiment.py"
            )
        started = time.perf_counter()
        base, manifest = load_sentiment(sentiment_model)
        frame, _ = load_frame(
            input, mapping, text_col=text_col, id_col=id_col, score_col=score_col, quiet=as_json
        )
        encoder = encoder_for(manifest["encoder"]["id"], cache_dir)
        adapted, report = adapt_from_scores(frame, encoder, base)
        name, version, target = version_folder(out_dir)
        held = report["heldout"]
        folder = save_sentiment(
            adapted,
            target,
            name=name,
            version=version,
            encoder=encoder.info.to_dict(),
            metrics=report,
            model_card=(
                f"# Sentiment model {name}/{version}\n\nAdapted from "
                f"{manifest['name']}/{manifest['version']} on {report['comments']:,} scored "
                "comments (NPS groups as weak labels). Held-out macro-F1 against the weak "
                f"labels: {held['base']['macro_f1']} before, {held['adapted']['macro_f1']} "
                "after.\n"
            ),
            lineage={"adapted_from": f"{manifest['name']}/{manifest['version']}"},
        )
        return report | {"model": str(folder), "seconds": round(time.perf_counter() - started, 1)}

    result = run_command(action)
    if as_json:
        print(json.dumps(result))
        return
    held = result["heldout"]
    out.print(
        f"adapted on {result['comments']:,} scored comments (penalty {result['penalty']}); "
        f"held-out macro-F1 vs NPS-group labels: {held['base']['macro_f1']:.3f} -> "
        f"{held['adapted']['macro_f1']:.3f} (gain {result['macro_f1_gain']:+.3f}) on "
        f"{result['heldout_rows']:,} comments\nwritten to {result['model']}; tag with "
        f"--sentiment-model {out_dir}"
    )
