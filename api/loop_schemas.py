"""Request and response bodies of closing the loop: cases with their follow-up figures,
and fixes (actions) with their effect."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

CaseStatus = Literal["open", "contacted", "resolved", "dismissed"]


class Case(BaseModel):
    case_id: str
    comment_id: str
    customer_id: str | None
    theme_id: int
    theme_label: str | None
    model: str | None
    model_version: str | None
    rule: str
    owner: str
    opened_at: datetime
    due_at: datetime
    status: CaseStatus
    updated_at: datetime
    contacted_at: datetime | None
    closed_at: datetime | None = Field(description="when resolved or dismissed")
    run_id: str | None = Field(description="the write that opened it")
    overdue: bool = Field(description="past due and neither contacted nor closed")


class CaseEvent(BaseModel):
    at: datetime
    actor: str = Field(description="the API key's name, or who the command line named")
    status: CaseStatus
    note: str | None


class CaseDetail(Case):
    history: list[CaseEvent] = Field(description="every change, oldest first; never rewritten")


class CasesPage(BaseModel):
    cases: list[Case]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


class CaseUpdate(BaseModel):
    """A change of status, a note, or both; appended to the case's history."""

    model_config = ConfigDict(extra="forbid")

    status: CaseStatus | None = None
    note: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class CaseFigures(BaseModel):
    owner: str | None = None
    theme: str | None = None
    rule: str | None = None
    opened: int
    contacted: int
    on_time_share: float | None = Field(
        description="of the cases contacted or due by now, the share contacted in time, in %"
    )
    open_overdue: int
    contact_hours_median: float | None
    contact_hours_p90: float | None
    resolve_hours_median: float | None
    resolve_hours_p90: float | None


class RescoreGroup(BaseModel):
    n: int
    mean_change: float | None


class RescoreEffect(BaseModel):
    contacted: RescoreGroup
    not_contacted: RescoreGroup
    difference: float | None
    difference_ci: list[float] | None
    method: str


class CaseMetricsResponse(BaseModel):
    groups: list[CaseFigures]
    rescore: RescoreEffect = Field(
        description="score change of detractors with a case at their next answer, "
        "contacted against not contacted"
    )


class ActionIn(BaseModel):
    """A fix shipped for a theme of the active model."""

    model_config = ConfigDict(extra="forbid")

    theme_id: int
    level: Literal["theme", "parent"] = "theme"
    description: Annotated[str, Field(min_length=1, max_length=2000)]
    owner: Annotated[str, Field(min_length=1, max_length=200)]
    shipped_on: date
    segments: dict[str, list[str]] = Field(
        default={}, description="segment name -> the values the fix applies to; none: all"
    )


class Action(BaseModel):
    action_id: str
    model: str
    model_version: str
    level: str
    theme_id: int
    theme_label: str | None
    description: str
    owner: str
    shipped_on: date
    segments: dict[str, list[str]]
    created_at: datetime


class ActionsResponse(BaseModel):
    actions: list[Action]


class Change(BaseModel):
    before: float | None
    after: float | None
    change: float | None
    change_ci: list[float] | None


class DiffInDiff(BaseModel):
    against: str
    treated_change: float = Field(description="relative change of the share in scope, %")
    control_change: float = Field(description="relative change in the comparison, %")
    estimate: float = Field(description="relative change against the comparison, %")
    ci: list[float]
    significant: bool


class Effect(BaseModel):
    share: Change = Field(description="the theme's share of the comments in scope, points")
    impact: Change = Field(description="the theme's impact on NPS, points")
    did: DiffInDiff | None


class ActionEffect(Action):
    window_days: int
    windows: dict[str, list[str]]
    comments: dict[str, int]
    effect: Effect | None
    message: str | None = None
    method: str
