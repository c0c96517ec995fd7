"""Routing rules: which team owns the follow-up of a tagged comment, and by when.

Rules live in a TOML file, one ``[[rule]]`` table each, tried in order; the first whose
conditions all hold routes the comment, and a comment no rule matches is counted as
unrouted, never dropped::

    [[rule]]
    name = "billing detractors"
    themes = ["Billing / invoice"]        # labels or ids; or parent_themes = [...]
    groups = ["detractor"]                # NPS group; the predicted group when unscored
    segments = { country = ["NL", "BE"] }
    languages = ["nl", "fr"]
    sources = ["survey", "ticket"]
    owner = "billing-team"
    follow_up_hours = 48

Every condition is optional; a rule without any matches every comment. Themes and
segments are checked against the theme model and the data when the rules are bound, so
a typo is an error naming its rule rather than a rule that silently matches nothing; a
comment without a segment a rule names does not match that rule.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cxtext import schema
from cxtext.errors import ConfigError, DataValidationError

UNROUTED = ""


class Rule(BaseModel):
    """One routing rule as written in the file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    follow_up_hours: float = Field(gt=0)
    themes: list[str | int] = []
    parent_themes: list[str | int] = []
    groups: list[schema.NpsGroup] = []
    segments: dict[str, list[str]] = {}
    languages: list[str] = []
    sources: list[schema.Source] = []

    @field_validator("segments", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        """``{country = "NL"}`` means ``{country = ["NL"]}``."""
        if isinstance(value, Mapping):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value


@dataclass(frozen=True)
class BoundRule:
    """A rule whose theme conditions are resolved to ids of one theme model."""

    rule: Rule
    theme_ids: frozenset[int]
    parent_ids: frozenset[int]


@dataclass(frozen=True)
class Routing:
    """Rules bound to a theme model: :meth:`route` assigns owners; ``webhooks`` maps an
    owner to the address told of each case it gets (:mod:`cxtext.loop.notify`)."""

    rules: tuple[BoundRule, ...]
    webhooks: Mapping[str, str] = field(default_factory=dict)

    def route(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The first matching rule of every row of a tagged frame.

        Returns
        -------
        DataFrame
            Same index as ``frame``: ``rule`` and ``owner`` (``""`` when no rule
            matches), ``follow_up_hours`` (NaN then) and ``theme_id``: the first of the
            comment's themes that the rule names (its main theme when the rule names
            none; -1 without one).

        Raises
        ------
        DataValidationError
            A column a rule needs is missing from ``frame``.
        """
        n = len(frame)
        out = pd.DataFrame(
            {
                "rule": np.full(n, UNROUTED, dtype=object),
                "owner": np.full(n, UNROUTED, dtype=object),
                "follow_up_hours": np.full(n, np.nan),
                "theme_id": np.full(n, -1, dtype=np.int64),
            },
            index=frame.index,
        )
        open_rows = np.ones(n, dtype=bool)
        main = _column(frame, schema.THEME_ID, "themes").to_numpy(dtype=np.int64)
        for bound in self.rules:
            matched, themes = _matches(frame, bound)
            take = matched & open_rows
            rows = np.flatnonzero(take)
            out.iloc[rows, 0] = bound.rule.name
            out.iloc[rows, 1] = bound.rule.owner
            out.iloc[rows, 2] = bound.rule.follow_up_hours
            out.iloc[rows, 3] = np.where(themes[rows] >= 0, themes[rows], main[rows])
            open_rows &= ~take
        return out


def load_routing(
    path: Path,
    themes: Sequence[Mapping[str, Any]],
    parents: Sequence[Mapping[str, Any]],
    segments: Collection[str] | None,
) -> Routing:
    """Read a rules file and bind it to a theme model's ``themes`` / ``parents`` (dicts
    with ``id`` and ``label``) and the data's segment names (None: not known yet, so not
    checked).

    Raises
    ------
    ConfigError
        The file is unreadable or malformed, or a rule names an unknown theme, parent
        theme or segment, or two rules share a name; the message names the rule.
    """
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"routing rules {path}: {exc}") from exc
    tables = raw.get("rule")
    if not isinstance(tables, list) or not tables or not set(raw) <= {"rule", "owners"}:
        raise ConfigError(
            f"routing rules {path}: expected one or more [[rule]] tables and an optional "
            "[owners] table"
        )
    bound, seen = [], set()
    for k, table in enumerate(tables, start=1):
        where = f"routing rules {path}, rule {k}"
        try:
            rule = Rule.model_validate(table)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            name = table.get("name") if isinstance(table, dict) else None
            raise ConfigError(f"{where}{f' ({name!r})' if name else ''}: {problems}") from exc
        where = f"{where} ({rule.name!r})"
        if rule.name in seen:
            raise ConfigError(f"{where}: another rule has this name")
        seen.add(rule.name)
        unknown = sorted(set(rule.segments) - set(segments)) if segments is not None else []
        if unknown:
            raise ConfigError(
                f"{where}: unknown segment {', '.join(unknown)} (known: "
                f"{', '.join(sorted(segments or ())) or 'none'})"
            )
        bound.append(
            BoundRule(
                rule,
                _resolve(rule.themes, themes, f"{where}: theme"),
                _resolve(rule.parent_themes, parents, f"{where}: parent theme"),
            )
        )
    owners = {b.rule.owner for b in bound}
    return Routing(tuple(bound), _webhooks(raw.get("owners", {}), owners, f"routing rules {path}"))


def _webhooks(table: Any, owners: set[str], where: str) -> dict[str, str]:
    """``[owners.NAME] webhook = "https://..."`` entries, checked."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [owners] must be a table of owners")
    out = {}
    for owner, entry in table.items():
        if owner not in owners:
            raise ConfigError(f"{where}: [owners.{owner}] is no rule's owner")
        url = entry.get("webhook") if isinstance(entry, dict) else None
        if set(entry if isinstance(entry, dict) else ()) != {"webhook"} or not isinstance(url, str):
            raise ConfigError(f'{where}: [owners.{owner}] takes one key, webhook = "URL"')
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: [owners.{owner}] webhook {url!r} is not an http(s) URL")
        out[owner] = url
    return out


def _resolve(
    names: Sequence[str | int], themes: Sequence[Mapping[str, Any]], what: str
) -> frozenset[int]:
    """Theme ids of labels (case-insensitive) or ids."""
    by_label = {str(t["label"]).casefold(): int(t["id"]) for t in themes if t.get("label")}
    ids = {int(t["id"]) for t in themes}
    out = set()
    for name in names:
        if isinstance(name, int) and name in ids:
            out.add(name)
        elif isinstance(name, str) and name.casefold() in by_label:
            out.add(by_label[name.casefold()])
        else:
            raise ConfigError(f"{what} {name!r} is not in the theme model")
    return frozenset(out)


def _column(frame: pd.DataFrame, column: str, needed_by: str) -> pd.Series:
    if column not in frame.columns:
        raise DataValidationError(
            f"routing by {needed_by} needs the column {column!r}; tag the comments first",
            column=column,
        )
    return frame[column]


def _first_of(lists: pd.Series, wanted: frozenset[int]) -> np.ndarray:
    """Per row, the first id of its list that is in ``wanted``, else -1."""
    return np.asarray(
        [
            next((int(t) for t in ids if int(t) in wanted), -1) if ids is not None else -1
            for ids in lists
        ],
        dtype=np.int64,
    )


def _groups(frame: pd.DataFrame) -> pd.Series:
    """Each row's NPS group (from ``nps_score`` when the group is not given), else its
    predicted group."""
    if schema.NPS_GROUP in frame.columns:
        groups = frame[schema.NPS_GROUP].astype("string")
    elif schema.NPS_SCORE in frame.columns:
        groups = pd.Series(
            [
                None if pd.isna(s) else schema.nps_group(int(s)).value
                for s in frame[schema.NPS_SCORE]
            ],
            index=frame.index,
            dtype="string",
        )
    elif schema.PREDICTED_NPS_GROUP in frame.columns:
        groups = pd.Series(pd.NA, index=frame.index, dtype="string")
    else:
        raise DataValidationError(
            "routing by NPS group needs nps_score, nps_group or predicted_nps_group",
            column=schema.NPS_GROUP,
        )
    if schema.PREDICTED_NPS_GROUP in frame.columns:
        groups = groups.fillna(frame[schema.PREDICTED_NPS_GROUP].astype("string"))
    return groups


def _matches(frame: pd.DataFrame, bound: BoundRule) -> tuple[np.ndarray, np.ndarray]:
    """Rows the rule matches, and the first named theme of each (-1 when it names none)."""
    rule, n = bound.rule, len(frame)
    matched = np.ones(n, dtype=bool)
    themes = np.full(n, -1, dtype=np.int64)
    if bound.theme_ids:
        themes = _first_of(_column(frame, schema.THEME_IDS, "theme"), bound.theme_ids)
        matched &= themes >= 0
    if bound.parent_ids:
        parents = _first_of(
            _column(frame, schema.PARENT_THEME_IDS, "parent theme"), bound.parent_ids
        )
        matched &= parents >= 0
    if rule.groups:
        groups = _groups(frame)
        matched &= groups.isin([g.value for g in rule.groups]).fillna(False).to_numpy(bool)
    for name, values in rule.segments.items():
        if name not in frame.columns:  # comments without that segment (an API write)
            matched[:] = False
            continue
        matched &= frame[name].astype("string").isin(values).fillna(False).to_numpy(bool)
    if rule.languages:
        matched &= (
            _column(frame, schema.LANGUAGE, "language")
            .isin(rule.languages)
            .fillna(False)
            .to_numpy(bool)
        )
    if rule.sources:
        matched &= (
            _column(frame, schema.SOURCE, "source")
            .isin([s.value for s in rule.sources])
            .fillna(False)
            .to_numpy(bool)
        )
    return matched, themes
