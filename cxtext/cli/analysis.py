"""``cxtext drivers``, ``trends`` and ``emerging`` over a tagged file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, cast

import pandas as pd
import typer

from cxtext import schema
from cxtext.analysis.metrics import table_records
from cxtext.cli.common import (
    JsonFlag,
    app,
    out,
    run_command,
)
from cxtext.cli.render import (
    frame_table,
    print_drivers,
)
from cxtext.errors import ConfigError, DataValidationError

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

    report, table = run_command(action)
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

    table = run_command(
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
    out.print(frame_table(view.round(1), title=f"theme share of comments (%) by {period}"))
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

    table = run_command(
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
    out.print(frame_table(shown[[*columns, "new"]].round(3), title=title))
    out.print(
        f"one-sided z test of the latest {period}'s share against the {window} before it "
        "(over-dispersion from the trailing periods), Benjamini-Hochberg adjusted"
    )
    _write_csv(table, csv)
