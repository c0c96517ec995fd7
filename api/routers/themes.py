"""Themes, drivers, trends and emerging themes of the active model."""

from __future__ import annotations

from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, HTTPException, Query, Request

from api.problems import PROBLEM_RESPONSE
from api.routers.common import Cursor, FiltersDep, ReadKey, cached
from api.schemas import (
    DriversResponse,
    EmergingResponse,
    ThemeDetail,
    ThemesResponse,
    TrendsResponse,
)
from cxtext.report import answers
from cxtext.store.queries import Level, Period

router = APIRouter(
    tags=["themes"], responses={401: PROBLEM_RESPONSE, 403: PROBLEM_RESPONSE, 422: PROBLEM_RESPONSE}
)
LevelQ = Annotated[Level, Query(description="theme or parent (groups of themes)")]
PeriodQ = Annotated[Period, Query(description="day, week (Monday-Sunday) or month, UTC")]


@router.get("/themes", response_model=ThemesResponse, summary="Themes with their impact on NPS")
def themes(
    request: Request,
    _: ReadKey,
    cursor: Cursor,
    flt: FiltersDep,
    level: LevelQ = "theme",
    period: PeriodQ = "week",
    periods: Annotated[int, Query(ge=1, le=52, description="Trend periods shown")] = 4,
) -> Any:
    """Volume, share, clause sentiment, NPS of the theme's respondents, impact on NPS with
    its 95% interval, and the share trend of the last periods."""
    return cached(
        request,
        lambda cur: answers.themes(cur, flt, level=level, period=period, periods=periods),
        ThemesResponse,
        cursor,
    )


@router.get(
    "/themes/{theme_id}",
    response_model=ThemeDetail,
    summary="One theme in detail",
    responses={404: PROBLEM_RESPONSE},
)
def theme(
    theme_id: int,
    request: Request,
    _: ReadKey,
    cursor: Cursor,
    flt: FiltersDep,
    level: LevelQ = "theme",
    by: Annotated[str | None, Query(description="Break down by this segment")] = None,
    period: PeriodQ = "week",
) -> Any:
    """Keywords per language, label, representative comments, sub-themes, trend, and the
    breakdown by NPS group and (``by``) by segment."""

    def compute(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
        detail = answers.theme(cur, flt, theme_id, level=level, by=by, period=period)
        if detail is None:
            raise HTTPException(404, f"no {level} {theme_id} in the active model")
        return detail

    return cached(request, compute, ThemeDetail, cursor)


@router.get("/drivers", response_model=DriversResponse, summary="Ranked drivers of NPS")
def drivers(
    request: Request,
    _: ReadKey,
    cursor: Cursor,
    flt: FiltersDep,
    level: LevelQ = "theme",
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Any:
    """Themes that pull NPS down most (detraction) and lift it most (promotion), with
    95% intervals."""
    return cached(
        request,
        lambda cur: answers.drivers(cur, flt, level=level, top=top),
        DriversResponse,
        cursor,
    )


@router.get("/trends", response_model=TrendsResponse, summary="Themes per period")
def trends(
    request: Request,
    _: ReadKey,
    cursor: Cursor,
    flt: FiltersDep,
    level: LevelQ = "theme",
    period: PeriodQ = "week",
) -> Any:
    """Volume, share, sentiment, NPS and impact of every theme per period."""
    return cached(
        request,
        lambda cur: answers.trends(cur, flt, level=level, period=period),
        TrendsResponse,
        cursor,
    )


@router.get("/emerging", response_model=EmergingResponse, summary="Rising and new themes")
def emerging(
    request: Request,
    _: ReadKey,
    cursor: Cursor,
    flt: FiltersDep,
    level: LevelQ = "theme",
    period: PeriodQ = "week",
    window: Annotated[int, Query(ge=2, le=52)] = 4,
    alpha: Annotated[float, Query(gt=0, lt=1)] = 0.05,
    min_count: Annotated[int, Query(ge=1)] = 5,
) -> Any:
    """Themes whose share in the latest period rose beyond what the trailing periods
    explain, and themes new in it."""
    return cached(
        request,
        lambda cur: answers.emerging(
            cur, flt, level=level, period=period, window=window, alpha=alpha, min_count=min_count
        ),
        EmergingResponse,
        cursor,
    )
