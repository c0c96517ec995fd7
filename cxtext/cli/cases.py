"""``cxtext cases list|show|update|metrics``: the follow-up cases routing opened in a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cxtext.cli.common import JsonFlag, StoreFile, app, out, print_json, run_command
from cxtext.errors import DataValidationError

cases_app = typer.Typer(help="Follow-up cases of routed comments.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
SHOWN = ("case_id", "status", "owner", "theme_label", "opened_at", "due_at", "overdue")


@cases_app.command("list")
def list_(
    store: StoreFile,
    owner: Annotated[str | None, typer.Option(help="Only this owner's cases.")] = None,
    status: Annotated[
        str | None, typer.Option(help="open, contacted, resolved or dismissed.")
    ] = None,
    theme: Annotated[int | None, typer.Option(help="Only cases of this theme id.")] = None,
    overdue: Annotated[
        bool | None, typer.Option("--overdue/--on-time", help="Past due and not contacted.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Cases per page.")] = 50,
    cursor: Annotated[str | None, typer.Option(help="Next page, as printed.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Cases, newest first."""
    from cxtext.store import Store
    from cxtext.store.cases import list_cases

    def action() -> tuple[list[dict[str, Any]], str | None]:
        with Store(store).reader() as reader, reader.cursor() as cur:
            return list_cases(
                cur,
                owner=owner,
                status=status,
                theme_id=theme,
                overdue=overdue,
                limit=limit,
                cursor=cursor,
            )

    rows, next_cursor = run_command(action)
    if as_json:
        print_json({"cases": rows, "next_cursor": next_cursor})
        return
    table = Table(title=f"cases in {store}")
    for column in SHOWN:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c])[:40] for c in SHOWN))
    out.print(table)
    if next_cursor:
        out.print(f"more: --cursor {next_cursor}")


@cases_app.command("show")
def show(case_id: str, store: StoreFile, as_json: JsonFlag = False) -> None:
    """One case and its history."""
    from cxtext.store import Store
    from cxtext.store.cases import get_case

    def action() -> dict[str, Any]:
        with Store(store).reader() as reader, reader.cursor() as cur:
            return _found(get_case(cur, case_id), case_id, store)

    case = run_command(action)
    if as_json:
        print_json(case)
        return
    for key, value in case.items():
        if key != "history":
            out.print(f"{key:14} {value}")
    for event in case["history"]:
        out.print(f"  {event['at']}  {event['actor']}: {event['status']}  {event['note'] or ''}")


@cases_app.command("update")
def update(
    case_id: str,
    store: StoreFile,
    by: Annotated[str, typer.Option("--by", help="Who makes the change.")],
    status: Annotated[
        str | None, typer.Option(help="open, contacted, resolved or dismissed.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for the history.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Change a case's status and/or add a note; the history keeps every change."""
    from cxtext.store import Store

    def action() -> dict[str, Any]:
        case = Store(store).update_case(case_id, status=status, note=note, actor=by)
        return _found(case, case_id, store)

    case = run_command(action)
    if as_json:
        print_json(case)
        return
    out.print(f"case {case_id}: {case['status']} ({len(case['history'])} changes)")


@cases_app.command("metrics")
def metrics(
    store: StoreFile,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="owner, theme or rule (repeatable).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """On-time contact share, overdue cases, hours to contact and to resolve, and how
    contacted detractors scored when they answered again."""
    from cxtext.store import Store
    from cxtext.store.cases import case_metrics, rescore_effect

    def action() -> dict[str, Any]:
        with Store(store).reader() as reader, reader.cursor() as cur:
            return {
                "groups": case_metrics(cur, by=by or ["owner"]),
                "rescore": rescore_effect(cur),
            }

    result = run_command(action)
    if as_json:
        print_json(result)
        return
    groups = result["groups"]
    table = Table(title=f"follow-up of the cases in {store}")
    for column in groups[0] if groups else ():
        table.add_column(column)
    for row in groups:
        table.add_row(*(f"{v:.1f}" if isinstance(v, float) else str(v) for v in row.values()))
    out.print(table)
    rescore = result["rescore"]
    if rescore["difference"] is None:
        out.print("re-survey: too few detractors with a case answered again to compare")
    else:
        lo, hi = rescore["difference_ci"]
        out.print(
            f"re-survey: contacted detractors moved {rescore['contacted']['mean_change']:+.2f} "
            f"points (n {rescore['contacted']['n']}), the others "
            f"{rescore['not_contacted']['mean_change']:+.2f} (n {rescore['not_contacted']['n']}); "
            f"difference {rescore['difference']:+.2f} [{lo:+.2f}, {hi:+.2f}]"
        )


def _found(case: dict[str, Any] | None, case_id: str, store: Path) -> dict[str, Any]:
    if case is None:
        raise DataValidationError(f"no case {case_id!r} in {store}")
    return case
