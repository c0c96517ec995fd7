"""One error shape everywhere: RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cxtext.errors import ArtifactError, ConfigError, CxTextError, DataValidationError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("cxtext.api")


# An absolute file path (POSIX, or Windows with a drive), not part of a word, URL or name/version.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/\\])(?:/|[A-Za-z]:\\)[^\s'\"]+")


def without_paths(text: str) -> str:
    """``text`` with every absolute file path cut to its last part (``…/v7``): answers name
    the file at fault, never where the server keeps it."""

    def last_part(match: re.Match[str]) -> str:
        name = re.split(r"[/\\]", match.group(0).rstrip("/\\"))[-1]
        return f"…/{name}" if name else "…"

    return _ABSOLUTE_PATH.sub(last_part, text)


def problem(
    status: int, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A problem-details response; server paths in ``detail`` are cut to their last part."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": without_paths(detail),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# The documented error response of every route (OpenAPI).
PROBLEM_RESPONSE: dict[str, Any] = {
    "description": "Problem details",
    "content": {
        PROBLEM_JSON: {
            "schema": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                },
            },
            "example": {
                "type": "about:blank",
                "title": "Unauthorized",
                "status": 401,
                "detail": "missing API key: send it in the X-API-Key header",
            },
        }
    },
}


def install(app: FastAPI) -> None:
    """Map every error to a problem response."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        return problem(422, f"{'.'.join(first['loc'])}: {first['msg']}", errors=errors)

    @app.exception_handler(CxTextError)
    async def domain(_: Request, exc: CxTextError) -> JSONResponse:
        if isinstance(exc, DataValidationError | ConfigError):
            return problem(422, str(exc))
        if isinstance(exc, ArtifactError):
            log.error("artifact problem: %s", exc)  # the full text, paths included
            return problem(503, str(exc))
        log.error("cxtext error: %s", exc)
        return problem(500, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "internal error; see the server log")
