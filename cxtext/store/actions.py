"""Actions: fixes shipped for a theme, and whether the theme moved after them.

An action names a theme (or parent theme) of a model version, what was done, who owns it,
the day it shipped and, optionally, the segment values it applies to. Its effect compares
a window before that day with one of the same length after it
(:func:`cxtext.analysis.effects.window_effect`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import duckdb

from cxtext.analysis.effects import EFFECT_METHOD, window_effect
from cxtext.errors import DataValidationError

DEFAULT_WINDOW_DAYS: Final = 91  # a quarter of feedback on each side
_LEVELS: Final = ("theme", "parent")


def new_action(
    con: duckdb.DuckDBPyConnection,
    *,
    model: str,
    version: str,
    theme_id: int,
    level: str,
    description: str,
    owner: str,
    shipped_on: date,
    segments: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """Record an action in ``con``'s transaction and return it.

    Raises
    ------
    DataValidationError
        The theme is not in the model version, a segment is unknown to the store, or the
        description or owner is empty.
    """
    if level not in _LEVELS:
        raise DataValidationError(f"level must be theme or parent, not {level!r}")
    if not description.strip() or not owner.strip():
        raise DataValidationError("an action needs a description and an owner")
    found = con.execute(
        "SELECT label FROM themes WHERE model = ? AND version = ? AND theme_id = ? AND level = ?",
        [model, version, theme_id, level],
    ).fetchall()
    if not found:
        raise DataValidationError(f"{model}/{version} has no {level} {theme_id}")
    known = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT dimension FROM daily_totals WHERE dimension LIKE 'segment:%'"
        ).fetchall()
    }
    unknown = sorted(name for name in segments if f"segment:{name}" not in known)
    if unknown:
        raise DataValidationError(f"no comment has the segment {', '.join(unknown)}")
    record = {
        "action_id": "A" + uuid.uuid4().hex[:15],
        "model": model,
        "model_version": version,
        "level": level,
        "theme_id": theme_id,
        "theme_label": found[0][0],
        "description": description.strip(),
        "owner": owner.strip(),
        "shipped_on": shipped_on,
        "segments": json.dumps({k: sorted(set(v)) for k, v in segments.items()}),
        "created_at": datetime.now(UTC),
    }
    con.execute(
        f"INSERT INTO actions VALUES ({', '.join('?' * len(record))})", list(record.values())
    )
    return _decoded(record)


def list_actions(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every action, the latest shipped first."""
    return [
        _decoded(r)
        for r in _records(cur, "SELECT * FROM actions ORDER BY shipped_on DESC, action_id", [])
    ]


def get_action(cur: duckdb.DuckDBPyConnection, action_id: str) -> dict[str, Any] | None:
    """One action, None when unknown."""
    rows = _records(cur, "SELECT * FROM actions WHERE action_id = ?", [action_id])
    return _decoded(rows[0]) if rows else None


def action_effect(
    cur: duckdb.DuckDBPyConnection, action_id: str, *, window_days: int = DEFAULT_WINDOW_DAYS
) -> dict[str, Any] | None:
    """The action with its windows and effect; None when the action is unknown. When a
    window holds no comment of the action's scope (an action dated outside the data),
    ``effect`` is None and ``message`` says why.

    Raises
    ------
    DataValidationError
        ``window_days`` below 1.
    """
    if window_days < 1:
        raise DataValidationError(f"window_days must be at least 1, not {window_days}")
    action = get_action(cur, action_id)
    if action is None:
        return None
    shipped = action["shipped_on"]
    windows = {
        "before": (shipped - timedelta(days=window_days), shipped),
        "after": (shipped, shipped + timedelta(days=window_days)),
    }
    counts = {name: _counts(cur, action, *span) for name, span in windows.items()}
    effect = window_effect(counts["before"], counts["after"])
    out = action | {
        "window_days": window_days,
        "windows": {k: [v[0].isoformat(), v[1].isoformat()] for k, v in windows.items()},
        "comments": {k: v["treated"]["n"] for k, v in counts.items()},
        "effect": effect,
        "method": EFFECT_METHOD,
    }
    if effect is None:
        empty = [k for k, v in counts.items() if not v["treated"]["n"]]
        out["message"] = (
            f"no comment of the action's scope in the {' and '.join(empty)} window"
            f"{'s' if len(empty) > 1 else ''} ({window_days} days): the data does not cover "
            f"{shipped.isoformat()} +- {window_days} days, so no effect is reported"
        )
    return out


def _counts(
    cur: duckdb.DuckDBPyConnection, action: Mapping[str, Any], start: date, end: date
) -> dict[str, dict[str, int]]:
    """Counts of one window: the action's scope (``treated``) and, when it has segments,
    the comments outside them (``control``)."""
    ids = "theme_ids" if action["level"] == "theme" else "parent_theme_ids"
    segments: dict[str, list[str]] = action["segments"]
    inside = (
        " AND ".join(
            f"list_contains($values{k}::TEXT[], segments[$name{k}])" for k in range(len(segments))
        )
        or "TRUE"
    )
    group = "CAST(nps_group AS TEXT)"
    sql = f"""SELECT coalesce({inside}, FALSE) AS treated,
            count(*) AS n,
            count(*) FILTER (WHERE list_contains({ids}, $theme)) AS hits,
            coalesce(sum(len(list_filter({ids}, lambda t: t >= 0))), 0) AS mentions,
            count(*) FILTER (WHERE {group} = 'promoter') AS promoters,
            count(*) FILTER (WHERE {group} = 'passive') AS passives,
            count(*) FILTER (WHERE {group} = 'detractor') AS detractors,
            count(*) FILTER (WHERE {group} = 'promoter' AND list_contains({ids}, $theme))
                AS theme_promoters,
            count(*) FILTER (WHERE {group} = 'passive' AND list_contains({ids}, $theme))
                AS theme_passives,
            count(*) FILTER (WHERE {group} = 'detractor' AND list_contains({ids}, $theme))
                AS theme_detractors
        FROM comments
        WHERE model = $model AND model_version = $version
          AND created_at >= $start AND created_at < $end
        GROUP BY ALL"""
    named: dict[str, Any] = {
        "theme": action["theme_id"],
        "model": action["model"],
        "version": action["model_version"],
        "start": datetime.combine(start, datetime.min.time(), UTC),
        "end": datetime.combine(end, datetime.min.time(), UTC),
    }
    for k, (name, values) in enumerate(segments.items()):
        named |= {f"name{k}": name, f"values{k}": list(values)}
    rows = _records(cur, sql, named)
    zero = {k: 0 for k in ("n", "hits", "mentions", "promoters", "passives", "detractors")}
    zero |= {f"theme_{g}": 0 for g in ("promoters", "passives", "detractors")}
    scopes = {True: dict(zero), False: dict(zero)}
    for row in rows:
        scopes[bool(row.pop("treated"))] = {k: int(v) for k, v in row.items()}
    out = {"treated": scopes[True]}
    if segments:
        out["control"] = scopes[False]
    return out


def _decoded(record: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(record)
    if isinstance(out["segments"], str):
        out["segments"] = json.loads(out["segments"])
    return out


def _records(
    cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> list[dict[str, Any]]:
    arg = dict(params) if isinstance(params, Mapping) else list(params)
    return cur.sql(sql, params=arg).to_arrow_table().to_pylist()
