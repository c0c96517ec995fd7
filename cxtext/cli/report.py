"""``cxtext report``: the dashboard as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxtext.cli.common import app, out, run_command


@app.command()
def report(
    source: Annotated[
        Path,
        typer.Argument(
            exists=True, help="A store (.duckdb) or the output of `cxtext tag` (Parquet)."
        ),
    ],
    out_file: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    period: Annotated[str, typer.Option(help="day | week | month")] = "month",
    by: Annotated[
        str | None, typer.Option("--by", help="Break every theme down by this segment.")
    ] = None,
    level: Annotated[str, typer.Option(help="theme or parent (theme groups).")] = "theme",
    model: Annotated[
        Path | None,
        typer.Option(help="For a tagged file: the theme model that tagged it (keywords, quotes)."),
    ] = None,
) -> None:
    """Write NPS over time, drivers, themes, emerging themes and every theme's drill-down,
    with a methods section, to one HTML file that opens with no network."""
    from cxtext.report import build_report

    summary = run_command(
        lambda: build_report(source, out_file, period=period, by=by, level=level, bundle=model)
    )
    span = f"{summary.date_from} to {summary.date_to}" if summary.date_from else "undated"
    out.print(
        f"report of {summary.comments:,} comments and {summary.themes} themes ({span}, model "
        f"{summary.model or 'none'}) written to {summary.path}"
    )
