"""Query parameters and dependencies shared by the read routers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated, Any

import duckdb
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import require
from cxtext.report import answers
from cxtext.store import Filters

ReadKey = Annotated[str, Depends(require("read"))]
WriteKey = Annotated[str, Depends(require("write"))]
AdminKey = Annotated[str, Depends(require("admin"))]
SEGMENT_PATTERN = r"^[^:]+:.*$"


def common_filters(
    date_from: Annotated[date | None, Query(description="First day (UTC), inclusive.")] = None,
    date_to: Annotated[date | None, Query(description="Last day (UTC), inclusive.")] = None,
    source: Annotated[str | None, Query(description="survey or ticket")] = None,
    language: Annotated[str | None, Query(description="ISO 639-1 code, e.g. nl")] = None,
    segment: Annotated[
        list[Annotated[str, Field(pattern=SEGMENT_PATTERN)]],
        Query(
            description="A segment filter `name:value`: the segment's name (no colon), a "
            "colon, then its value (may be empty or hold colons), e.g. `country:NL`. "
            "Repeatable: all must match.",
            examples=["country:NL"],
        ),
    ] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Filters:
    """Filters of the comments a read request looks at."""
    return answers.filters(
        date_from=date_from, date_to=date_to, source=source, language=language, segment=segment
    )


FiltersDep = Annotated[Filters, Depends(common_filters)]


def store_cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only cursor of the store for one request; the file version it reads goes to
    ``request.state.store_version``."""
    cursor, request.state.store_version = request.app.state.reader.snapshot()
    try:
        yield cursor
    finally:
        cursor.close()


Cursor = Annotated[duckdb.DuckDBPyConnection, Depends(store_cursor)]


def cached(
    request: Request,
    compute: Callable[[duckdb.DuckDBPyConnection], Any],
    model: type[BaseModel],
    cursor: duckdb.DuckDBPyConnection,
) -> Response:
    """``compute(cursor)``'s answer validated by ``model`` as JSON, cached per path and
    query for the store version the cursor reads (:mod:`api.cache`); ``304 Not Modified``
    when the request's ``If-None-Match`` names the answer's ``ETag``."""
    key = (request.url.path, tuple(sorted(request.query_params.multi_items())))
    answer = request.app.state.cache.get(
        key,
        request.state.store_version,
        lambda: model.model_validate(compute(cursor)).model_dump_json().encode(),
    )
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache"}
    if _matches(request.headers.get("if-none-match", ""), answer.etag):
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag``: weak tags compare as strong
    ones, as RFC 9110 asks of this header, and ``*`` names any."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags
