"""Query parameters and dependencies shared by the read routers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Annotated, Any

import duckdb
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel

from api import services
from api.deps import require
from cxtext.store import Filters

ReadKey = Annotated[str, Depends(require("read"))]
WriteKey = Annotated[str, Depends(require("write"))]
AdminKey = Annotated[str, Depends(require("admin"))]


def common_filters(
    date_from: Annotated[date | None, Query(description="First day (UTC), inclusive.")] = None,
    date_to: Annotated[date | None, Query(description="Last day (UTC), inclusive.")] = None,
    source: Annotated[str | None, Query(description="survey or ticket")] = None,
    language: Annotated[str | None, Query(description="ISO 639-1 code, e.g. nl")] = None,
    segment: Annotated[
        list[str],
        Query(description="name:value, repeatable (all must match), e.g. country:NL"),
    ] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Filters:
    """Filters of the comments a read request looks at."""
    return services.filters(
        date_from=date_from, date_to=date_to, source=source, language=language, segment=segment
    )


FiltersDep = Annotated[Filters, Depends(common_filters)]


def store_cursor(request: Request) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only cursor of the store for one request."""
    cursor = request.app.state.reader.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


Cursor = Annotated[duckdb.DuckDBPyConnection, Depends(store_cursor)]


def cached(request: Request, compute: Callable[[], Any], model: type[BaseModel]) -> Response:
    """``compute()``'s answer validated by ``model`` as JSON, cached per path and query
    until the store changes."""

    def render() -> bytes:
        return model.model_validate(compute()).model_dump_json().encode()

    key = (request.url.path, tuple(sorted(request.query_params.multi_items())))
    return Response(request.app.state.cache.get(key, render), media_type="application/json")
