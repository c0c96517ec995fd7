"""Request and response bodies of the API (the OpenAPI schema comes from here); those of
cases and fixes are in :mod:`api.loop_schemas`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from cxtext import schema

Group = Literal["detractor", "passive", "promoter"]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    ready: bool
    model: str | None = Field(description="name/version of the loaded theme model")
    store: bool = Field(description="the store file is reachable")
    comments: int | None = None
    detail: str | None = None


class Overall(BaseModel):
    comments: int
    n: int = Field(description="scored respondents")
    detractors: int
    passives: int
    promoters: int
    nps: float | None


class TrendPoint(BaseModel):
    period: str
    volume: int
    share: float


class Stability(BaseModel):
    score: float | None = Field(
        description="mean Jaccard of the theme's members with the best-matching theme of "
        "perturbed repeats of the fit; null when not measured"
    )
    status: str = Field(description="stable, unstable (score below 0.6) or not measured")
    reason: str | None = Field(description="why it was not measured")


class ThemeStats(BaseModel):
    theme_id: int
    label: str | None
    volume: int = Field(description="comments mentioning the theme")
    share: float | None = Field(description="volume / comments, in %")
    sentiment: float | None = Field(description="mean sentiment of the theme's clauses")
    n: int = Field(description="scored respondents mentioning the theme")
    detractors: int
    passives: int
    promoters: int
    nps: float | None
    impact: float | None = Field(description="NPS(all) - NPS(without the theme), points")
    impact_ci: list[float | None] = Field(description="95% interval [lo, hi]")
    significant: bool | None
    unscored: int
    stability: Stability | None = Field(
        None, description="null for parent themes and models trained before it was measured"
    )
    trend: list[TrendPoint] = []

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "theme_id": 0,
                "label": "Billing / invoice",
                "volume": 258,
                "share": 12.9,
                "sentiment": -0.5,
                "n": 258,
                "detractors": 190,
                "passives": 30,
                "promoters": 38,
                "nps": -60.9,
                "impact": -8.77,
                "impact_ci": [-9.9, -7.7],
                "significant": True,
                "unscored": 0,
                "stability": {"score": 0.93, "status": "stable", "reason": None},
                "trend": [{"period": "2026-10-05/2026-10-11", "volume": 60, "share": 12.5}],
            }
        }
    )


class ThemesResponse(BaseModel):
    model: str | None
    level: str
    overall: Overall
    themes: list[ThemeStats]
    method: str


class DriversResponse(BaseModel):
    model: str | None
    level: str
    overall: Overall
    detraction: list[ThemeStats]
    promotion: list[ThemeStats]
    method: str


class SegmentShare(BaseModel):
    value: str
    comments: int
    volume: int
    share: float | None
    nps: float | None = None
    impact: float | None = None


class ThemeDetail(BaseModel):
    model: str
    version: str
    theme_id: int
    level: str
    label: str | None
    parent_id: int | None
    size: int | None
    origin: str | None
    keywords: list[Any] | None
    keywords_by_language: dict[str, Any] | None
    representatives: list[Any] | None
    stability: Stability | None = None
    children: list[dict[str, Any]]
    summary: ThemeStats | None
    trend: list[TrendPoint]
    by_nps_group: dict[str, int]
    by_segment: list[SegmentShare] | None = None


class TrendRow(ThemeStats):
    period: str


class TrendsResponse(BaseModel):
    model: str | None
    level: str
    period: str
    rows: list[TrendRow]


class EmergingTheme(BaseModel):
    theme_id: int
    theme_label: str | None
    latest_period: str
    count: int
    n_latest: int
    share: float
    baseline_share: float
    ratio: float | None
    z: float | None
    p_value: float
    p_adjusted: float
    phi: float
    emerging: bool
    new: bool


class EmergingResponse(BaseModel):
    model: str | None
    period: str
    window: int
    themes: list[EmergingTheme]
    method: str


class FacetValue(BaseModel):
    value: str
    comments: int


class FacetsResponse(BaseModel):
    model: str | None
    comments: int = Field(description="comments of the active model")
    date_from: date | None = Field(description="first day with comments (UTC)")
    date_to: date | None = Field(description="last day with comments (UTC)")
    dimensions: dict[str, list[FacetValue]] = Field(
        description="per dimension (source, language, segment:NAME) its values, most "
        "frequent first, at most 50"
    )


class MetricsResponse(BaseModel):
    model: str | None
    metric: str
    overall: dict[str, Any] | list[dict[str, Any]] = Field(
        description="NPS/CSAT: one record; CES: one per scale; response times: one per metric"
    )
    groups: list[dict[str, Any]]
    n_undated: int = Field(
        description="filtered comments without a date: counted in `overall` and in the "
        "segment groups, in no period group"
    )


class CommentsPage(BaseModel):
    comments: list[dict[str, Any]]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


# --- what a write may hold ------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Names a segment cannot have: the comment's own columns, stored beside its segments.
RESERVED_SEGMENTS = frozenset(schema.CANONICAL_DTYPES) | frozenset(schema.TAGGED_COLUMNS)


def _unicode(value: str) -> str:
    """``value`` when UTF-8 can encode it: JSON's ``\\ud800`` escapes can send lone
    surrogates, which no store can hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        raise ValueError(f"not valid Unicode: a lone surrogate {bad!r} at {exc.start}") from None
    return value


def _key(value: str) -> str:
    """A valid id or name, stripped as ingestion strips ids; control characters (line
    breaks, tabs, NUL) are refused, not removed, so two keys never become one."""
    value = _unicode(value).strip()
    if _CONTROL.search(value):
        raise ValueError("holds a control character (line break, tab, NUL, ...)")
    return value


def _if_str(check: Callable[[str], str]) -> BeforeValidator:
    """``check`` run on strings before pydantic's own checks (others get its type error)."""
    return BeforeValidator(lambda value: check(value) if isinstance(value, str) else value)


def _no_bool(value: Any) -> Any:
    """Refuse ``true``/``false``, which pydantic would read as 1/0."""
    if isinstance(value, bool):
        raise ValueError("a score is a number, not a boolean")
    return value


def _name_problem(name: str, seen: set[str]) -> str | None:
    """Why ``name`` cannot name a segment; None when it can."""
    if not name:
        return "an empty name"
    if ":" in name:
        return "a name with a colon (the separator of segment filters)"
    if name in RESERVED_SEGMENTS:
        return "the name of a comment field"
    return f"{name!r} named twice" if name in seen else None


def _segments(value: dict[str, str]) -> dict[str, str]:
    """Segments as ingestion stores them: names and values stripped, NUL characters
    removed from values, empty values absent."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for raw, text in value.items():
        try:
            name = _key(raw)
            text = _unicode(text).replace("\x00", "").strip()
        except ValueError as exc:
            raise ValueError(f"segment {raw!r}: {exc}") from None
        problem = _name_problem(name, seen)
        if problem:
            raise ValueError(f"segment {raw!r}: {problem}")
        seen.add(name)
        if text:
            out[name] = text
    return out


Text = Annotated[str, _if_str(_unicode)]
Key = Annotated[str, _if_str(_key)]
Score = Annotated[int, BeforeValidator(_no_bool)]
Segments = Annotated[dict[str, str], AfterValidator(_segments)]
# ISO 8601's extended form: a date, then optionally a time and Z or an offset. Other
# forms ("now", "11/02/2026") would be read by guesswork, so they are not dates here.
ISO_8601 = re.compile(
    r"\d{4}-\d{2}-\d{2}"  # date
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"  # time
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?",  # offset
    re.IGNORECASE,
)


class CommentIn(BaseModel):
    """One comment to tag: its text and, when known, its id and language. Every string
    must be valid Unicode, and fields the API does not know are refused."""

    model_config = ConfigDict(extra="forbid")

    id: Key | None = Field(
        default=None,
        max_length=200,
        description="Your id of the comment. Storing a comment whose id is already stored "
        "replaces the earlier one. Without it (or with a blank one), the server assigns a new "
        "id, unique for ever (a time-ordered UUID), returned in the answer. Stripped of "
        "surrounding whitespace; control characters (line breaks, tabs, NUL) are refused.",
    )
    text: Text = Field(
        max_length=20_000,
        description="Cleaned before tagging and storing: markup and NUL characters removed, "
        "whitespace collapsed.",
    )
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")


class TagRequest(BaseModel):
    comments: list[CommentIn] = Field(min_length=1)
    store: bool = Field(default=False, description="also store them (needs the write scope)")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "comments": [
                    {"id": "c1", "text": "The invoice was wrong again but the staff was kind"},
                    {"id": "c2", "text": "De factuur klopte niet", "language": "nl"},
                ]
            }
        },
    )


class Clause(BaseModel):
    theme_id: int
    parent_theme_id: int
    sentiment: float | None


class TaggedComment(BaseModel):
    id: str
    language: str
    theme_id: int
    theme_label: str
    theme_ids: list[int]
    parent_theme_id: int
    clauses: list[Clause]
    sentiment: float | None
    sentiment_label: str | None
    predicted_nps_group: Group | None


class TagResponse(BaseModel):
    model: str
    comments: list[TaggedComment]
    stored: int = 0
    cases_opened: int = Field(default=0, description="follow-up cases the stored ones opened")


class IngestComment(CommentIn):
    """A comment to store: the tag fields plus what the store keeps."""

    id: Key = Field(
        min_length=1,
        max_length=200,
        description="Your id of the comment: sending an id already stored replaces that "
        "comment. Stripped of surrounding whitespace; control characters are refused.",
    )
    source: Literal["survey", "ticket"] = "survey"
    created_at: Text | None = Field(
        default=None,
        description="ISO 8601's extended form (2026-11-20, 2026-11-20T10:00:00+01:00), UTC "
        "unless it has an offset; none or blank: an undated comment. Any other value, or a "
        "date outside 1677-2262, quarantines the comment.",
    )
    nps_score: Score | None = Field(default=None, ge=0, le=10)
    csat: Score | None = Field(default=None, ge=1, le=5)
    segments: Segments = Field(
        default={},
        description="Segment name to value, e.g. country. A name is not empty, holds no colon "
        "(the filters' separator) and is no comment field; names and values are stripped, "
        "empty values left out.",
    )


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comments: list[IngestComment] = Field(min_length=1)


class Quarantined(BaseModel):
    """A comment refused by ingestion's checks, with why."""

    index: int = Field(description="its position in the request's `comments`, from 0")
    id: str
    reasons: list[str] = Field(
        description="ingestion's reason keys, e.g. created_at:unparseable_date"
    )


class IngestResponse(BaseModel):
    run_id: str | None = Field(description="the store write; none when nothing was stored")
    stored: int
    quarantined: list[Quarantined] = Field(description="comments not stored, with their reasons")
    model: str
    cases_opened: int = Field(default=0, description="follow-up cases the stored ones opened")


class ModelVersion(BaseModel):
    model: str
    version: str
    created_at: Any
    active: bool
    themes: int
    parents: int


class ModelsResponse(BaseModel):
    models: list[ModelVersion]
