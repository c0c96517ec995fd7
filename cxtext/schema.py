"""The canonical record contract: column names, kinds and allowed values, in one place.

Every reader maps an export onto these names; every later stage reads them from here.
Two sources share one frame: survey answers (``source == "survey"``) and support
tickets (``source == "ticket"``). Segment columns (country, product, touchpoint, ...)
are any further columns the mapping declares; they keep the names the mapping gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

# --- identity and text -------------------------------------------------------------
ID: Final = "id"
SOURCE: Final = "source"
CREATED_AT: Final = "created_at"
TEXT: Final = "text"
TEXT_FLAG: Final = "text_flag"
LANGUAGE: Final = "language"

# --- survey answers -----------------------------------------------------------------
NPS_SCORE: Final = "nps_score"
NPS_GROUP: Final = "nps_group"
CSAT: Final = "csat"
CES: Final = "ces"
CES_SCALE: Final = "ces_scale"
PROBLEM: Final = "problem"
SURVEY_TYPE: Final = "survey_type"

# --- support tickets ----------------------------------------------------------------
FIRST_RESPONSE_AT: Final = "first_response_at"
RESOLVED_AT: Final = "resolved_at"
LAST_RESOLVED_AT: Final = "last_resolved_at"
CHANNEL: Final = "channel"
STATUS: Final = "status"
CUSTOMER_ID: Final = "customer_id"

# --- bookkeeping added by ingestion -------------------------------------------------
SOURCE_ROW: Final = "source_row"

# --- added by tagging (the README's `cxtext tag` output) ----------------------------
UNASSIGNED: Final = -1  # theme id of a clause or comment that no theme takes
THEME_ID: Final = "theme_id"  # the comment's main theme, UNASSIGNED when none
THEME_LABEL: Final = "theme_label"
THEME_IDS: Final = "theme_ids"  # distinct clause themes, clause order
THEME_LABELS: Final = "theme_labels"  # aligned with THEME_IDS
PARENT_THEME_ID: Final = "parent_theme_id"
PARENT_THEME_LABEL: Final = "parent_theme_label"
PARENT_THEME_IDS: Final = "parent_theme_ids"
PARENT_THEME_LABELS: Final = "parent_theme_labels"
CLAUSE_THEME_IDS: Final = "clause_theme_ids"  # one per clause, -1 unassigned
CLAUSE_PARENT_IDS: Final = "clause_parent_ids"  # aligned with CLAUSE_THEME_IDS
CLAUSE_SENTIMENTS: Final = "clause_sentiments"  # aligned with CLAUSE_THEME_IDS
SENTIMENT: Final = "sentiment"  # float in [-1, 1]
SENTIMENT_LABEL: Final = "sentiment_label"  # negative | neutral | positive
PREDICTED_NPS_GROUP: Final = "predicted_nps_group"
TAGGED_COLUMNS: Final[tuple[str, ...]] = (
    THEME_ID,
    THEME_LABEL,
    THEME_IDS,
    THEME_LABELS,
    PARENT_THEME_ID,
    PARENT_THEME_LABEL,
    PARENT_THEME_IDS,
    PARENT_THEME_LABELS,
    CLAUSE_THEME_IDS,
    CLAUSE_PARENT_IDS,
    CLAUSE_SENTIMENTS,
    SENTIMENT,
    SENTIMENT_LABEL,
    PREDICTED_NPS_GROUP,
)


class Source(StrEnum):
    """Where a record comes from."""

    SURVEY = "survey"
    TICKET = "ticket"


class SurveyType(StrEnum):
    """NPS+ survey kinds."""

    RELATIONAL = "relational"
    TRANSACTIONAL = "transactional"
    IN_THE_MOMENT = "in-the-moment"


class NpsGroup(StrEnum):
    """NPS respondent groups (promoters 9-10, passives 7-8, detractors 0-6)."""

    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"


# The NPS groups in a fixed order (the store codes them 0, 1, 2 in this order).
NPS_GROUPS: Final[tuple[str, ...]] = tuple(group.value for group in NpsGroup)


class TextFlag(StrEnum):
    """Why a row's text is kept out of text mining (the row stays for metrics)."""

    OK = ""
    EMPTY = "empty"


NPS_MIN: Final = 0
NPS_MAX: Final = 10
CSAT_MIN: Final = 1
CSAT_MAX: Final = 5


@dataclass(frozen=True)
class CesScale:
    """A declared Customer Effort Score scale.

    Attributes
    ----------
    name
        Registry name stored with every answer, e.g. ``"1-7"``.
    low, high
        Inclusive bounds of the answer.
    top_from
        Answers ``>= top_from`` count as "easy" (after orienting by ``higher_is_easier``).
    higher_is_easier
        ``True`` for agreement scales such as CES 2.0 ("the company made it easy").
    """

    name: str
    low: int
    high: int
    top_from: int
    higher_is_easier: bool = True


# CES 2.0 (Gartner/CEB): 1-7 agreement, report the mean and the share of 5-7.
CES_SCALES: Final[dict[str, CesScale]] = {
    "1-7": CesScale("1-7", 1, 7, 5, True),
    "1-5": CesScale("1-5", 1, 5, 4, True),
    "1-5-reversed": CesScale("1-5-reversed", 1, 5, 4, False),
    "1-7-reversed": CesScale("1-7-reversed", 1, 7, 5, False),
}

# Canonical columns with their pandas dtype; segment columns come on top.
CANONICAL_DTYPES: Final[dict[str, str]] = {
    ID: "string",
    SOURCE: "string",
    CREATED_AT: "datetime64[ns, UTC]",
    TEXT: "string",
    TEXT_FLAG: "string",
    LANGUAGE: "string",
    NPS_SCORE: "Int64",
    NPS_GROUP: "string",
    CSAT: "Int64",
    CES: "Int64",
    CES_SCALE: "string",
    PROBLEM: "string",
    SURVEY_TYPE: "string",
    FIRST_RESPONSE_AT: "datetime64[ns, UTC]",
    RESOLVED_AT: "datetime64[ns, UTC]",
    LAST_RESOLVED_AT: "datetime64[ns, UTC]",
    CHANNEL: "string",
    STATUS: "string",
    CUSTOMER_ID: "string",
    SOURCE_ROW: "Int64",
}

# Fields a column mapping may point at (everything but what ingestion derives).
MAPPABLE_FIELDS: Final[frozenset[str]] = frozenset(CANONICAL_DTYPES) - {
    TEXT_FLAG,
    LANGUAGE,
    NPS_GROUP,
    SOURCE_ROW,
}

DATETIME_FIELDS: Final[tuple[str, ...]] = (
    CREATED_AT,
    FIRST_RESPONSE_AT,
    RESOLVED_AT,
    LAST_RESOLVED_AT,
)

# Default languages for language id; "und" when too short or unclear.
DEFAULT_LANGUAGES: Final[tuple[str, ...]] = ("en", "nl", "ro", "pt", "ar", "af", "es", "de", "fr")
UNDETERMINED_LANGUAGE: Final = "und"


def nps_group(score: int) -> NpsGroup:
    """Return the NPS group of a 0-10 score."""
    if not NPS_MIN <= score <= NPS_MAX:
        raise ValueError(f"NPS score {score} outside {NPS_MIN}-{NPS_MAX}")
    if score >= 9:
        return NpsGroup.PROMOTER
    if score >= 7:
        return NpsGroup.PASSIVE
    return NpsGroup.DETRACTOR


# Levels of the theme hierarchy and calendar periods, as the CLI, the API and the store
# name them; PERIOD_FREQ gives each period's pandas frequency (weeks end on Sunday).
LevelName = Literal["theme", "parent"]
PeriodName = Literal["day", "week", "month"]
PERIODS: Final[tuple[PeriodName, ...]] = ("day", "week", "month")
PERIOD_FREQ: Final[dict[str, str]] = {"day": "D", "week": "W-SUN", "month": "M"}


def segment_columns(columns: Iterable[str]) -> list[str]:
    """The segment columns among a frame's ``columns``: neither canonical nor added by
    tagging."""
    known = set(CANONICAL_DTYPES) | set(TAGGED_COLUMNS)
    return [c for c in columns if c not in known]
