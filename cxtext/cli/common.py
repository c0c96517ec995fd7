"""What the commands share: the Typer application, consoles, exit codes, option types, error
handling, progress bars, and loading inputs, encoders and models."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from cxtext import schema
from cxtext.analysis.metrics import PERIODS, PeriodName
from cxtext.errors import ArtifactError, ConfigError, CxTextError, DataValidationError

app = typer.Typer(
    help="Multilingual text mining for customer feedback.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

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
WEBHOOK_SECRET_ENV = "CXTEXT_WEBHOOK_SECRET"  # signs the calls to owners' webhooks
Mapping = Annotated[
    Path | None, typer.Option("--mapping", exists=True, dir_okay=False, help="Column mapping TOML.")
]
TextCol = Annotated[str | None, typer.Option("--text-col", help="Column holding the comment.")]
IdCol = Annotated[str | None, typer.Option("--id-col", help="Column holding the record id.")]
ScoreCol = Annotated[str | None, typer.Option("--score-col", help="Column holding the 0-10 score.")]
DateCol = Annotated[str | None, typer.Option("--date-col", help="Column holding the date.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]


def run_command(action: Callable[[], T]) -> T:
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
def progress_bar(label: str, total: int | None, *, quiet: bool) -> Iterator[Callable[[int], None]]:
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


class _RowRate(ProgressColumn):
    """Rows per second of a task."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} rows/s" if task.speed else "- rows/s")


@contextmanager
def job_progress(
    label: str, total: int | None, *, quiet: bool
) -> Iterator[Callable[[int, int], None]]:
    """A progress bar of a batch job on stderr: rows done, rows/s and time left (when
    ``total`` is known); yields a callback taking (rows read, rows tagged)."""
    if quiet:
        yield lambda _read, _done: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows tagged, {task.fields[read]:,} read"),
        _RowRate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total, read=0)
        yield lambda read, done: bar.update(task, completed=done, read=read)


def build_mapping(
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


def check_period(value: str | None) -> PeriodName | None:
    """Check a --period option."""
    if value is None:
        return None
    if value not in PERIODS:
        raise ConfigError(f"--period must be one of {', '.join(PERIODS)}, not {value!r}")
    return cast("PeriodName", value)


def parse_languages(value: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in value.split(",") if code.strip())


StoreFile = Annotated[
    Path, typer.Option("--store", exists=True, dir_okay=False, help="The DuckDB store.")
]


def print_json(value: Any) -> None:
    """``value`` as one line of JSON (dates and times as ISO text)."""
    print(json.dumps(value, ensure_ascii=False, default=str))


StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Also load the rows into this DuckDB store.")
]


def store_frame(
    path: Path,
    frame: pd.DataFrame,
    run: dict[str, Any],
    *,
    manifest: dict[str, Any] | None = None,
    themes: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None,
    activate: bool = False,
    routing: Path | None = None,
) -> dict[str, Any]:
    """Upsert a canonical or tagged frame into a store; a tagged one in the same write as
    its model version (made active when ``activate`` or when the store has none) and the
    follow-up cases its ``routing`` rules open."""
    from cxtext.store import Store

    target, segments = Store(path), schema.segment_columns(frame.columns)
    if manifest is None or themes is None:
        if routing is not None:
            raise ConfigError("--routing needs tagged comments (cxtext tag ... --store)")
        run_id = target.write_comments(frame, run=run, segments=segments)
        return {"path": str(path), "run_id": run_id, "rows": len(frame)}
    cases, routed = None, None
    if routing is not None:
        from cxtext.loop import cases_to_open, load_routing, notify_run

        rules = load_routing(routing, themes[0], themes[1], segments)
        cases, routed = cases_to_open(
            frame, rules, themes=themes[0], model=manifest["name"], version=manifest["version"]
        )
    run_id = target.write_tagged(
        frame,
        run=run,
        manifest=manifest,
        themes=themes[0],
        parents=themes[1],
        segments=segments,
        activate=True if activate else None,
        cases=cases,
    )
    stored: dict[str, Any] = {"path": str(path), "run_id": run_id, "rows": len(frame)}
    if routed is not None:
        stored |= {"cases_opened": target.cases_opened(run_id), "routed": routed}
        deliveries = notify_run(target, run_id, rules, os.environ.get(WEBHOOK_SECRET_ENV))
        if deliveries:
            stored["webhooks"] = {
                "delivered": sum(d.delivered for d in deliveries),
                "failed": sum(not d.delivered for d in deliveries),
            }
    return stored


def load_frame(
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

    column_mapping = build_mapping(
        mapping,
        text_col=text_col,
        id_col=id_col,
        score_col=score_col,
        date_col=date_col,
        segments=segments,
    )
    with progress_bar(f"read {input.name}", None, quiet=quiet) as tick:
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


def quiet_model_loading() -> None:
    """Keep transformers' weight-loading bars and notices out of the command's output,
    without importing it (a second of start-up the int8 runtime does not need): by its
    environment settings before it is imported, directly once it is."""
    import logging

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


def encoder_for(name: str, cache_dir: Path, *, batch_size: int = 32) -> Any:
    """The encoder named by a config or manifest, behind the persistent embedding cache."""
    from cxtext.embeddings import cached_encoder

    quiet_model_loading()
    return cached_encoder(name, cache_dir=cache_dir, batch_size=batch_size)


def version_folder(out_dir: Path) -> tuple[str, str, Path]:
    """(name, version, folder) for a new bundle under models/NAME."""
    from cxtext.persistence import next_version

    version = next_version(out_dir)
    return out_dir.name, version, out_dir / version


SentimentOpt = Annotated[
    Path | None,
    typer.Option(
        "--sentiment-model", help="Sentiment bundle (default: the one shipped with cxtext)."
    ),
]


def sentiment_for(path: Path | None, encoder_id: str) -> Any:
    """The sentiment model (shipped by default), checked against the encoder in use."""
    from cxtext.sentiment.model import check_encoder, load_sentiment

    model, manifest = load_sentiment(path, encoder_id=encoder_id)
    check_encoder(manifest, encoder_id, what="sentiment model")
    return model
