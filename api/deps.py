"""Dependencies: settings, API-key scopes, the store reader and the loaded models."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from api.settings import Scope, Settings, get_settings, key_hash

API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")
# A key's scopes imply the ones below them: admin > write > read.
_IMPLIED: dict[Scope, set[Scope]] = {
    "read": {"read"},
    "write": {"read", "write"},
    "admin": {"read", "write", "admin"},
}

SettingsDep = Annotated[Settings, Depends(get_settings)]


def require(scope: Scope) -> Callable[..., str]:
    """Dependency that admits a request whose key holds ``scope``; returns the key's name.

    No or an unknown key: 401. A known key without the scope: 403.
    """

    def check(
        settings: SettingsDep, key: Annotated[str | None, Security(API_KEY_HEADER)] = None
    ) -> str:
        if not key:
            raise HTTPException(
                401,
                "missing API key: send it in the X-API-Key header",
                headers={"WWW-Authenticate": "ApiKey"},
            )
        digest = key_hash(key)
        for configured in settings.api_keys:
            if hmac.compare_digest(configured.sha256, digest):
                granted = set().union(*(_IMPLIED[s] for s in configured.scopes))
                if scope not in granted:
                    raise HTTPException(
                        403, f"the key {configured.name!r} lacks the {scope!r} scope"
                    )
                return configured.name
        raise HTTPException(401, "unknown API key", headers={"WWW-Authenticate": "ApiKey"})

    return check


def app_state(request: Request) -> Any:
    """The application's state (store reader, models)."""
    return request.app.state
