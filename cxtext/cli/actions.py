"""``cxtext actions add|list|effect``: fixes shipped for themes, and whether they worked."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from cxtext.cli.common import JsonFlag, StoreFile, app, out, print_json, run_command
from cxtext.errors import ConfigError, DataValidationError

actions_app = typer.Typer(help="Fixes shipped for themes and their effect.", no_args_is_help=True)
app.add_typer(actions_app, name="actions")


def _segments(items: list[str] | None) -> dict[str, list[str]]:
    """``country=NL`` items (repeatable; values of one name add up)."""
    out: dict[str, list[str]] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise ConfigError(f"--segment {item!r}: expected NAME=VALUE")
        out.setdefault(name, []).append(value)
    return out


@actions_app.command("add")
def add(
    store: StoreFile,
    theme: Annotated[int, typer.Option(help="Theme id (of the store's active model).")],
    description: Annotated[str, typer.Option(help="What was done.")],
    owner: Annotated[str, typer.Option(help="The team or person that did it.")],
    shipped: Annotated[str, typer.Option(help="The day it shipped, YYYY-MM-DD.")],
    segment: Annotated[
        list[str] | None,
        typer.Option(help="NAME=VALUE it applies to (repeatable) [default: every comment]."),
    ] = None,
    level: Annotated[str, typer.Option(help="theme or parent.")] = "theme",
    as_json: JsonFlag = False,
) -> None:
    """Record a fix shipped for a theme."""
    from cxtext.store import Store

    def action() -> dict[str, Any]:
        try:
            shipped_on = date.fromisoformat(shipped)
        except ValueError as exc:
            raise ConfigError(f"--shipped {shipped!r}: expected YYYY-MM-DD") from exc
        return Store(store).add_action(
            theme_id=theme,
            description=description,
            owner=owner,
            shipped_on=shipped_on,
            level=level,
            segments=_segments(segment),
        )

    made = run_command(action)
    if as_json:
        print_json(made)
        return
    out.print(f"action {made['action_id']}: {made['theme_label']} ({made['shipped_on']})")


@actions_app.command("list")
def list_(store: StoreFile, as_json: JsonFlag = False) -> None:
    """Recorded fixes, the latest shipped first."""
    from cxtext.store import Store
    from cxtext.store.actions import list_actions

    def action() -> list[dict[str, Any]]:
        with Store(store).reader() as reader, reader.cursor() as cur:
            return list_actions(cur)

    rows = run_command(action)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        scope = ", ".join(f"{k}={'|'.join(v)}" for k, v in row["segments"].items()) or "all"
        out.print(
            f"{row['action_id']}  {row['shipped_on']}  {row['theme_label']} ({scope}): "
            f"{row['description']} [{row['owner']}]"
        )


@actions_app.command("effect")
def effect(
    action_id: str,
    store: StoreFile,
    window: Annotated[int, typer.Option(min=1, help="Days before and after.")] = 91,
    as_json: JsonFlag = False,
) -> None:
    """The theme's share and impact before and after the fix, and the difference in
    differences against the other segments (or themes), with 95% intervals."""
    from cxtext.store import Store
    from cxtext.store.actions import action_effect

    def action() -> dict[str, Any]:
        with Store(store).reader() as reader, reader.cursor() as cur:
            found = action_effect(cur, action_id, window_days=window)
        if found is None:
            raise DataValidationError(f"no action {action_id!r} in {store}")
        return found

    result = run_command(action)
    if as_json:
        print_json(result)
        return
    print_effect(result)


def print_effect(result: dict[str, Any]) -> None:
    """An action's effect in a few lines."""
    before, after = result["windows"]["before"], result["windows"]["after"]
    out.print(
        f"{result['theme_label']} after '{result['description']}' ({result['shipped_on']}): "
        f"{before[0]}..{before[1]} ({result['comments']['before']:,} comments) against "
        f"{after[0]}..{after[1]} ({result['comments']['after']:,})"
    )
    found = result["effect"]
    if found is None:
        out.print(result["message"])
        return
    share, impact, did = found["share"], found["impact"], found["did"]
    lo, hi = share["change_ci"]
    out.print(
        f"  share of comments {share['before']:.1f}% -> {share['after']:.1f}% "
        f"({share['change']:+.1f} points [{lo:+.1f}, {hi:+.1f}])"
    )
    if impact["change"] is not None and impact["change_ci"]:
        lo, hi = impact["change_ci"]
        out.print(
            f"  impact on NPS {impact['before']:+.2f} -> {impact['after']:+.2f} points "
            f"({impact['change']:+.2f} [{lo:+.2f}, {hi:+.2f}])"
        )
    if did is not None:
        lo, hi = did["ci"]
        verdict = "the theme moved" if did["significant"] else "no change beyond chance"
        out.print(
            f"  against {did['against']}: {did['estimate']:+.0f}% [{lo:+.0f}%, {hi:+.0f}%], "
            f"{verdict}"
        )
