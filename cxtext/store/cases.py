"""Follow-up cases in the store: opened for routed comments, updated by their owners.

A case belongs to one comment (a comment tagged again never opens a second one), has an
owner and a due time, and a status among :data:`STATUSES`. Every change appends a row to
``case_events`` (who, when, the new status, a note); nothing there is ever rewritten.
Writes run inside :class:`cxtext.store.Store`'s transactions; reads take a cursor.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import duckdb
import pandas as pd
import pyarrow as pa

from cxtext.errors import DataValidationError

STATUSES: Final[tuple[str, ...]] = ("open", "contacted", "resolved", "dismissed")
CLOSED: Final[tuple[str, ...]] = ("resolved", "dismissed")
OPENED_BY: Final = "cxtext routing"
MAX_CASES_PAGE: Final = 500
CASE_COLUMNS: Final[tuple[str, ...]] = (
    "case_id",
    "comment_id",
    "customer_id",
    "theme_id",
    "theme_label",
    "model",
    "model_version",
    "rule",
    "owner",
    "opened_at",
    "due_at",
)
_CASE_SCHEMA: Final = pa.schema(
    [
        ("case_id", pa.string()),
        ("comment_id", pa.string()),
        ("customer_id", pa.string()),
        ("theme_id", pa.int32()),
        ("theme_label", pa.string()),
        ("model", pa.string()),
        ("model_version", pa.string()),
        ("rule", pa.string()),
        ("owner", pa.string()),
        ("opened_at", pa.timestamp("us", tz="UTC")),
        ("due_at", pa.timestamp("us", tz="UTC")),
    ]
)


def case_id(comment_id: str) -> str:
    """A case's id: short, URL-safe and the same for the same comment id."""
    return "C" + hashlib.sha256(comment_id.encode("utf-8")).hexdigest()[:15]


@dataclass(frozen=True)
class NewCases:
    """Cases to open, checked and converted before the write starts."""

    table: pa.Table

    @classmethod
    def of(cls, frame: pd.DataFrame) -> NewCases:
        """From a frame with :data:`CASE_COLUMNS` (see :func:`cxtext.loop.cases_to_open`).

        Raises
        ------
        DataValidationError
            A column is missing or a value does not convert.
        """
        missing = [c for c in CASE_COLUMNS if c not in frame.columns]
        if missing:
            raise DataValidationError(f"cases to open lack the columns {missing}")
        try:
            table = pa.Table.from_pandas(
                frame[list(CASE_COLUMNS)], schema=_CASE_SCHEMA, preserve_index=False
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError) as exc:
            raise DataValidationError(f"cases could not be converted: {exc}") from exc
        return cls(table)

    def insert(self, con: duckdb.DuckDBPyConnection, run_id: str) -> int:
        """Open the cases of comments that have none, in ``con``'s transaction, with an
        'open' event each, recording the run that opened them; returns how many."""
        con.register("new_cases", self.table)
        try:
            con.execute(
                """CREATE TEMP TABLE opening AS
                   SELECT DISTINCT ON (n.comment_id) n.* FROM new_cases n
                   WHERE n.comment_id NOT IN (SELECT comment_id FROM cases)
                   ORDER BY n.comment_id"""
            )
            con.execute(
                """INSERT INTO cases
                   SELECT case_id, comment_id, customer_id, theme_id, theme_label, model,
                          model_version, rule, owner, opened_at, due_at, 'open', opened_at,
                          NULL, NULL, ?
                   FROM opening""",
                [run_id],
            )
            con.execute(
                """INSERT INTO case_events
                   SELECT case_id, 1, opened_at, ?, 'open', 'routed by rule ' || rule
                   FROM opening""",
                [OPENED_BY],
            )
            ((opened,),) = con.execute("SELECT count(*) FROM opening").fetchall()
            con.execute("DROP TABLE opening")
        finally:
            con.unregister("new_cases")
        return int(opened)


def update_case(
    con: duckdb.DuckDBPyConnection,
    case: str,
    *,
    status: str | None,
    note: str | None,
    actor: str,
    at: datetime | None = None,
) -> bool:
    """Set a case's status and/or add a note, appending the change to its history, in
    ``con``'s transaction. Returns False when the case does not exist.

    The first 'contacted' sets ``contacted_at``; 'resolved' or 'dismissed' set
    ``closed_at`` (cleared when the case is opened again).

    Raises
    ------
    DataValidationError
        An unknown status, or neither a status nor a note.
    """
    if status is not None and status not in STATUSES:
        raise DataValidationError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if status is None and not note:
        raise DataValidationError("a case update needs a status, a note or both")
    found = con.execute("SELECT status FROM cases WHERE case_id = ?", [case]).fetchall()
    if not found:
        return False
    new = status or found[0][0]
    when = at or datetime.now(UTC)
    con.execute(
        """UPDATE cases SET status = ?, updated_at = ?,
               contacted_at = CASE WHEN ? IN ('contacted', 'resolved') AND contacted_at IS NULL
                                   THEN ? ELSE contacted_at END,
               closed_at = CASE WHEN ? IN ('resolved', 'dismissed')
                                THEN coalesce(closed_at, ?) ELSE NULL END
           WHERE case_id = ?""",
        [new, when, new, when, new, when, case],
    )
    con.execute(
        """INSERT INTO case_events
           SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ? FROM case_events WHERE case_id = ?""",
        [case, when, actor, new, note, case],
    )
    return True


_SELECT: Final = """SELECT case_id, comment_id, customer_id, theme_id, theme_label, model,
    model_version, rule, owner, opened_at, due_at, status, updated_at, contacted_at,
    closed_at, run_id, (contacted_at IS NULL AND closed_at IS NULL AND due_at < ?) AS overdue
    FROM cases"""


def list_cases(
    cur: duckdb.DuckDBPyConnection,
    *,
    owner: str | None = None,
    status: str | None = None,
    theme_id: int | None = None,
    overdue: bool | None = None,
    opened_from: datetime | None = None,
    opened_to: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Cases, newest first, and the cursor of the next page (None on the last).

    A case is overdue when its due time has passed and it was neither contacted nor
    closed.

    Raises
    ------
    DataValidationError
        A bad status, limit or cursor.
    """
    if status is not None and status not in STATUSES:
        raise DataValidationError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if not 1 <= limit <= MAX_CASES_PAGE:
        raise DataValidationError(f"limit must be 1-{MAX_CASES_PAGE}, not {limit}")
    moment = now or datetime.now(UTC)
    conditions: list[str] = ["TRUE"]
    params: list[Any] = [moment]
    for condition, value in (
        ("owner = ?", owner),
        ("status = ?", status),
        ("theme_id = ?", theme_id),
        ("opened_at >= ?", opened_from),
        ("opened_at < ?", opened_to),
    ):
        if value is not None:
            conditions.append(condition)
            params.append(value)
    if cursor is not None:
        opened, after = _decode(cursor)
        conditions.append("(opened_at, case_id) < (?, ?)")
        params += [opened, after]
    sql = f"SELECT * FROM ({_SELECT}) WHERE {' AND '.join(conditions)}"
    if overdue is not None:
        sql += " AND overdue" if overdue else " AND NOT overdue"
    rows = _records(
        cur, f"{sql} ORDER BY opened_at DESC, case_id DESC LIMIT ?", [*params, limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, _encode(rows[-1]["opened_at"], rows[-1]["case_id"]) if more else None


def cases_of_run(cur: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """The cases a store write opened, oldest first."""
    return _records(
        cur,
        f"SELECT * FROM ({_SELECT}) WHERE run_id = ? ORDER BY opened_at, case_id",
        [datetime.now(UTC), run_id],
    )


def get_case(
    cur: duckdb.DuckDBPyConnection, case: str, *, now: datetime | None = None
) -> dict[str, Any] | None:
    """One case with its ``history`` (oldest first), None when unknown."""
    rows = _records(
        cur, f"SELECT * FROM ({_SELECT}) WHERE case_id = ?", [now or datetime.now(UTC), case]
    )
    if not rows:
        return None
    history = _records(
        cur,
        """SELECT changed_at AS at, actor, status, note FROM case_events
           WHERE case_id = ? ORDER BY seq""",
        [case],
    )
    return rows[0] | {"history": history}


def _records(
    cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]
) -> list[dict[str, Any]]:
    # Through Arrow: DuckDB's own conversion of TIMESTAMPTZ values needs pytz.
    return cur.sql(sql, params=list(params)).to_arrow_table().to_pylist()


def _encode(opened_at: datetime, case: str) -> str:
    raw = json.dumps([opened_at.isoformat(), case]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        opened, case = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(opened), str(case)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise DataValidationError(f"cursor {cursor!r} is not one this API gave") from exc


_METRIC_KEYS: Final = {"owner": "owner", "theme": "theme_label", "rule": "rule"}


def case_metrics(
    cur: duckdb.DuckDBPyConnection, *, by: Sequence[str] = ("owner",), now: datetime | None = None
) -> list[dict[str, Any]]:
    """Follow-up figures per group of cases (``by``: owner, theme and/or rule).

    ``opened``; ``contacted``; ``on_time_share``: of the cases already decided (contacted,
    or due by ``now``), the share contacted by their due time, in %; ``open_overdue``;
    median and p90 hours from opening to contact (``contact_hours_*``) and to resolution
    (``resolve_hours_*``, cases resolved, not dismissed).
    """
    unknown = [b for b in by if b not in _METRIC_KEYS]
    if unknown:
        raise DataValidationError(f"case metrics group by {', '.join(_METRIC_KEYS)}, not {unknown}")
    keys = [_METRIC_KEYS[b] for b in by]
    select = ", ".join(f"{k} AS {b}" for k, b in zip(keys, by, strict=True))
    hours = "epoch({end} - opened_at) / 3600"
    contact, resolve = hours.format(end="contacted_at"), hours.format(end="closed_at")
    sql = f"""SELECT {select + "," if select else ""}
        count(*) AS opened,
        count(contacted_at) AS contacted,
        100 * count(*) FILTER (WHERE contacted_at <= due_at)
            / nullif(count(*) FILTER (WHERE contacted_at IS NOT NULL OR due_at <= $now), 0)
            AS on_time_share,
        count(*) FILTER (WHERE contacted_at IS NULL AND closed_at IS NULL AND due_at < $now)
            AS open_overdue,
        quantile_cont({contact}, 0.5) AS contact_hours_median,
        quantile_cont({contact}, 0.9) AS contact_hours_p90,
        quantile_cont({resolve}, 0.5) FILTER (WHERE status = 'resolved') AS resolve_hours_median,
        quantile_cont({resolve}, 0.9) FILTER (WHERE status = 'resolved') AS resolve_hours_p90
        FROM cases {"GROUP BY ALL ORDER BY ALL" if keys else ""}"""
    return cur.sql(sql, params={"now": now or datetime.now(UTC)}).to_arrow_table().to_pylist()


def rescore_effect(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """How detractors with a case scored when they answered the survey again: the mean
    score change of those contacted before that answer against those not contacted,
    and the difference with a 95% interval (Welch, normal approximation).

    Only cases whose comment has a detractor score and whose customer answered again
    (their next scored comment) count; ``n`` per group says how many.
    """
    rows = (
        cur.sql(
            """WITH first AS (
               SELECT k.case_id, k.contacted_at, c.customer_id, c.created_at, c.nps_score
               FROM cases k JOIN comments c ON c.id = k.comment_id
               WHERE c.nps_score <= 6 AND c.customer_id IS NOT NULL),
           later AS (
               SELECT f.case_id, f.contacted_at, f.nps_score AS before,
                      arg_min(n.nps_score, n.created_at) AS after,
                      min(n.created_at) AS answered_at
               FROM first f JOIN comments n
                 ON n.customer_id = f.customer_id AND n.created_at > f.created_at
                    AND n.nps_score IS NOT NULL
               GROUP BY ALL)
           SELECT contacted_at IS NOT NULL AND contacted_at < answered_at AS contacted,
                  after - before AS change
           FROM later"""
        )
        .to_arrow_table()
        .to_pydict()
    )
    groups = {
        name: [c for c, k in zip(rows["change"], rows["contacted"], strict=True) if k is flag]
        for name, flag in (("contacted", True), ("not_contacted", False))
    }
    out: dict[str, Any] = {
        name: {"n": len(v), "mean_change": sum(v) / len(v) if v else None}
        for name, v in groups.items()
    }
    a, b = groups["contacted"], groups["not_contacted"]
    out["difference"] = out["difference_ci"] = None
    if len(a) >= 2 and len(b) >= 2:
        se = (_var(a) / len(a) + _var(b) / len(b)) ** 0.5
        diff = sum(a) / len(a) - sum(b) / len(b)
        out["difference"] = diff
        out["difference_ci"] = [diff - 1.96 * se, diff + 1.96 * se]
    out["method"] = (
        "mean change of the score from a detractor answer with a case to the customer's next "
        "scored answer; contacted: before that answer; difference contacted - not contacted, "
        "95% interval +- 1.96 sqrt(s1^2/n1 + s2^2/n2)"
    )
    return out


def _var(values: Sequence[float]) -> float:
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)
