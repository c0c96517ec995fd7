"""``cxtext serve`` and ``api-key``: the HTTP API, imported only here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cxtext.cli.common import (
    EXIT_USAGE,
    app,
    err,
    run_command,
)


@app.command()
def serve(
    store: Annotated[Path | None, typer.Option(help="DuckDB store [env CXTEXT_STORE].")] = None,
    model: Annotated[
        Path | None, typer.Option(help="models/NAME of the theme model [env CXTEXT_MODELS_DIR].")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Interface [default 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default 8000].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [default 1].")] = None,
) -> None:
    """Serve the HTTP API (uvicorn); settings come from CXTEXT_* variables and these flags."""
    import os

    import uvicorn

    from api.settings import Settings

    overrides = {"store": store, "models_dir": model, "host": host, "port": port}
    overrides["workers"] = workers
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"CXTEXT_{name.upper()}"] = str(value)  # worker processes read these
    settings = run_command(Settings)
    if not settings.api_keys:
        err.print(
            "[yellow]no API keys configured (CXTEXT_API_KEYS): every call but "
            "/v1/health and /v1/ready will answer 401; see `cxtext api-key`[/yellow]"
        )
    config = uvicorn.Config(
        "api.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
    )
    if config.workers == 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[_tcp_socket(settings.host, settings.port)]).run()


def _tcp_socket(host: str, port: int) -> Any:
    """A listening socket for worker processes, created with its protocol named.

    uvicorn's own shared socket has protocol 0, and asyncio turns Nagle's algorithm off
    only on connections whose socket says TCP: every response then waited ~40 ms for a
    delayed ACK (measured with Python clients against 2 workers).
    """
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


@app.command("api-key")
def api_key(
    name: Annotated[str, typer.Argument(help="A name for the key (shows in errors).")],
    scopes: Annotated[str, typer.Option(help="Comma-separated: read, write, admin.")] = "read",
) -> None:
    """Make a random API key; print it once, and the settings entry that stores its hash."""
    import secrets

    from api.settings import SCOPES, key_hash

    chosen = [s.strip() for s in scopes.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SCOPES))
    if unknown or not chosen:
        err.print(f"[red]scopes must be among {', '.join(SCOPES)}; got {scopes!r}[/red]")
        raise typer.Exit(EXIT_USAGE)
    key = "cx_" + secrets.token_urlsafe(32)
    entry = {"name": name, "sha256": key_hash(key), "scopes": chosen}
    print(f"key (shown once): {key}")
    print(f"settings entry:   {json.dumps(entry)}")
    print(f"e.g. export CXTEXT_API_KEYS='{json.dumps([entry])}'")
