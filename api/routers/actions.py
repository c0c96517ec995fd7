"""Actions: fixes shipped for themes (write scope to record one), and their effect."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from api.deps import require
from api.loop_schemas import Action, ActionEffect, ActionIn, ActionsResponse
from api.problems import PROBLEM_RESPONSE
from api.routers.common import Cursor, ReadKey
from api.serving import store_of
from cxtext.store.actions import DEFAULT_WINDOW_DAYS, action_effect, list_actions

router = APIRouter(
    tags=["actions"],
    responses={401: PROBLEM_RESPONSE, 403: PROBLEM_RESPONSE, 422: PROBLEM_RESPONSE},
)


@router.post("/actions", response_model=Action, status_code=201, summary="Record a fix")
def add(body: ActionIn, request: Request, _: Annotated[str, Depends(require("write"))]) -> Any:
    """A fix shipped for a theme (or parent theme) of the active model, optionally for some
    segment values only; 422 when the theme or a segment is unknown."""
    return store_of(request.app).add_action(**body.model_dump())


@router.get("/actions", response_model=ActionsResponse, summary="Recorded fixes")
def actions(_: ReadKey, cur: Cursor) -> Any:
    """Every recorded fix, the latest shipped first."""
    return {"actions": list_actions(cur)}


@router.get(
    "/actions/{action_id}/effect",
    response_model=ActionEffect,
    summary="Did the fix move its theme?",
    responses={404: PROBLEM_RESPONSE},
)
def effect(
    action_id: str,
    _: ReadKey,
    cur: Cursor,
    window_days: Annotated[int, Query(ge=1, le=365)] = DEFAULT_WINDOW_DAYS,
) -> Any:
    """The theme's share and impact on NPS in the windows before and after the day it
    shipped, and the difference in differences against the other segments (or themes)."""
    found = action_effect(cur, action_id, window_days=window_days)
    if found is None:
        raise HTTPException(404, f"no action {action_id!r}")
    return found
