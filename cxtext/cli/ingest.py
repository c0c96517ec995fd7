"""``cxtext ingest``, ``metrics`` and ``compare``: reading exports and the CX metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from cxtext import schema
from cxtext.cli.common import (
    DateCol,
    IdCol,
    JsonFlag,
    Mapping,
    ScoreCol,
    StoreOpt,
    TextCol,
    app,
    build_mapping,
    check_period,
    load_frame,
    out,
    parse_languages,
    progress_bar,
    run_command,
    store_frame,
)
from cxtext.cli.render import (
    fmt,
    frame_table,
    interval,
    print_ingest,
    print_metrics,
)
from cxtext.errors import ConfigError


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
        column_mapping = build_mapping(
            mapping,
            text_col=text_col,
            id_col=id_col,
            score_col=score_col,
            date_col=date_col,
            segments=segment or (),
        )
        target = out_path or input.with_suffix(".canonical.parquet")
        with progress_bar(f"ingest {input.name}", None, quiet=as_json) as tick:
            report = write_ingest(
                input,
                column_mapping,
                target,
                quarantine_path=quarantine or input.with_suffix(".quarantine.csv"),
                strict=strict,
                redact_pii=redact_pii,
                detect_language=detect_language,
                languages=parse_languages(languages),
                on_progress=tick,
            )
        result: dict[str, Any] = report.to_dict()
        result["out"] = str(target)
        if store is not None:
            run = result | {"kind": "ingest", "input": str(input)}
            result["store"] = store_frame(store, pd.read_parquet(target), run)
        return result

    result = run_command(action)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_ingest(result)


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
        period_name = check_period(period)
        groups = tuple(by or ())
        frame, _ = load_frame(
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

    report = run_command(action)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print_metrics(report, by=tuple(by or ()), period=period)
    if churn:
        title = "Customer churn (customers active in the previous period and never again)"
        out.print(frame_table(pd.DataFrame(report["churn"]), title=title))


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
    from cxtext.analysis.differences import compare as compare_metric

    def action() -> dict[str, Any]:
        if metric not in ("nps", "csat"):
            raise ConfigError(f"--metric must be nps or csat, not {metric!r}")
        period_name = check_period(period)
        frame, _ = load_frame(
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

    result = run_command(action)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    name = metric.upper()
    out.print(
        f"{name} {result['column']}={a}: {fmt(result[f'{metric}_a'])} (n={result['n_a']:,})  vs  "
        f"{result['column']}={b}: {fmt(result[f'{metric}_b'])} (n={result['n_b']:,})\n"
        f"difference {fmt(result['diff'])} points, 95% CI {interval(result['diff_ci'])}"
        + ("  (excludes zero)" if result.get("excludes_zero") else "  (includes zero)")
    )
