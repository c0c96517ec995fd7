"""Theme drivers of NPS: how much each theme moves the score, with 95% intervals.

Pure functions over a *tagged frame* (one row per comment, as ``cxtext tag`` writes it); no
I/O. The tagged frame adds to the canonical frame (:mod:`cxtext.schema`):

- ``theme_ids`` / ``theme_labels``: the distinct themes of the comment's clauses (lists,
  possibly empty; numpy arrays after a Parquet round trip are accepted too);
  ``parent_theme_ids`` / ``parent_theme_labels`` the same at the parent level;
- ``clause_theme_ids`` (one theme per clause, -1 = unassigned), ``clause_parent_ids`` (the
  clause themes' parents) and ``clause_sentiments`` (floats in [-1, 1]) aligned with them;
- ``nps_group`` (derived from ``nps_score`` when the column is absent) and optionally
  ``predicted_nps_group`` (the group a model predicts for comments without a score).

Respondents are rows with an NPS group. Impact follows docs/architecture.md, "Metric definitions":
impact_t = NPS(all) - NPS(all without the theme's respondents) = n_t (NPS_t - NPS_rest) / N,
in NPS points. Shares are in points [0, 100], as in :mod:`cxtext.analysis.metrics`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.analysis.metrics import (
    Z95,
    _json_safe,
    _names,
    _nps_scores,
    nps_stats_columns,
    table_records,
)
from cxtext.errors import ConfigError, DataValidationError

__all__ = [
    "CLAUSE_SENTIMENTS",
    "DRIVER_COLUMNS",
    "IMPACT_METHOD",
    "PREDICTED_NPS_GROUP",
    "LevelName",
    "drivers_report",
    "drivers_table",
    "key_drivers",
    "theme_impact",
]

LevelName = schema.LevelName
PREDICTED_NPS_GROUP: Final = schema.PREDICTED_NPS_GROUP
CLAUSE_SENTIMENTS: Final = schema.CLAUSE_SENTIMENTS


@dataclass(frozen=True)
class _Level:
    ids: str
    labels: str
    clause_ids: str
    main_id: str
    main_label: str


_LEVELS: Final[dict[str, _Level]] = {
    "theme": _Level(
        schema.THEME_IDS,
        schema.THEME_LABELS,
        schema.CLAUSE_THEME_IDS,
        schema.THEME_ID,
        schema.THEME_LABEL,
    ),
    "parent": _Level(
        schema.PARENT_THEME_IDS,
        schema.PARENT_THEME_LABELS,
        schema.CLAUSE_PARENT_IDS,
        schema.PARENT_THEME_ID,
        schema.PARENT_THEME_LABEL,
    ),
}
_GROUP_COLUMNS: Final[dict[str, str]] = {
    schema.NpsGroup.DETRACTOR: "detractors",
    schema.NpsGroup.PASSIVE: "passives",
    schema.NpsGroup.PROMOTER: "promoters",
}
_PREDICTED_COLUMNS: Final[dict[str, str]] = {
    group: f"predicted_{column}" for group, column in _GROUP_COLUMNS.items()
}
_COUNTS: Final[tuple[str, ...]] = (
    "volume",
    "n",
    *_GROUP_COLUMNS.values(),
    *_PREDICTED_COLUMNS.values(),
)
_ALL: Final = "__all__"  # constant key so that "no grouping" is one group

DRIVER_COLUMNS: Final[tuple[str, ...]] = (
    "theme_id",
    "theme_label",
    "volume",
    "share",
    "n",
    "detractors",
    "passives",
    "promoters",
    "detractor_share",
    "passive_share",
    "promoter_share",
    "nps",
    "detractor_lift",
    "sentiment",
    "impact",
    "impact_ci_lo",
    "impact_ci_hi",
    "significant",
    "unscored",
    "predicted_detractor_share",
    "predicted_passive_share",
    "predicted_promoter_share",
)

IMPACT_METHOD: Final = (
    "impact = NPS(all) - NPS(all without the theme's respondents) = n_t (NPS_t - NPS_rest) / N,"
    " in NPS points; 95% interval impact +- 1.96 (n_t / N) sqrt(SE_t^2 + SE_rest^2), with n_t"
    " held fixed, theme and rest as independent samples and adjusted-Wald SEs (n + 3,"
    " P + 3/4, D + 3/4); significant when the interval excludes 0"
)


# --- impact -------------------------------------------------------------------------------


def _adjusted_se(promoters: np.ndarray, detractors: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Adjusted-Wald SE of NPS in points: n + 3, P + 3/4, D + 3/4 (as metrics.nps_stats)."""
    n = n + 3
    p, d = (promoters + 0.75) / n, (detractors + 0.75) / n
    return np.asarray(100 * np.sqrt(np.maximum(p + d - (p - d) ** 2, 0.0) / n))


def _group_counts(counts: Mapping[str, Any] | pd.DataFrame) -> tuple[np.ndarray, ...]:
    return tuple(
        np.atleast_1d(np.asarray(counts[column], dtype="float64"))
        for column in ("promoters", "passives", "detractors")
    )


def theme_impact(
    theme: Mapping[str, Any] | pd.DataFrame, total: Mapping[str, Any] | pd.DataFrame
) -> pd.DataFrame:
    """Impact of themes on NPS with analytic 95% intervals.

    impact = NPS(all) - NPS(rest) = n_t (NPS_t - NPS_rest) / N in NPS points, where "rest"
    is every respondent who does not mention the theme. The 95% interval is
    impact +- 1.96 (n_t / N) sqrt(SE_t^2 + SE_rest^2): the theme's respondent count n_t is
    held fixed, the theme's respondents and the rest are independent samples, and each SE
    is the adjusted-Wald one (n + 3, P + 3/4, D + 3/4; see
    :func:`cxtext.analysis.metrics.nps_stats`), so a theme held only by detractors still gets
    an interval of non-zero width.

    Parameters
    ----------
    theme
        ``promoters``, ``passives``, ``detractors``: counts of the theme's respondents,
        scalars or arrays of shape (k,) for k themes.
    total
        The same counts for all respondents, shape () or (k,).

    Returns
    -------
    DataFrame
        k rows: ``impact``, ``impact_ci_lo``, ``impact_ci_hi`` (floats) and ``significant``
        (nullable boolean: the interval excludes 0). When no respondent mentions the theme
        the impact is 0 and the interval NaN; when every respondent does (the rest is
        empty) impact and interval are NaN; ``significant`` is NA without an interval.

    Raises
    ------
    DataValidationError
        When a theme count is negative or exceeds the total.
    """
    p_t, a_t, d_t = _group_counts(theme)
    p_all, a_all, d_all = _group_counts(total)
    p_r, a_r, d_r = p_all - p_t, a_all - a_t, d_all - d_t
    if any(np.any(c < 0) for c in (p_t, a_t, d_t, p_r, a_r, d_r)):
        raise DataValidationError("theme counts must be between 0 and the total counts")
    n_t, n_r = p_t + a_t + d_t, p_r + a_r + d_r
    n_all = n_t + n_r
    with np.errstate(divide="ignore", invalid="ignore"):
        impact = 100 * ((p_all - d_all) / n_all - (p_r - d_r) / n_r)
        half = (
            Z95 * n_t / n_all * np.hypot(_adjusted_se(p_t, d_t, n_t), _adjusted_se(p_r, d_r, n_r))
        )
    impact = np.where(n_r == 0, np.nan, np.where(n_t == 0, 0.0, impact))
    half = np.where((n_t == 0) | (n_r == 0), np.nan, half)
    lo, hi = impact - half, impact + half
    significant = pd.array((lo > 0) | (hi < 0), dtype="boolean")
    significant[np.isnan(half)] = pd.NA
    return pd.DataFrame(
        {"impact": impact, "impact_ci_lo": lo, "impact_ci_hi": hi, "significant": significant}
    )


# --- tallies from a tagged frame ----------------------------------------------------------


def _level(level: str) -> _Level:
    if level not in _LEVELS:
        raise ConfigError(f"level must be 'theme' or 'parent', not {level!r}")
    return _LEVELS[level]


def _group_values(values: pd.Series, column: str) -> np.ndarray:
    """NPS group names as an object array, None where missing; other values are refused."""
    out = values.astype(object).where(values.notna(), None).to_numpy()
    bad = {v for v in out if v is not None} - set(_GROUP_COLUMNS)
    if bad:
        raise DataValidationError(
            f"unknown NPS group(s) {sorted(map(str, bad))[:5]};"
            f" expected {', '.join(_GROUP_COLUMNS)}",
            column=column,
        )
    return out


def _nps_groups(frame: pd.DataFrame) -> np.ndarray:
    """Each row's NPS group: ``nps_group``, or derived from ``nps_score`` without it."""
    if schema.NPS_GROUP in frame.columns:
        return _group_values(frame[schema.NPS_GROUP], schema.NPS_GROUP)
    score = _nps_scores(frame).to_numpy()
    groups = np.where(score >= 9, "promoter", np.where(score >= 7, "passive", "detractor"))
    groups = groups.astype(object)
    groups[np.isnan(score)] = None
    return groups


def _row_counts(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per comment (RangeIndex): key columns and 0/1 indicators for ``_COUNTS``."""
    group = _nps_groups(frame)
    predicted = (
        _group_values(frame[PREDICTED_NPS_GROUP], PREDICTED_NPS_GROUP)
        if PREDICTED_NPS_GROUP in frame.columns
        else np.full(len(frame), None, dtype=object)
    )
    unscored = np.array([g is None for g in group], dtype=bool)
    data: dict[str, Any] = {_ALL: np.zeros(len(frame), dtype="int64")}
    data.update({key: frame[key].reset_index(drop=True) for key in keys})
    data["volume"] = np.ones(len(frame), dtype="int64")
    data["n"] = ~unscored
    for name, column in _GROUP_COLUMNS.items():
        data[column] = group == name
    for name, column in _PREDICTED_COLUMNS.items():
        data[column] = unscored & (predicted == name)
    return pd.DataFrame(data)


def _with_labels(frame: pd.DataFrame, spec: _Level) -> pd.DataFrame:
    """``frame`` with its list of theme labels, derived when absent: each id gets the label
    its comments carry as their main theme, or "theme <id>" when none does."""
    if spec.labels in frame.columns or spec.ids not in frame.columns:
        return frame
    names: dict[int, str] = {}
    if spec.main_id in frame.columns and spec.main_label in frame.columns:
        pairs = frame[[spec.main_id, spec.main_label]].dropna().drop_duplicates(spec.main_id)
        names = {int(i): str(label) for i, label in pairs.itertuples(index=False)}
    labels = [
        [names.get(int(i), f"theme {int(i)}") for i in ids]
        if isinstance(ids, list | tuple | np.ndarray)
        else None
        for ids in frame[spec.ids]
    ]
    return frame.assign(**{spec.labels: labels})


def _exploded(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Aligned list columns exploded to one row per element, with the row position ``row``."""
    for column in columns:
        if column not in frame.columns:
            raise DataValidationError(f"tagged frame has no {column!r} column", column=column)
    lists = pd.DataFrame({c: frame[c].to_numpy() for c in columns}).rename_axis("row")
    try:
        long = lists.explode(columns)
    except ValueError as error:
        raise DataValidationError(f"lists in {', '.join(columns)} differ in length") from error
    return long.dropna(subset=[columns[0]]).reset_index()


def tally(frame: pd.DataFrame, level: str, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts per (keys, theme) and per keys.

    Returns
    -------
    themes
        Key columns, ``theme_id``, ``theme_label``, ``_COUNTS`` over the comments mentioning
        the theme, ``sentiment`` (mean of the theme's clause sentiments), then the group's
        totals: ``comments`` and ``total_<count>`` for every count.
    totals
        Key columns, ``comments`` and ``total_<count>``, one row per group with comments.
    """
    spec = _level(level)
    for key in keys:
        if key not in frame.columns:
            raise DataValidationError(f"no column {key!r} to group by", column=key)
    rows = _row_counts(frame, keys)
    group_keys = [_ALL, *keys]

    def grouped(values: pd.DataFrame, by: list[str]) -> Any:
        return values.groupby(by, dropna=False, sort=True, observed=True)

    totals = grouped(rows[[*group_keys, *_COUNTS]], group_keys).sum()
    totals = totals.rename(columns={"volume": "comments"}).add_prefix("total_")
    totals = totals.rename(columns={"total_comments": "comments"}).reset_index()

    mentions = _exploded(_with_labels(frame, spec), [spec.ids, spec.labels])
    mentions = mentions.astype({spec.ids: "int64"}).drop_duplicates(["row", spec.ids])
    per = rows.iloc[mentions["row"]].reset_index(drop=True)
    per = per.assign(
        theme_id=mentions[spec.ids].to_numpy(), theme_label=mentions[spec.labels].to_numpy()
    )
    by = [*group_keys, "theme_id"]
    aggregations: dict[str, Any] = {"theme_label": "first", **dict.fromkeys(_COUNTS, "sum")}
    themes = grouped(per, by).agg(aggregations).reset_index()

    if spec.clause_ids in frame.columns and CLAUSE_SENTIMENTS in frame.columns:
        clauses = _exploded(frame, [spec.clause_ids, CLAUSE_SENTIMENTS])
        clauses = clauses.astype({spec.clause_ids: "int64", CLAUSE_SENTIMENTS: "float64"})
        clauses = clauses.loc[clauses[spec.clause_ids] >= 0]
        values = rows[group_keys].iloc[clauses["row"]].reset_index(drop=True)
        values = values.assign(
            theme_id=clauses[spec.clause_ids].to_numpy(),
            sentiment=clauses[CLAUSE_SENTIMENTS].to_numpy(),
        )
        sentiment = grouped(values, by)["sentiment"].mean().reset_index()
        themes = themes.merge(sentiment, on=by, how="left")
    else:
        themes = themes.assign(sentiment=np.nan)
    themes = themes.merge(totals, on=group_keys, how="left")
    return themes.drop(columns=_ALL), totals.drop(columns=_ALL)


# --- tables -------------------------------------------------------------------------------


def ratio(numerator: Any, denominator: Any) -> np.ndarray:
    """numerator / denominator as float64, NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den != 0)


def drivers_table(
    frame: pd.DataFrame, *, level: LevelName = "theme", by: Sequence[str] = ()
) -> pd.DataFrame:
    """One row per theme (per ``by`` group) with its NPS profile and impact on NPS.

    Parameters
    ----------
    frame
        Tagged frame, one row per comment (see the module docstring).
    level
        "theme" (``theme_ids``, ``clause_theme_ids``) or "parent" (``parent_theme_ids``,
        ``clause_parent_ids``).
    by
        Segment columns; counts, shares and impacts are computed within each group.

    Returns
    -------
    DataFrame
        Key columns (``by``), then ``DRIVER_COLUMNS``:

        - ``volume``: comments mentioning the theme, scored or not; ``share``: 100 * volume /
          all comments of the group (with or without a theme);
        - ``n``: respondents (rows with an NPS group) mentioning it; ``detractors``,
          ``passives``, ``promoters`` and their ``*_share`` of n in points; ``nps`` of them;
        - ``detractor_lift``: the theme's detractor share / the group's detractor share;
        - ``sentiment``: mean sentiment of the clauses assigned to the theme (clause level,
          not the comments' average); NaN without clause columns;
        - ``impact``, ``impact_ci_lo``, ``impact_ci_hi``, ``significant``: see
          :func:`theme_impact`, against all respondents of the group;
        - ``unscored``: mentioning comments without an NPS group;
          ``predicted_detractor_share`` / ``_passive_`` / ``_promoter_``: shares among the
          unscored mentioning comments with a ``predicted_nps_group`` (NaN when none).

        Themes mentioned only by unscored comments (tickets) get a row with ``n == 0`` and
        ``impact == 0``. Rows are sorted by the keys, then impact ascending (most negative
        first, NaN last), then ``theme_id``.
    """
    keys = _names(by)
    themes, _ = tally(frame, level, keys)
    impact = theme_impact(
        themes[list(_GROUP_COLUMNS.values())],
        themes[[f"total_{c}" for c in _GROUP_COLUMNS.values()]].rename(
            columns=lambda c: c.removeprefix("total_")
        ),
    )
    n = themes["n"]
    predicted = themes[list(_PREDICTED_COLUMNS.values())].sum(axis=1)
    table = themes.assign(
        share=100 * ratio(themes["volume"], themes["comments"]),
        detractor_share=100 * ratio(themes["detractors"], n),
        passive_share=100 * ratio(themes["passives"], n),
        promoter_share=100 * ratio(themes["promoters"], n),
        nps=100 * ratio(themes["promoters"] - themes["detractors"], n),
        detractor_lift=ratio(
            themes["detractors"] * themes["total_n"], n * themes["total_detractors"]
        ),
        unscored=themes["volume"] - n,
        predicted_detractor_share=100 * ratio(themes["predicted_detractors"], predicted),
        predicted_passive_share=100 * ratio(themes["predicted_passives"], predicted),
        predicted_promoter_share=100 * ratio(themes["predicted_promoters"], predicted),
        **{column: impact[column].to_numpy() for column in impact.columns},
    )
    table = table.sort_values([*keys, "impact", "theme_id"], na_position="last")
    return table.reset_index(drop=True)[[*keys, *DRIVER_COLUMNS]]


def key_drivers(
    table: pd.DataFrame, *, top: int = 5, significant_only: bool = False
) -> dict[str, pd.DataFrame]:
    """The themes that pull NPS down most and those that lift it most.

    Parameters
    ----------
    table
        A :func:`drivers_table`; with key columns (those before ``theme_id``) the top themes
        are picked within each group.
    top
        Themes per direction (and group).
    significant_only
        Keep only themes whose impact interval excludes 0.

    Returns
    -------
    dict
        ``"detraction"``: themes with impact < 0, most negative first; ``"promotion"``:
        themes with impact > 0, most positive first. Same columns as ``table``.
    """
    keys = list(table.columns[: table.columns.get_loc("theme_id")])
    rows = table.loc[table["significant"].fillna(False).astype(bool)] if significant_only else table

    def pick(mask: pd.Series, ascending: bool) -> pd.DataFrame:
        picked = rows.loc[mask].sort_values(
            [*keys, "impact"], ascending=[True] * len(keys) + [ascending]
        )
        picked = (
            picked.groupby(keys, dropna=False, sort=False).head(top) if keys else picked.head(top)
        )
        return picked.reset_index(drop=True)

    return {
        "detraction": pick(rows["impact"] < 0, ascending=True),
        "promotion": pick(rows["impact"] > 0, ascending=False),
    }


def _driver_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows; ``impact_ci_lo``/``impact_ci_hi`` become ``impact_ci: [lo, hi]``."""
    out = []
    for row in table.to_dict("records"):
        record: dict[str, Any] = {}
        for key, value in row.items():
            if key == "impact_ci_lo":
                record["impact_ci"] = [_json_safe(value), _json_safe(row["impact_ci_hi"])]
            elif key != "impact_ci_hi":
                record[str(key)] = _json_safe(value)
        out.append(record)
    return out


def drivers_report(
    frame: pd.DataFrame, *, level: LevelName = "theme", by: Sequence[str] = (), top: int = 5
) -> dict[str, Any]:
    """JSON-ready drivers for ``cxtext drivers --json`` (the README's contract).

    Returns
    -------
    dict
        Plain Python values only (None for undefined statistics):

        - ``"overall"``: the keys of :func:`cxtext.analysis.metrics.nps_stats` over all
          respondents (rows with an NPS group) plus ``"comments"`` (all rows);
        - ``"themes"``: one dict per :func:`drivers_table` row, with ``"impact_ci": [lo, hi]``
          in place of ``impact_ci_lo`` / ``impact_ci_hi``;
        - ``"key_drivers"``: ``{"detraction": [...], "promotion": [...]}`` from
          :func:`key_drivers` (``top`` per direction and group), same record shape;
        - ``"method"``: how impact and its interval are computed.
    """
    table = drivers_table(frame, level=level, by=by)
    _, totals = tally(frame, level, [])
    counts = totals.rename(columns=lambda c: c.removeprefix("total_"))
    columns = ["n", *reversed(_GROUP_COLUMNS.values())]  # n, promoters, passives, detractors
    counts = counts[columns] if len(counts) else pd.DataFrame([dict.fromkeys(columns, 0)])
    overall = table_records(nps_stats_columns(counts))[0]
    overall["comments"] = len(frame)
    drivers = key_drivers(table, top=top)
    return {
        "overall": overall,
        "themes": _driver_records(table),
        "key_drivers": {name: _driver_records(rows) for name, rows in drivers.items()},
        "method": IMPACT_METHOD,
    }
