"""API settings from the environment (prefix ``CXTEXT_``), read once and cached.

API keys are configured by their SHA-256 only (``CXTEXT_API_KEYS``, a JSON list of
``{"name": ..., "sha256": ..., "scopes": ["read", "write", "admin"]}``);
``cxtext api-key`` makes a key and prints the entry to configure.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cxtext.schema import DEFAULT_LANGUAGES

Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "write", "admin")


class ApiKey(BaseModel):
    """One configured key: a name for logs, the key's SHA-256 and its scopes."""

    name: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    scopes: list[Scope]


def key_hash(key: str) -> str:
    """SHA-256 hex digest of an API key, as stored in the settings."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Settings(BaseSettings):
    """Everything the API reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="CXTEXT_", extra="ignore")

    store: Path = Path("cxtext.duckdb")
    models_dir: Path | None = Field(
        default=None, description="models/NAME of the theme model; versions are published."
    )
    sentiment_model: Path | None = None
    languages: list[str] = Field(
        default=list(DEFAULT_LANGUAGES),
        description="ISO 639-1 codes that language id picks from for comments sent without one",
    )
    cache_dir: Path = Path.home() / ".cache" / "cxtext"
    api_keys: list[ApiKey] = []
    cors_origins: list[str] = []
    max_request_bytes: int = 1_000_000
    max_tag_batch: int = 256
    max_page_size: int = 200
    routing: Path | None = Field(
        default=None,
        description="Routing rules (TOML): comments stored through the API open follow-up "
        "cases for the owners the rules name",
    )
    webhook_secret: str | None = Field(
        default=None, description="Signs the calls to the owners' webhooks (HMAC-SHA256)"
    )
    response_cache_size: int = Field(
        default=512, description="read answers kept per process until the store changes; 0: off"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    encoder_threads: int | None = Field(
        default=None, description="torch threads per worker; default: cores / workers"
    )
    runtime: Literal["auto", "trained", "fp32", "int8"] = Field(
        default="auto",
        description="Runtime of the default encoder that tags: the one measured faster on "
        "this CPU by `cxtext encoder build` (auto), the model's own, fp32 or int8",
    )


@lru_cache
def get_settings() -> Settings:
    """The process's settings (tests override this dependency)."""
    return Settings()
