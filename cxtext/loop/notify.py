"""Tell an owner's system that a case opened: a signed JSON POST to its webhook.

The body is the case as JSON; ``X-Cxtext-Signature: sha256=<hex>`` is the HMAC-SHA256 of
the body's bytes under a secret shared with the receiver, which recomputes it to trust
the call. A failed call (no answer, or a status other than 2xx) is retried with growing
pauses; what happened is returned for the store to record. The case itself is stored
before any call, so a receiver that is down never loses it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cxtext.errors import ConfigError
from cxtext.loop.routing import Routing
from cxtext.store import Store

SIGNATURE_HEADER = "X-Cxtext-Signature"
EVENT = "case.opened"


def sign(body: bytes, secret: str) -> str:
    """The signature header's value of ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Delivery:
    """The outcome of notifying one case."""

    case_id: str
    url: str
    attempts: int
    delivered: bool
    http_status: int | None
    error: str | None
    finished_at: datetime


def notify_cases(
    cases: Sequence[Mapping[str, Any]],
    webhooks: Mapping[str, str],
    secret: str,
    *,
    attempts: int = 4,
    backoff_s: float = 0.5,
    timeout_s: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """POST each case whose owner has a webhook; up to ``attempts`` tries, pausing
    ``backoff_s``, then twice that, and so on between them. Once an address has failed
    every try, its later cases of the batch get one try each, so a receiver that is down
    delays a large batch by little."""
    out = []
    down: set[str] = set()
    for case in cases:
        url = webhooks.get(str(case["owner"]))
        if url is None:
            continue
        tries = 1 if url in down else attempts
        body = json.dumps({"event": EVENT, "case": case}, default=str, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
        status, error, tried = None, None, 0
        for tried in range(1, tries + 1):
            status, error = _post(url, body, headers, timeout_s)
            if status is not None and 200 <= status < 300:
                break
            if tried < tries:
                sleep(backoff_s * 2 ** (tried - 1))
        delivered = status is not None and 200 <= status < 300
        if not delivered:
            down.add(url)
        out.append(
            Delivery(
                str(case["case_id"]),
                url,
                tried,
                delivered,
                status,
                None if delivered else error or f"HTTP {status}",
                datetime.now(UTC),
            )
        )
    return out


def _post(
    url: str, body: bytes, headers: Mapping[str, str], timeout_s: float
) -> tuple[int | None, str | None]:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:
            return int(answer.status), None
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return None, str(getattr(exc, "reason", exc))


def notify_run(
    store: Store, run_id: str, routing: Routing, secret: str | None, **options: Any
) -> list[Delivery]:
    """Notify the webhooks of the owners of the cases the store write ``run_id`` opened,
    and record every outcome in the store.

    Raises
    ------
    ConfigError
        Webhooks are set but no secret to sign with.
    """
    if not routing.webhooks:
        return []
    if not secret:
        raise ConfigError("webhooks need a shared secret to sign with: set CXTEXT_WEBHOOK_SECRET")
    deliveries = notify_cases(store.cases_of_run(run_id), routing.webhooks, secret, **options)
    store.record_deliveries(deliveries)
    return deliveries
