"""``cxtext demo``: the whole job on generated data."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from cxtext import schema
from cxtext.cli.common import (
    DEFAULT_CACHE_DIR,
    CacheDir,
    app,
    encoder_for,
    out,
    progress_bar,
    run_command,
    sentiment_for,
    store_frame,
)
from cxtext.cli.render import (
    nps_line,
    print_drivers,
    print_ingest,
    print_metrics,
    print_themes,
)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for data and results.")] = Path(
        "out/demo"
    ),
    survey_rows: Annotated[int, typer.Option(help="Survey answers to generate.")] = 2000,
    ticket_rows: Annotated[int, typer.Option(help="Support tickets to generate.")] = 800,
    seed: Annotated[int, typer.Option(help="Random seed of the generator.")] = 0,
    themes: Annotated[bool, typer.Option(help="Train a theme model and tag the comments.")] = True,
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
) -> None:
    """Generate the multilingual demo data and run the whole job on it, printing a report."""
    from cxtext.analysis.metrics import metrics_report, nps_table
    from cxtext.demo.files import write_demo
    from cxtext.io import ColumnMapping, write_ingest
    from cxtext.io.csv_out import write_people_csv

    def action() -> dict[str, Any]:
        files = write_demo(out_dir, n_survey=survey_rows, n_tickets=ticket_rows, seed=seed)
        out.rule("1. ingest")
        frames = {}
        ingested: dict[str, Any] = {}
        for name in ("survey", "tickets"):
            target = out_dir / f"{name}.parquet"
            with progress_bar(f"ingest {name}", None, quiet=False) as tick:
                report = write_ingest(
                    files[name],
                    ColumnMapping.from_toml(files[f"{name}_mapping"]),
                    target,
                    quarantine_path=out_dir / f"{name}.quarantine.csv",
                    on_progress=tick,
                )
            summary = report.to_dict() | {"out": str(target)}
            print_ingest(summary)
            ingested[name] = summary
            frames[name] = pd.read_parquet(target)
        frame = pd.concat(frames.values(), ignore_index=True)

        out.rule("2. metrics")
        report_all = metrics_report(frame, by=("country",))
        print_metrics(report_all, by=("country",))
        monthly = metrics_report(frame, period="month")
        print_metrics(monthly, period="month", details=False)
        write_people_csv(
            nps_table(frame, by=("country",), period="month"), out_dir / "nps_by_country_month.csv"
        )
        result: dict[str, Any] = {
            "ingest": ingested,
            "metrics": report_all,
            "by_month": monthly["groups"],
        }
        if themes:
            result["themes"] = _demo_themes(frames, files["themes_config"], out_dir, cache_dir)
        return result

    result = run_command(action)
    (out_dir / "report.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str)
    )
    out.print(f"report written to {out_dir / 'report.json'}")
    if "themes" in result:
        out.print(f"HTML report (open it in a browser): {result['themes']['html_report']}")


def _demo_themes(
    frames: dict[str, pd.DataFrame], config_path: Path, out_dir: Path, cache_dir: Path
) -> dict[str, Any]:
    """Train themes on the demo survey, tag survey and tickets, show themes and drivers."""
    from cxtext.analysis.drivers import drivers_report
    from cxtext.pipeline import load_serving_models, tag_comments, train_bundle
    from cxtext.report import build_report
    from cxtext.themes.config import load_config

    out.rule("3. themes")
    settings = load_config(config_path)
    started = time.perf_counter()
    encoder = encoder_for(settings.encoder, cache_dir, batch_size=settings.batch_size)
    load_s = time.perf_counter() - started
    sentiment = sentiment_for(None, encoder.info.id)
    models_dir = out_dir / "models" / "themes"
    with progress_bar("encode clauses", None, quiet=False) as tick:
        model, report, folder, nps_report = train_bundle(
            frames["survey"], encoder, settings, sentiment, models_dir, on_progress=tick
        )
    print_themes(model.themes_, title=f"themes of the demo survey ({folder})")
    models = load_serving_models(folder, encoder)
    tagged = pd.concat([tag_comments(part, models) for part in frames.values()], ignore_index=True)
    tagged.to_parquet(out_dir / "tagged.parquet", index=False)
    stats = encoder.stats.to_dict()
    out.print(
        f"{report.themes} themes from {report.clauses:,} clauses ({report.non_answers:,} "
        f"non-answers kept out; unassigned {100 * report.unassigned_share:.1f}%); encoder "
        f"load {load_s:.1f} s, encode {report.encode_seconds} s ({stats['cache_hits']:,} "
        f"clauses from the cache), fit {report.fit_seconds} s. Tagged {len(tagged):,} "
        f"survey answers and tickets -> {out_dir / 'tagged.parquet'}\n{nps_line(nps_report)}"
    )
    store = out_dir / "cx.duckdb"
    stored = store_frame(
        store,
        tagged,
        {"kind": "tag", "input": "demo", "read": len(tagged), "accepted": len(tagged)},
        manifest=models.manifest,
        themes=(models.themes.themes_, models.themes.parent_themes_),
        activate=True,
    )
    out.print(f"stored {stored['rows']:,} tagged comments in {store} (serve it: cxtext serve)")
    out.rule("4. what drives NPS")
    drivers = drivers_report(tagged, top=5)
    print_drivers(drivers, title="demo survey and tickets", top=5)
    fix = _demo_fix(store, model.themes_)
    html = build_report(store, out_dir / "report.html", period="month", by="country")
    return {
        "html_report": str(html.path),
        "fix": fix,
        "model": str(folder),
        **report.to_dict(),
        "encoder": encoder.info.to_dict() | stats,
        "tagged_unassigned": int((tagged[schema.THEME_ID] == -1).sum()),
        "themes": [
            {k: t[k] for k in ("id", "label", "size", "parent", "origin")} for t in model.themes_
        ],
        "nps_group_model": nps_report,
        "drivers": drivers,
    }


def _demo_fix(store: Path, themes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Record the demo's planted fix (billing in the Netherlands) as an action and print
    whether the billing theme moved after it."""
    from datetime import date

    from cxtext import demo
    from cxtext.cli.actions import print_effect
    from cxtext.store import Store
    from cxtext.store.actions import action_effect

    label = demo.CAUSES[demo.FIXED_CAUSE].problem
    theme = next((t for t in themes if t["label"] == label), None)
    if theme is None:
        return None
    out.rule("5. did the fix work?")
    target = Store(store)
    action = target.add_action(
        theme_id=int(theme["id"]),
        description="clearer invoices and a billing fix",
        owner="billing-nl",
        shipped_on=date.fromisoformat(demo.FIXED_SINCE),
        segments={"country": [demo.FIXED_COUNTRY]},
    )
    with target.reader() as reader, reader.cursor() as cur:
        effect = action_effect(cur, action["action_id"])
    if effect is not None:
        print_effect(effect)
    return effect
