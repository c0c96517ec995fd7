"""The FastAPI application: built here, served by ``cxtext serve`` (uvicorn).

Reads go through read-only connections of the store (:class:`cxtext.store.Reader`, a
cursor per request), which follow the store's atomic file swaps; writes (POST /v1/ingest,
activation) go through :class:`cxtext.store.Store`, which never holds a read-write
connection on the live file. Models are loaded once in the lifespan and reloaded when
another version becomes active.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from api import problems
from api.cache import ResponseCache
from api.routers import (
    actions,
    cases,
    comments,
    dashboard,
    health,
    metrics,
    models,
    tagging,
    themes,
)
from api.serving import bundle_path, load, publish
from api.settings import Settings, get_settings
from cxtext.embeddings import Encoder
from cxtext.errors import ConfigError
from cxtext.loop import load_routing
from cxtext.store import Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
DOCS_ASSETS = "/docs/assets"

DESCRIPTION = """Root causes of customer feedback: themes with sentiment and their impact
on NPS, CX metrics, comments, and tagging of new comments.

Every endpoint but /v1/health and /v1/ready needs an API key in the `X-API-Key` header,
with the read, write or admin scope (admin includes write, write includes read). Errors
are `application/problem+json` documents."""


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 before they are parsed.

    A declared ``Content-Length`` over the limit is refused at once; any other body
    (chunked, or of no declared length) is read here up to the limit, then handed on.
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left
                return
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problems.problem(
            413, f"the request body is over the limit of {self.limit:,} bytes"
        )
        await response(scope, receive, send)


def create_app(settings: Settings | None = None, *, encoder: Encoder | None = None) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    settings
        Defaults to the environment's (:func:`api.settings.get_settings`).
    encoder
        The sentence encoder; by default the one the theme model names, loaded once.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.store)
        store.migrate()
        app.state.settings = settings
        app.state.store = store
        app.state.reader = store.reader()
        app.state.cache = ResponseCache(settings.response_cache_size)
        app.state.encoder = encoder
        app.state.models_lock = threading.Lock()
        app.state.models = None
        active = store.active_model()
        if settings.models_dir is not None:
            served = active[1] if active and active[0] == settings.models_dir.name else None
            bundle = bundle_path(settings, served)
            if bundle is not None:
                app.state.models = load(app, bundle)
                if served is None:
                    publish(app, app.state.models, activate=active is None)
        if settings.routing is not None and app.state.models is not None:
            themes = app.state.models.themes  # a typo in a rule stops the start
            rules = load_routing(
                settings.routing, themes.themes_, themes.parent_themes_, segments=None
            )
            if rules.webhooks and not settings.webhook_secret:
                raise ConfigError(
                    f"{settings.routing} names webhooks: set CXTEXT_WEBHOOK_SECRET to sign them"
                )
        try:
            yield
        finally:
            app.state.reader.close()

    # /docs (Swagger UI) and /redoc load their scripts and styles from this server
    # (fastapi-offline ships them), so they work offline.
    app = FastAPIOffline(
        title="cxtext API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
        openapi_url="/openapi.json",
        static_url=DOCS_ASSETS,
    )
    app.dependency_overrides[get_settings] = lambda: settings
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    problems.install(app)
    for module in (health, themes, metrics, comments, cases, actions, tagging, models):
        app.include_router(module.router, prefix="/v1")
    app.include_router(dashboard.router)
    return app
