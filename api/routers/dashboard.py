"""The dashboard: one page at ``/`` and its assets, served by this app (no CDN).

The page holds no data: its script asks the ``/v1`` API with the key the user types, so it
shows nothing that key could not read (:mod:`cxtext.report.page`).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from cxtext.report import asset_path, live_page

ASSETS_URL = "/dashboard/assets"
_MEDIA = {".js": "text/javascript", ".css": "text/css"}

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def page() -> HTMLResponse:
    """The dashboard page."""
    return HTMLResponse(live_page(ASSETS_URL), headers={"Cache-Control": "no-cache"})


@router.get(ASSETS_URL + "/{name}")
def asset(name: str) -> FileResponse:
    """dashboard.js, dashboard.css or plotly.min.js."""
    try:
        path = asset_path(name)
    except KeyError:
        raise HTTPException(404, f"no dashboard asset {name!r}") from None
    return FileResponse(
        path, media_type=_MEDIA[path.suffix], headers={"Cache-Control": "public, max-age=3600"}
    )
