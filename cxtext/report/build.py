"""``cxtext report``: a self-contained HTML report of a store or a tagged file.

The report carries the answers of the dashboard's requests for the whole data (no
filters), computed by :mod:`cxtext.report.answers` like the API's; a tagged file is first
loaded into a temporary store, so both inputs take one road.
"""

from __future__ import annotations

import html
import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd

from cxtext import schema
from cxtext.analysis.drivers import IMPACT_METHOD
from cxtext.analysis.effects import EFFECT_METHOD
from cxtext.errors import ConfigError, DataValidationError
from cxtext.report import answers
from cxtext.report.page import answer_key, report_page
from cxtext.store import Filters, Store
from cxtext.store.actions import action_effect, list_actions
from cxtext.store.queries import Level, Period, facets
from cxtext.themes.stability import METHOD as STABILITY_METHOD

TAGGED_COLUMNS = (schema.ID, schema.THEME_IDS, schema.THEME_LABELS)
PERIODS = ("day", "week", "month")
TREND_PERIODS = 8
TOP_DRIVERS = 10
MAX_ACTIONS = 20  # the latest shipped fixes a report shows


@dataclass(frozen=True)
class ReportSummary:
    """What a report holds: its file, comments, themes, model and date range."""

    path: Path
    comments: int
    themes: int
    model: str | None
    date_from: str | None
    date_to: str | None


def build_report(
    source: Path,
    out: Path,
    *,
    period: str = "month",
    by: str | None = None,
    level: str = "theme",
    bundle: Path | None = None,
) -> ReportSummary:
    """Write the report of ``source`` (a store file, or a tagged Parquet file or folder)
    to ``out``, atomically.

    Parameters
    ----------
    period
        day, week or month: the periods of the NPS chart, the trends and emerging themes.
    by
        A segment every theme's drill-down is broken down by.
    level
        theme, or parent (groups of themes).
    bundle
        For a tagged file: the theme model bundle that tagged it, for keywords and
        representative comments (the labels come from the file without it).

    Raises
    ------
    ConfigError
        An unknown period or level, or a segment the data does not have.
    DataValidationError
        The source cannot be read, is not tagged (the missing columns are named) or has
        no comments.
    """
    if period not in PERIODS:
        raise ConfigError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    if level not in ("theme", "parent"):
        raise ConfigError(f"--level must be theme or parent, not {level!r}")
    with _cursor(source, bundle) as cur:
        data = report_data(cur, period=cast(Period, period), by=by, level=cast(Level, level))
    themes = data["answers"][answer_key("/themes", _themes_params(data))]
    info = data["facets"]
    summary = ReportSummary(
        path=out,
        comments=themes["overall"]["comments"],
        themes=len(themes["themes"]),
        model=themes["model"],
        date_from=info["date_from"],
        date_to=info["date_to"],
    )
    page = report_page(
        title=f"cxtext report: {source.name}",
        subtitle=_subtitle(summary),
        data=data,
        methods=_methods(summary, data),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(out)
    return summary


def _themes_params(data: dict[str, Any]) -> dict[str, Any]:
    return {"level": data["level"], "period": data["period"], "periods": TREND_PERIODS}


def report_data(
    cur: duckdb.DuckDBPyConnection, *, period: Period, by: str | None, level: Level
) -> dict[str, Any]:
    """The settings and answers ``dashboard.js`` reads in a report: every request it makes
    for the unfiltered data, keyed by :func:`answer_key`."""
    flt = Filters()
    info = facets(cur, flt)
    if not info["comments"]:
        raise DataValidationError("no comments to report on")
    if by and f"segment:{by}" not in info["dimensions"]:
        known = sorted(d.removeprefix("segment:") for d in info["dimensions"] if ":" in d)
        raise ConfigError(f"--by {by!r}: no such segment; the data has {known or 'none'}")
    data: dict[str, Any] = {"period": period, "level": level, "by": by or "", "facets": info}
    themes_params = _themes_params(data)
    computed: dict[str, Any] = {
        answer_key("/metrics/nps", {"period": period}): answers.metrics(
            cur, flt, "nps", period=period
        ),
        answer_key("/themes", themes_params): answers.themes(
            cur, flt, level=level, period=period, periods=TREND_PERIODS
        ),
        answer_key("/drivers", {"level": level, "top": TOP_DRIVERS}): answers.drivers(
            cur, flt, level=level, top=TOP_DRIVERS
        ),
        answer_key("/emerging", {"level": level, "period": period}): _emerging(
            cur, flt, level=level, period=period
        ),
    }
    listed = list_actions(cur)[:MAX_ACTIONS]
    computed[answer_key("/actions", {})] = {"actions": listed}
    for action in listed:
        key = answer_key(f"/actions/{action['action_id']}/effect", {})
        computed[key] = action_effect(cur, action["action_id"])
    for theme in computed[answer_key("/themes", themes_params)]["themes"]:
        theme_id = theme["theme_id"]
        detail = answers.theme(cur, flt, theme_id, level=level, by=by or None, period=period)
        if detail is not None:
            key = answer_key(f"/themes/{theme_id}", {"level": level, "period": period, "by": by})
            computed[key] = detail
    data["answers"] = _json_safe(computed)
    return data


def _emerging(
    cur: duckdb.DuckDBPyConnection, flt: Filters, *, level: Level, period: Period
) -> dict[str, Any]:
    """Emerging themes, or the ``problem`` that keeps them from being tested (too few
    periods), which the page shows in their place as the API's 422 would be."""
    try:
        return answers.emerging(cur, flt, level=level, period=period)
    except DataValidationError as exc:
        return {"problem": str(exc), "window": None, "period": period, "themes": []}


def _json_safe(value: Any) -> Any:
    """Answers as strict JSON: NaN and infinities become null, dates ISO strings."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    if pd.isna(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return str(value)


@contextmanager
def _cursor(source: Path, bundle: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    if not source.exists():
        raise DataValidationError(f"{source} does not exist", file=str(source))
    if source.is_file() and source.suffix in (".duckdb", ".db"):
        if bundle is not None:
            raise ConfigError("--model is for a tagged file; a store knows its models")
        with Store(source).reader() as reader, reader.cursor() as cur:
            yield cur
        return
    frame = read_tagged(source)
    with tempfile.TemporaryDirectory(prefix="cxtext-report-") as tmp:
        store = Store(Path(tmp) / "report.duckdb")
        manifest, themes, parents = _release(frame, source, bundle)
        store.write_tagged(
            frame,
            run={"kind": "tag", "input": str(source), "read": len(frame), "accepted": len(frame)},
            manifest=manifest,
            themes=themes,
            parents=parents,
            segments=schema.segment_columns(frame.columns),
            activate=True,
        )
        with store.reader() as reader, reader.cursor() as cur:
            yield cur


def read_tagged(source: Path) -> pd.DataFrame:
    """A tagged Parquet file or folder of parts, checked to hold the tagged columns."""
    try:
        frame = pd.read_parquet(source)
    except (OSError, ValueError) as exc:
        raise DataValidationError(
            f"cannot read {source} as a tagged Parquet file: {exc}", file=str(source)
        ) from exc
    missing = [c for c in TAGGED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{source} is not a tagged file: it has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''} (tag it first: cxtext tag)",
            file=str(source),
        )
    if frame.empty:
        raise DataValidationError(f"{source} holds no comments", file=str(source))
    return frame


def _release(
    frame: pd.DataFrame, source: Path, bundle: Path | None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The model version to publish beside a tagged file's comments: the bundle's, or
    one named after the file whose themes carry the file's labels."""
    if bundle is not None:
        from cxtext.persistence import resolve_bundle
        from cxtext.themes.bundle import load_model

        model, manifest = load_model(resolve_bundle(bundle))
        return dict(manifest), list(model.themes_), list(model.parent_themes_)
    manifest = {"name": source.stem, "version": "tagged", "created": _now()}
    return (
        manifest,
        _labels(frame, schema.THEME_IDS, schema.THEME_LABELS),
        _labels(frame, schema.PARENT_THEME_IDS, schema.PARENT_THEME_LABELS),
    )


def _labels(frame: pd.DataFrame, ids: str, labels: str) -> list[dict[str, Any]]:
    """Themes ``{"id", "label"}`` named in a tagged file's aligned id and label lists."""
    if ids not in frame.columns or labels not in frame.columns:
        return []
    found: dict[int, str] = {}
    for row_ids, row_labels in zip(frame[ids], frame[labels], strict=True):
        if row_ids is None or row_labels is None:
            continue
        for theme_id, label in zip(row_ids, row_labels, strict=False):
            found.setdefault(int(theme_id), str(label))
    return [{"id": i, "label": found[i]} for i in sorted(found)]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _subtitle(summary: ReportSummary) -> str:
    span = f"{summary.date_from} to {summary.date_to}" if summary.date_from else "undated comments"
    return f"{summary.comments:,} comments · {span} · model {summary.model or 'none'}"


def _methods(summary: ReportSummary, data: dict[str, Any]) -> str:
    key = answer_key("/emerging", {"level": data["level"], "period": data["period"]})
    emerging = data["answers"][key]
    items = {
        "Data": f"{summary.comments:,} comments from {summary.date_from or '?'} to "
        f"{summary.date_to or '?'} (UTC days); {summary.themes} themes "
        f"({'theme groups' if data['level'] == 'parent' else 'themes'} level); theme model "
        f"{summary.model or 'none'}; written {_now()}.",
        "NPS": "Promoters answer 9-10, passives 7-8, detractors 0-6; NPS = % promoters - % "
        "detractors of scored respondents, in [-100, 100]. The band and intervals are 95% "
        "adjusted-Wald intervals (n + 3 answers, promoters and detractors + 3/4 each).",
        "Impact on NPS": IMPACT_METHOD + ".",
        "Theme share and sentiment": "Share: comments mentioning the theme / all comments, in "
        "%. Sentiment: the mean of the theme's clause sentiments, from -1 to 1.",
        "Theme stability": STABILITY_METHOD[:1].upper() + STABILITY_METHOD[1:] + ".",
        "Emerging themes": emerging.get("problem")
        or f"{emerging['method']}; latest {data['period']} against the "
        f"{emerging['window']} before it.",
    }
    if data["answers"][answer_key("/actions", {})]["actions"]:
        items["Fixes"] = EFFECT_METHOD + "."
    rows = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}</dd>" for name, text in items.items()
    )
    return f'<section class="methods" id="methods"><h2>Methods</h2><dl>{rows}</dl></section>'
