"""Published model versions and which one is active (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from api.problems import PROBLEM_RESPONSE
from api.routers.common import AdminKey, Cursor, ReadKey
from api.schemas import ModelsResponse, ModelVersion
from api.serving import activate_version
from cxtext.store.queries import list_models

router = APIRouter(tags=["models"], responses={401: PROBLEM_RESPONSE, 403: PROBLEM_RESPONSE})


@router.get("/models", response_model=ModelsResponse, summary="Published model versions")
def models(_: ReadKey, cursor: Cursor) -> Any:
    return {"models": list_models(cursor)}


@router.post(
    "/models/{version}/activate",
    response_model=ModelVersion,
    summary="Make a published version the active one",
    responses={404: PROBLEM_RESPONSE},
)
def activate(version: str, request: Request, _: AdminKey) -> Any:
    """Tagging and the theme views switch to this version of the served model."""
    found = activate_version(request.app, version)
    if found is None:
        raise HTTPException(404, f"no published version {version!r} of the served model")
    return found
