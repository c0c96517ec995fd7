"""Actions and their effect on a store with a planted fix: found where it is, not at a
placebo date, and no effect for a date outside the data."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from cxtext.errors import DataValidationError
from cxtext.store import Store
from cxtext.store.actions import action_effect, list_actions
from tests.store.frames import MANIFEST, PARENTS, THEMES, tagged_frame

FIX = date(2024, 3, 1)


def _planted(n: int = 6000, seed: int = 1) -> pd.DataFrame:
    """Comments Jan-Apr 2024 in NL and PT; theme 0 is in 30% of them, and in 8% of the NL
    ones from March 1. Every theme is 20% rarer in April (a season)."""
    rng = np.random.default_rng(seed)
    frame = tagged_frame(n, seed=seed)
    days = rng.integers(0, 120, n)
    frame["created_at"] = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(days, "D")
    frame["country"] = pd.array(rng.choice(["NL", "PT"], n), dtype="string")
    after = (frame["created_at"] >= pd.Timestamp(FIX, tz="UTC")).to_numpy()
    season = np.where(days >= 91, 0.8, 1.0)
    rate = np.where(after & (frame["country"] == "NL").to_numpy(), 0.08, 0.30) * season
    has0 = rng.random(n) < rate
    has1 = rng.random(n) < 0.4 * season
    themes = [[t for t, on in ((0, a), (1, b)) if on] for a, b in zip(has0, has1, strict=True)]
    frame["theme_ids"] = themes
    frame["clause_theme_ids"] = themes
    frame["parent_theme_ids"] = [[0] if t else [] for t in themes]
    frame["clause_parent_ids"] = [[0] * len(t) for t in themes]
    frame["clause_sentiments"] = [[-0.5] * len(t) for t in themes]
    frame["theme_id"] = [t[0] if t else -1 for t in themes]
    frame["parent_theme_id"] = [0 if t else -1 for t in themes]
    return frame


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("actions") / "s.duckdb")
    store.write_tagged(
        _planted(),
        run={"kind": "tag"},
        manifest=MANIFEST,
        themes=THEMES,
        parents=PARENTS,
        segments=["country"],
    )
    return store


def _effect(store: Store, **action: object) -> dict:
    made = store.add_action(
        theme_id=0,
        description="new billing flow",
        owner="billing",
        **action,  # type: ignore[arg-type]
    )
    with store.reader() as reader, reader.cursor() as cur:
        effect = action_effect(cur, made["action_id"], window_days=28)
    assert effect is not None
    return effect


def test_the_planted_fix_is_found_against_the_other_segments(store: Store) -> None:
    found = _effect(store, shipped_on=FIX, segments={"country": ["NL"]})
    share, did = found["effect"]["share"], found["effect"]["did"]
    assert share["before"] == pytest.approx(30, abs=3) and share["after"] == pytest.approx(8, abs=2)
    assert did["against"].startswith("comments outside") and did["significant"]
    # NL's share fell to about 8/30 of what it was (-73%); PT's did not move.
    assert did["ci"][1] < 0 and did["estimate"] == pytest.approx(-73, abs=8)
    assert abs(did["control_change"]) < 12


def test_a_placebo_date_and_a_season_are_not_read_as_a_fix(store: Store) -> None:
    placebo = _effect(store, shipped_on=date(2024, 1, 30), segments={"country": ["NL"]})
    assert not placebo["effect"]["did"]["significant"]
    # April makes every theme 20% rarer in both countries: the PT share falls, and
    # against NL, which fell alike, the relative change stays flat.
    season = _effect(store, shipped_on=date(2024, 4, 1), segments={"country": ["PT"]})
    assert season["effect"]["share"]["change"] < 0
    assert not season["effect"]["did"]["significant"]
    # Without segments the other themes are the comparison; April moves them all alike.
    overall = _effect(store, shipped_on=date(2024, 4, 1))
    assert overall["effect"]["did"]["against"].startswith("the other themes")
    assert not overall["effect"]["did"]["significant"]


def test_outside_the_data_no_effect_and_bad_actions_refused(store: Store) -> None:
    late = _effect(store, shipped_on=date(2025, 1, 1))
    assert late["effect"] is None and "does not cover 2025-01-01" in late["message"]
    with pytest.raises(DataValidationError, match="has no theme 99"):
        store.add_action(theme_id=99, description="x", owner="y", shipped_on=FIX)
    with pytest.raises(DataValidationError, match="segment planet"):
        store.add_action(
            theme_id=0, description="x", owner="y", shipped_on=FIX, segments={"planet": ["x"]}
        )
    with store.reader() as reader, reader.cursor() as cur:
        assert len(list_actions(cur)) >= 4


def test_the_cli_records_lists_and_reports_an_effect(store: Store) -> None:
    from typer.testing import CliRunner

    from cxtext.cli import EXIT_USAGE, app

    runner = CliRunner()
    path = str(store.path)
    made = runner.invoke(
        app,
        ["actions", "add", "--store", path, "--theme", "0", "--description", "new flow",
         "--owner", "billing", "--shipped", FIX.isoformat(), "--segment", "country=NL", "--json"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    action_id = json.loads(made.output)["action_id"]
    listed = runner.invoke(app, ["actions", "list", "--store", path])
    assert action_id in listed.output and "country=NL" in listed.output
    shown = runner.invoke(app, ["actions", "effect", action_id, "--store", path])
    assert shown.exit_code == 0 and "the theme moved" in shown.output
    bad = runner.invoke(app, ["actions", "add", "--store", path, "--theme", "0", "--description",
                              "x", "--owner", "y", "--shipped", "March"])  # fmt: skip
    assert bad.exit_code == EXIT_USAGE and "YYYY-MM-DD" in bad.output
