"""Comments, filtered and paged."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from api.problems import PROBLEM_RESPONSE
from api.routers.common import Cursor, FiltersDep, ReadKey, cached
from api.schemas import CommentsPage, Group
from cxtext.report import answers
from cxtext.store.queries import MAX_PAGE, Level

router = APIRouter(
    tags=["comments"],
    responses={401: PROBLEM_RESPONSE, 403: PROBLEM_RESPONSE, 422: PROBLEM_RESPONSE},
)


@router.get("/comments", response_model=CommentsPage, summary="Comments, newest first")
def comments(
    request: Request,
    _: ReadKey,
    cursor: Cursor,
    flt: FiltersDep,
    theme_id: int | None = None,
    level: Level = "theme",
    nps_group: Group | None = None,
    sentiment_min: Annotated[float | None, Query(ge=-1, le=1)] = None,
    sentiment_max: Annotated[float | None, Query(ge=-1, le=1)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text contains (any case)")] = None,
    page_cursor: Annotated[str | None, Query(alias="cursor", max_length=500)] = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_PAGE,
            description="Comments per page, at most the server's `max_page_size` (200 by "
            "default): a larger limit is refused with 422, never cut silently.",
        ),
    ] = 50,
) -> Any:
    """Comments by theme, NPS group, sentiment range, language, segment, date and text;
    ``next_cursor`` pages on. Texts were PII-redacted when they were ingested."""
    largest = request.app.state.settings.max_page_size
    if limit > largest:
        raise HTTPException(422, f"limit {limit} is over this server's page size of {largest}")
    return cached(
        request,
        lambda cur: answers.comments(
            cur,
            flt,
            theme_id=theme_id,
            level=level,
            nps_group=nps_group,
            sentiment_min=sentiment_min,
            sentiment_max=sentiment_max,
            text_query=q,
            cursor=page_cursor,
            limit=limit,
        ),
        CommentsPage,
        cursor,
    )
