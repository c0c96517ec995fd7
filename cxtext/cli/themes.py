"""``cxtext train``, ``tag`` and ``themes ...``: train, apply and curate theme models."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from cxtext import schema
from cxtext.cli.common import (
    DEFAULT_CACHE_DIR,
    EXIT_USAGE,
    WEBHOOK_SECRET_ENV,
    CacheDir,
    IdCol,
    JsonFlag,
    Mapping,
    SentimentOpt,
    StoreOpt,
    TextCol,
    app,
    build_mapping,
    encoder_for,
    err,
    job_progress,
    load_frame,
    out,
    progress_bar,
    run_command,
    sentiment_for,
    store_frame,
    version_folder,
)
from cxtext.cli.render import (
    nps_line,
    print_themes,
    stability_detail,
    stability_line,
)
from cxtext.errors import ConfigError

themes_app = typer.Typer(help="Inspect and curate a theme model.", no_args_is_help=True)
app.add_typer(themes_app, name="themes")
ModelDir = Annotated[
    Path, typer.Argument(help="A bundle folder, or models/NAME for its latest version.")
]


@app.command()
def train(
    input: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    out_dir: Annotated[Path, typer.Option("--out", help="models/NAME; a new vN is written.")],
    config: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Training config TOML.")
    ] = None,
    mapping: Mapping = None,
    text_col: TextCol = None,
    id_col: IdCol = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (overrides the config).")] = None,
    stability: Annotated[
        bool,
        typer.Option(
            help="Measure each theme's stability on perturbed repeats of the fit "
            "(--no-stability: faster, nothing measured)."
        ),
    ] = True,
    sentiment_model: SentimentOpt = None,
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    as_json: JsonFlag = False,
) -> None:
    """Train a theme model on comments and write a versioned bundle.

    When the comments carry NPS scores, a predicted NPS group model for unscored comments
    is trained beside it (models/NAME/nps_group/vN), or the output says why not.
    """
    from cxtext.pipeline import train_bundle
    from cxtext.themes.config import load_config

    def action() -> dict[str, Any]:
        started = time.perf_counter()
        settings = load_config(config, random_state=seed, stability_runs=None if stability else 0)
        frame, _ = load_frame(
            input, mapping, text_col=text_col, id_col=id_col, languages=True, quiet=as_json
        )
        encoder = encoder_for(settings.encoder, cache_dir, batch_size=settings.batch_size)
        sentiment = sentiment_for(sentiment_model, encoder.info.id)
        with progress_bar("encode clauses", None, quiet=as_json) as tick:
            model, report, folder, nps = train_bundle(
                frame, encoder, settings, sentiment, out_dir, on_progress=tick
            )
        metrics = report.to_dict()
        return {
            "model": str(folder),
            "seconds": round(time.perf_counter() - started, 1),
            **metrics,
            "nps_group_model": nps,
            "themes_table": model.themes_,
        }

    result = run_command(action)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print_themes(result["themes_table"], title=f"themes of {result['model']}")
    out.print(
        f"{result['themes']} themes from {result['clauses']:,} clauses of "
        f"{result['comments']:,} comments ({result['non_answers']:,} non-answers kept out); "
        f"unassigned {100 * result['unassigned_share']:.1f}%"
        + (f"; seed threshold {result['seed_threshold']:.3f}" if result["seed_threshold"] else "")
        + f"; {result['seconds']} s (encode {result['encode_seconds']} s, fit "
        f"{result['fit_seconds']} s, stability {result['stability_seconds']} s)\n"
        + stability_line(result["stability"])
        + f"\nwritten to {result['model']}\n"
        + nps_line(result["nps_group_model"])
    )


@app.command()
def tag(
    input: Annotated[
        str,
        typer.Argument(
            help="A file, a folder of files, or a glob pattern (quote it): CSV, TSV, JSONL, "
            "Parquet or XLSX exports, or canonical Parquet files from `cxtext ingest`."
        ),
    ],
    model_dir: Annotated[Path, typer.Option("--model", help="Bundle or models/NAME.")],
    out_path: Annotated[Path, typer.Option("--out", help="Tagged Parquet.")],
    mapping: Mapping = None,
    text_col: TextCol = None,
    id_col: IdCol = None,
    sentiment_model: SentimentOpt = None,
    quarantine: Annotated[
        Path | None,
        typer.Option(
            help="CSV for rejected rows [default: OUT.quarantine.csv; a folder "
            "OUT.quarantine/ of one CSV per input for several inputs]."
        ),
    ] = None,
    store: StoreOpt = None,
    routing: Annotated[
        Path | None,
        typer.Option(
            help="Routing rules (TOML): with --store, open a follow-up case for each comment "
            "a rule matches (once per comment id)."
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="Where chunks run: local (this process) or dask.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address tcp://HOST:PORT [default: a local cluster]."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes of the local Dask cluster.")
    ] = 2,
    chunk_rows: Annotated[
        int, typer.Option(min=1, help="Rows per chunk: memory per task, unit of resumption.")
    ] = 5_000,
    runtime: Annotated[
        str,
        typer.Option(
            help="Runtime of the default encoder: auto (the one `cxtext encoder build` "
            "measured faster on this CPU, else the model's own), trained, fp32 or int8."
        ),
    ] = "auto",
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    as_json: JsonFlag = False,
) -> None:
    """Tag comments with themes, sentiment and NPS groups: one output row per accepted row.

    The input is read and tagged in chunks, so memory stays bounded. Rows that fail
    validation are left out, counted by reason and written to the quarantine file
    (read = tagged + quarantined). A run that was stopped resumes where it left off when
    started again with the same arguments (its work is kept in OUT.run/ until the output
    is written). predicted_nps_group is filled when the theme model's folder holds a
    predicted NPS group model (trained by `cxtext train` on scored comments).
    """
    import functools

    import pandas as pd

    from cxtext.batch import TagSpec, make_engine, resolve_inputs, run_tag_job, serving_models
    from cxtext.batch.inputs import count_rows
    from cxtext.embeddings.runtimes import choose_runtime
    from cxtext.persistence import read_bundle, resolve_bundle
    from cxtext.themes.bundle import TYPE_NAME

    def action() -> dict[str, Any]:
        if routing is not None and store is None:
            raise ConfigError("--routing opens cases in a store: give --store too")
        files = resolve_inputs(input)
        flags = (mapping, text_col, id_col)
        column_mapping = (
            build_mapping(mapping, text_col=text_col, id_col=id_col, score_col=None, date_col=None)
            if any(flags)
            else None
        )
        factory = functools.partial(encoder_for, cache_dir=cache_dir)
        trained_on = read_bundle(resolve_bundle(model_dir), expected_type=TYPE_NAME).manifest
        spec = TagSpec(
            model=model_dir,
            sentiment=sentiment_model,
            cache_dir=cache_dir,
            encoder_factory=factory,
            # Chosen once here, so every chunk (and Dask worker) uses the same runtime.
            runtime=choose_runtime(trained_on["encoder"]["id"], runtime, cache_dir),
        )
        models = serving_models(spec)  # loaded now: a bad bundle stops the job before work
        if routing is not None:  # its themes checked now; its segments once the data is read
            from cxtext.loop import load_routing

            themes = models.themes
            rules = load_routing(routing, themes.themes_, themes.parent_themes_, segments=None)
            if rules.webhooks and not os.environ.get(WEBHOOK_SECRET_ENV):
                raise ConfigError(f"{routing} names webhooks: set {WEBHOOK_SECRET_ENV} to sign")
        runner = make_engine(engine, scheduler, workers=workers)
        counts = [count_rows(p) for p in files]
        total = None if None in counts else sum(c for c in counts if c is not None)
        try:
            with job_progress("tag", total, quiet=as_json) as tick:
                summary = run_tag_job(
                    files,
                    column_mapping,
                    out_path,
                    spec,
                    runner,
                    quarantine=quarantine,
                    chunk_rows=chunk_rows,
                    on_progress=tick,
                )
        finally:
            runner.close()
        result = summary.to_dict()
        columns = [schema.THEME_ID, schema.SENTIMENT_LABEL]
        tagged = pd.read_parquet(out_path, columns=columns)
        themes = tagged[schema.THEME_ID].value_counts()
        stored = None
        if store is not None:
            run = {"kind": "tag", "input": str(input)} | {
                k: result[k] for k in ("read", "accepted", "quarantined", "reasons")
            }
            stored = store_frame(
                store,
                pd.read_parquet(out_path),
                run,
                manifest=models.manifest,
                themes=(models.themes.themes_, models.themes.parent_themes_),
                routing=routing,
            )
        quarantine_file = ", ".join(result["quarantine_files"]) or None
        return result | {
            "store": stored,
            "quarantine_file": quarantine_file,
            "rows": result["tagged"],
            "model": models.version,
            "themes_used": int((themes.index >= 0).sum()),
            "sentiment": tagged[schema.SENTIMENT_LABEL].value_counts().to_dict(),
            "predicted_nps_group": models.nps_group is not None,
            "encoder": models.encoder.info.id,
            "runtime": spec.runtime,
        }

    result = run_command(action)
    if as_json:
        print(json.dumps(result))
        return
    reasons = ", ".join(f"{reason} {n:,}" for reason, n in result["reasons"].items())
    out.print(
        f"read {result['read']:,} rows: tagged {result['tagged']:,}, quarantined "
        f"{result['quarantined']:,}"
        + (f" ({reasons}) -> {result['quarantine_file']}" if reasons else "")
    )
    resumed = result["resumed_chunks"]
    out.print(
        f"tagged {result['rows']:,} rows with {result['model']} (encoder {result['encoder']}) "
        f"in {result['seconds']} s "
        f"({result['rows_per_s']:,.0f} rows/s, {result['chunks']} chunks"
        + (f", {resumed} done by an earlier run" if resumed else "")
        + f", {result['engine']} engine): {result['themes_used']} themes used, "
        f"{result['unassigned']:,} unassigned ({100 * result['unassigned_share']:.1f}%); "
        "sentiment "
        + ", ".join(f"{k} {v:,}" for k, v in result["sentiment"].items())
        + ("; predicted NPS groups added" if result["predicted_nps_group"] else "")
        + f" -> {result['out']}"
    )
    stored = result["store"]
    if stored is not None:
        out.print(f"stored {stored['rows']:,} tagged comments in {stored['path']}")
    if stored is not None and "routed" in stored:
        routed = {k: v for k, v in stored["routed"].items() if k != "unrouted"}
        out.print(
            f"opened {stored['cases_opened']:,} follow-up cases ("
            + ", ".join(f"{rule} {n:,}" for rule, n in routed.items())
            + f"; {stored['routed']['unrouted']:,} comments matched no rule)"
        )
    if stored is not None and "webhooks" in stored:
        calls = stored["webhooks"]
        out.print(
            f"webhooks: {calls['delivered']:,} delivered, {calls['failed']:,} failed after "
            "retries (recorded in the store's case_deliveries)"
        )


def _edit(model_dir: Path, apply: Callable[[Any], Any]) -> None:
    """Load the latest bundle, apply an edit, save the result as the next version."""
    from cxtext.persistence import resolve_bundle
    from cxtext.themes.bundle import load_model, save_model

    def action() -> Path:
        source = resolve_bundle(model_dir)
        model, manifest = load_model(source)
        edited = apply(model)
        name, version, folder = version_folder(source.parent)
        config = source / "config.toml"
        save_model(
            edited,
            folder,
            name=name,
            version=version,
            encoder=manifest.get("encoder"),
            data_fingerprint=manifest.get("data_fingerprint"),
            metrics=manifest.get("metrics"),
            config_toml=config.read_text(encoding="utf-8") if config.is_file() else None,
            edited_from=str(manifest.get("version", source.name)),
        )
        return folder

    folder = run_command(action)
    out.print(f"written {folder}")


@themes_app.command("show")
def themes_show(
    model_dir: ModelDir,
    theme: Annotated[int | None, typer.Option(help="Show one theme in full.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List a model's themes (or one theme with keywords per language and examples)."""
    from cxtext.themes.bundle import load_model

    model, manifest = run_command(lambda: load_model(model_dir))
    chosen = [t for t in model.themes_ if theme is None or t["id"] == theme]
    if theme is not None and not chosen:
        err.print(f"[red]error:[/red] no theme {theme}")
        raise typer.Exit(EXIT_USAGE)
    if as_json:
        print(
            json.dumps(
                {
                    "model": f"{manifest['name']}/{manifest['version']}",
                    "themes": chosen,
                    "parents": model.parent_themes_,
                },
                ensure_ascii=False,
            )
        )
        return
    if theme is None:
        print_themes(chosen, title=f"{manifest['name']} {manifest['version']}")
        parents = Table(title="parent themes", box=box.SIMPLE_HEAD)
        for column in ("id", "label", "size", "children"):
            parents.add_column(column)
        for parent in model.parent_themes_:
            parents.add_row(
                str(parent["id"]),
                parent["label"],
                f"{parent['size']:,}",
                ", ".join(map(str, parent["children"])),
            )
        out.print(parents)
        return
    detail = chosen[0]
    out.print(
        f"[bold]{detail['id']}: {detail['label']}[/bold] ({detail['size']:,} clauses, "
        f"{detail['origin']}, parent {detail['parent']})"
    )
    out.print(f"  stability: {stability_detail(detail.get('stability'))}")
    for code, words in detail["keywords_by_language"].items():
        out.print(f"  {code}: " + ", ".join(term for term, _ in words[:8]))
    for example in detail["representatives"]:
        out.print(f"  - [{example['language']}] {example['text']}")


@themes_app.command("rename")
def themes_rename(model_dir: ModelDir, theme: int, label: str) -> None:
    """Rename a theme (a new version is written)."""
    from cxtext.themes.editing import rename

    _edit(model_dir, lambda m: rename(m, theme, label))


@themes_app.command("merge")
def themes_merge(
    model_dir: ModelDir,
    themes: Annotated[list[int], typer.Argument(help="Theme ids to merge (two or more).")],
    label: Annotated[str | None, typer.Option(help="Label of the merged theme.")] = None,
) -> None:
    """Merge themes into one (a new version is written)."""
    from cxtext.themes.editing import merge

    _edit(model_dir, lambda m: merge(m, themes, label=label))


@themes_app.command("split")
def themes_split(
    model_dir: ModelDir,
    theme: int,
    parts: Annotated[int, typer.Option(help="Number of themes to split into.")] = 2,
) -> None:
    """Re-cluster one theme into several (a new version is written)."""
    from cxtext.themes.editing import split

    _edit(model_dir, lambda m: split(m, theme, parts=parts))


@themes_app.command("delete")
def themes_delete(model_dir: ModelDir, theme: int) -> None:
    """Delete a theme; its comments go to their nearest theme (a new version is written)."""
    from cxtext.themes.editing import delete

    _edit(model_dir, lambda m: delete(m, theme))


@themes_app.command("add-seed")
def themes_add_seed(
    model_dir: ModelDir,
    name: Annotated[str, typer.Argument(help="Label of the new seeded theme.")],
    phrase: Annotated[list[str], typer.Option("--phrase", help="Example phrase (repeat).")],
    threshold: Annotated[float | None, typer.Option(help="Cosine needed to join.")] = None,
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
) -> None:
    """Add a seeded theme from example phrases in any language (a new version is written)."""
    from cxtext.persistence import read_bundle, resolve_bundle
    from cxtext.themes.bundle import TYPE_NAME
    from cxtext.themes.config import SeedSpec
    from cxtext.themes.editing import add_seed
    from cxtext.themes.train import encode_seeds

    def apply(model: Any) -> Any:
        manifest = read_bundle(resolve_bundle(model_dir), expected_type=TYPE_NAME).manifest
        encoder = encoder_for(manifest["encoder"]["id"], cache_dir)
        (seed,) = encode_seeds(encoder, [SeedSpec(name, tuple(phrase))])
        return add_seed(model, seed, threshold=threshold)

    _edit(model_dir, apply)
