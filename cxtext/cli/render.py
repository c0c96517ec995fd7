"""Rich tables and lines the commands print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from rich import box
from rich.table import Table

from cxtext.cli.common import (
    out,
)


def print_ingest(result: dict[str, Any]) -> None:
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


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def interval(pair: Sequence[float | None] | None) -> str:
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
            fmt(row["n"]),
            fmt(row["promoters"]),
            fmt(row["passives"]),
            fmt(row["detractors"]),
            fmt(row["nps"]),
            fmt(row["nps_se"], 2),
            interval(row["nps_ci"]),
            interval(row["nps_ci_adjusted_wald"]),
        )
    out.print(head)
    if not details:
        return
    csat = overall.get("csat")
    if csat and csat.get("n"):
        out.print(
            f"CSAT (share of 4-5 on 1-5): {fmt(csat['csat'])} {interval(csat['csat_ci'])} "
            f"n={csat['n']:,}, mean {fmt(csat['csat_mean'], 2)}"
        )
    for ces in overall.get("ces") or []:
        out.print(
            f"CES scale {ces['ces_scale']}: easy {fmt(ces['ces_easy_share'])}%, "
            f"mean {fmt(ces['ces_mean'], 2)}, n={ces['n']:,}"
        )
    times = overall.get("response_times")
    if times:
        table = Table(title="Ticket times (calendar hours)")
        for column in ("metric", "n", "open (excluded)", "mean", "median", "p90"):
            table.add_column(column, justify="right")
        for metric_name, row in times.items():
            table.add_row(
                metric_name,
                fmt(row["n"]),
                fmt(row["n_open"]),
                fmt(row["mean_hours"]),
                fmt(row["median_hours"]),
                fmt(row["p90_hours"]),
            )
        out.print(table)


def print_drivers(report: dict[str, Any], *, title: str, top: int) -> None:
    """Key drivers of detraction and promotion with their intervals."""
    overall = report["overall"]
    out.print(
        f"[bold]{title}[/bold]: {overall['n']:,} scored respondents, NPS "
        f"{fmt(overall['nps'])} {interval(overall['nps_ci'])}"
    )
    for side in ("detraction", "promotion"):
        table = Table(title=f"drivers of {side}", box=box.SIMPLE_HEAD)
        for column in ("theme", "n", "NPS", "impact", "95% interval", "", "sentiment"):
            table.add_column(column, justify="left" if column == "theme" else "right")
        for row in report["key_drivers"][side][:top]:
            table.add_row(
                f"{row['theme_label']} ({row['theme_id']})",
                f"{row['n']:,}",
                fmt(row["nps"]),
                fmt(row["impact"], 2),
                interval(row["impact_ci"]),
                "*" if row["significant"] else "",
                fmt(row["sentiment"], 2),
            )
        out.print(table)
    out.print(f"* the interval excludes zero. {report['method']}")


def nps_line(report: dict[str, Any]) -> str:
    """One line on the predicted NPS group model of a training run."""
    if not report.get("trained"):
        return f"predicted NPS group: not trained ({report.get('reason')})"
    held, majority = report["heldout"], report["always_majority"]
    return (
        f"predicted NPS group: held-out macro-F1 {held['macro_f1']:.3f} (always-majority "
        f"{majority['macro_f1']:.3f}), ECE {held['ece']:.3f} -> {report['model']}"
    )


def stability_cell(stability: dict[str, Any] | None) -> str:
    """A theme's stability as a table cell: "0.91", "0.42 unstable" or "not measured"."""
    if not stability:
        return "not measured"
    if stability["score"] is None:
        return "not measured"
    score = f"{stability['score']:.2f}"
    return f"{score} unstable" if stability["status"] == "unstable" else score


def stability_detail(stability: dict[str, Any] | None) -> str:
    """A theme's stability in words, with why it was not measured."""
    if not stability:
        return "not measured (a model trained before stability was measured)"
    if stability["score"] is None:
        return f"not measured, {stability['reason']}"
    return (
        f"{stability['score']:.2f} ({stability['status']}): mean Jaccard of its members "
        "over perturbed repeats of the fit"
    )


def stability_line(summary: dict[str, Any]) -> str:
    """One line on the themes' stability (:func:`cxtext.themes.stability.summary`)."""
    if summary["runs"] == 0:
        return "stability: not measured (--no-stability)"
    mean = "n/a" if summary["mean"] is None else f"{summary['mean']:.2f}"
    return (
        f"stability over {summary['runs']} perturbed repeats: {summary['stable']} stable, "
        f"{summary['unstable']} unstable (mean Jaccard below {summary['threshold']}), "
        f"{summary['not_measured']} not measured (fewer than {summary['min_members']} "
        f"members); mean {mean}"
    )


def print_themes(themes: list[dict[str, Any]], *, title: str) -> None:
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for column in ("id", "label", "size", "parent", "origin", "stability", "keywords"):
        table.add_column(column, justify="right" if column in ("id", "size", "parent") else "left")
    for theme in themes:
        keywords = ", ".join(term for term, _ in theme["keywords"][:5])
        table.add_row(
            str(theme["id"]),
            theme["label"],
            f"{theme['size']:,}",
            str(theme["parent"]),
            theme["origin"],
            stability_cell(theme.get("stability")),
            keywords,
        )
    out.print(table)


def frame_table(frame: pd.DataFrame, *, title: str) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for row in frame.itertuples(index=False):
        table.add_row(*(fmt(v.item() if hasattr(v, "item") else v) for v in row))
    return table
