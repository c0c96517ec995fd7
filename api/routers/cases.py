"""Follow-up cases: list and read them (read scope), change their status (write scope)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from api.deps import require
from api.loop_schemas import CaseDetail, CaseMetricsResponse, CasesPage, CaseStatus, CaseUpdate
from api.problems import PROBLEM_RESPONSE
from api.routers.common import Cursor, ReadKey
from api.serving import store_of
from cxtext.store.cases import (
    MAX_CASES_PAGE,
    case_metrics,
    get_case,
    list_cases,
    rescore_effect,
)

router = APIRouter(
    tags=["cases"], responses={401: PROBLEM_RESPONSE, 403: PROBLEM_RESPONSE, 422: PROBLEM_RESPONSE}
)


def _day(day: date | None, offset: int = 0) -> datetime | None:
    """The start of ``day`` + ``offset`` days (UTC); None when none, or past the calendar."""
    if day is None or day > date.max - timedelta(days=offset):
        return None
    return datetime.combine(day + timedelta(days=offset), time(), UTC)


@router.get("/cases", response_model=CasesPage, summary="Follow-up cases, newest first")
def cases(
    _: ReadKey,
    cur: Cursor,
    owner: Annotated[str | None, Query(description="Only this owner's cases")] = None,
    status: Annotated[CaseStatus | None, Query()] = None,
    theme_id: Annotated[int | None, Query()] = None,
    overdue: Annotated[
        bool | None, Query(description="true: past due, not contacted and not closed")
    ] = None,
    date_from: Annotated[date | None, Query(description="Opened on or after (UTC)")] = None,
    date_to: Annotated[date | None, Query(description="Opened on or before (UTC)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CASES_PAGE)] = 100,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the page before")] = None,
) -> Any:
    """Cases opened by routing rules when tagged comments were stored."""
    rows, next_cursor = list_cases(
        cur,
        owner=owner,
        status=status,
        theme_id=theme_id,
        overdue=overdue,
        opened_from=_day(date_from),
        opened_to=_day(date_to, 1),
        limit=limit,
        cursor=cursor,
    )
    return {"cases": rows, "next_cursor": next_cursor}


@router.get(
    "/case-metrics", response_model=CaseMetricsResponse, summary="Follow-up figures of the cases"
)
def metrics(
    _: ReadKey,
    cur: Cursor,
    by: Annotated[
        list[Literal["owner", "theme", "rule"]], Query(description="Group by (repeatable)")
    ] = ["owner"],  # noqa: B006 (FastAPI copies defaults)
) -> Any:
    """Per group: cases opened and contacted, the share contacted in time, open overdue
    cases, median and p90 hours to contact and to resolve; and the re-survey comparison of
    contacted detractors against the others."""
    return {"groups": case_metrics(cur, by=by), "rescore": rescore_effect(cur)}


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    summary="One case and its history",
    responses={404: PROBLEM_RESPONSE},
)
def case(case_id: str, _: ReadKey, cur: Cursor) -> Any:
    """The case with every change of its status and every note, oldest first."""
    found = get_case(cur, case_id)
    if found is None:
        raise HTTPException(404, f"no case {case_id!r}")
    return found


@router.patch(
    "/cases/{case_id}",
    response_model=CaseDetail,
    summary="Change a case's status or add a note",
    responses={404: PROBLEM_RESPONSE},
)
def update(
    case_id: str,
    body: CaseUpdate,
    request: Request,
    key: Annotated[str, Depends(require("write"))],
) -> Any:
    """Appends the change to the case's history (the key's name as the actor); the
    first 'contacted' sets ``contacted_at``, 'resolved' or 'dismissed' ``closed_at``."""
    if body.status is None and body.note is None:
        raise HTTPException(422, "send a status, a note or both")
    found = store_of(request.app).update_case(
        case_id, status=body.status, note=body.note, actor=key
    )
    if found is None:
        raise HTTPException(404, f"no case {case_id!r}")
    return found
