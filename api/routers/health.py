"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.problems import without_paths
from api.schemas import Health, Ready
from api.serving import current_models

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="The process is up")
def health() -> Health:
    return Health()


@router.get(
    "/ready",
    response_model=Ready,
    summary="A model is loaded and the store answers",
    responses={503: {"model": Ready, "description": "Not ready"}},
)
def ready(request: Request) -> JSONResponse:
    """Ready when a theme model is loaded and the store answers. The model named is the
    store's active version: a worker that sees another version activated (by any worker)
    loads it before it answers."""
    state = request.app.state
    models = state.models
    body = Ready(ready=False, model=None, store=False)
    try:
        cursor = state.reader.cursor()
        try:
            body.comments = int(cursor.execute("SELECT count(*) FROM comments").fetchone()[0])
        finally:
            cursor.close()
        body.store = True
        models = current_models(request.app)
    except Exception as exc:  # the readiness answer itself must not fail
        what = "the active model version did not load" if body.store else "store unreachable"
        body.detail = without_paths(f"{what}: {exc}")
    body.model = models.version if models else None
    if models is None:
        body.detail = body.detail or "no theme model loaded (publish and activate one)"
    body.ready = body.detail is None
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)
