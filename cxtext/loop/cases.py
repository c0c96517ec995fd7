"""Which follow-up cases a tagged frame opens: one per routed comment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from cxtext import schema
from cxtext.loop.routing import UNROUTED, Routing
from cxtext.store.cases import CASE_COLUMNS, case_id


def cases_to_open(
    frame: pd.DataFrame,
    routing: Routing,
    *,
    themes: Sequence[Mapping[str, Any]],
    model: str | None,
    version: str | None,
    now: datetime | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The cases of a tagged frame's routed comments (:data:`CASE_COLUMNS`), due
    ``follow_up_hours`` after ``now``, and the routing counts: ``routed`` per rule and
    ``unrouted`` (every row is one or the other). The store opens a case only for a
    comment that has none (:meth:`cxtext.store.Store.write_tagged`)."""
    opened_at = pd.Timestamp(now or datetime.now(UTC))
    routed = routing.route(frame)
    taken = routed["rule"] != UNROUTED
    rows, chosen = frame[taken.to_numpy()], routed[taken]
    labels = {int(t["id"]): t.get("label") for t in themes}
    customer = (
        rows[schema.CUSTOMER_ID].astype("string")
        if schema.CUSTOMER_ID in rows.columns
        else pd.Series(pd.NA, index=rows.index, dtype="string")
    )
    comment_ids = rows[schema.ID].astype(str)
    cases = pd.DataFrame(
        {
            "case_id": [case_id(c) for c in comment_ids],
            "comment_id": comment_ids.to_numpy(),
            "customer_id": customer.to_numpy(),
            "theme_id": chosen["theme_id"].to_numpy(),
            "theme_label": [labels.get(int(t)) for t in chosen["theme_id"]],
            "model": model,
            "model_version": version,
            "rule": chosen["rule"].to_numpy(),
            "owner": chosen["owner"].to_numpy(),
            "opened_at": opened_at,
            "due_at": opened_at + pd.to_timedelta(chosen["follow_up_hours"].to_numpy(), "h"),
        },
        columns=list(CASE_COLUMNS),
    )
    counts = {"unrouted": int((~taken).sum())} | {
        str(rule): int(n) for rule, n in chosen["rule"].value_counts().items()
    }
    return cases, counts
