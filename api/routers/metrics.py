"""CX metrics over the stored comments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from api.problems import PROBLEM_RESPONSE
from api.routers.common import Cursor, FiltersDep, ReadKey, cached
from api.schemas import FacetsResponse, MetricsResponse
from cxtext.report import answers
from cxtext.store.queries import Period

router = APIRouter(
    tags=["metrics"],
    responses={401: PROBLEM_RESPONSE, 403: PROBLEM_RESPONSE, 422: PROBLEM_RESPONSE},
)


@router.get(
    "/metrics/{metric}", response_model=MetricsResponse, summary="NPS, CSAT, CES or response times"
)
def metrics(
    metric: Literal["nps", "csat", "ces", "response-times"],
    request: Request,
    _: ReadKey,
    cursor: Cursor,
    flt: FiltersDep,
    by: Annotated[list[str], Query(description="Segment names to group by")] = [],  # noqa: B006
    period: Annotated[Period | None, Query(description="day, week or month")] = None,
) -> Any:
    """Overall, by segment and by period, with 95% intervals (docs/architecture.md, "Metric
    definitions")."""
    return cached(
        request,
        lambda cur: answers.metrics(cur, flt, metric, by=by, period=period),
        MetricsResponse,
        cursor,
    )


@router.get("/facets", response_model=FacetsResponse, summary="What comments can be filtered by")
def facets(request: Request, _: ReadKey, cursor: Cursor) -> Any:
    """The date range, sources, languages and segment values of the active model's
    comments, with their counts: the choices of the dashboard's filters."""
    return cached(
        request, lambda cur: answers.filter_options(cur, answers.filters()), FacetsResponse, cursor
    )
