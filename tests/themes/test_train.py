"""Training and tagging over canonical frames, with the fake encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtext import schema
from cxtext.errors import ConfigError
from cxtext.schema import THEME_ID, THEME_IDS, THEME_LABEL
from cxtext.themes.clauses import clause_table
from cxtext.themes.config import config_toml, load_config
from cxtext.themes.tagging import tag_frame
from cxtext.themes.train import train_themes
from tests.fakes import FakeEncoder

PHRASES = {
    "billing": [
        "the invoice was wrong again",
        "wrong invoice amount charged",
        "invoice charged twice",
    ],
    "network": [
        "internet connection keeps dropping",
        "slow internet connection at night",
        "internet connection down again",
    ],
    "staff": [
        "the shop staff were friendly",
        "friendly helpful shop staff",
        "staff in the shop were kind",
    ],
}


def _frame(n_per: int = 40) -> pd.DataFrame:
    rows = []
    for phrases in PHRASES.values():
        for i in range(n_per):
            rows.append(phrases[i % 3] + f" {['today', 'again', 'this week', 'as usual'][i % 4]}")
    # Comments of two causes, as common in real feedback as their clauses' context is.
    rows += [
        f"{PHRASES['billing'][i % 3]} but {PHRASES['staff'][(i + 1) % 3]}"
        for i in range(max(1, n_per // 4))
    ]
    rows += ["n/a", "-", ""]
    return pd.DataFrame(
        {
            schema.ID: [f"r{i}" for i in range(len(rows))],
            schema.TEXT: rows,
            schema.LANGUAGE: "en",
            "country": "NL",
        }
    )


def test_clause_table_splits_contrasts_and_flags_non_answers() -> None:
    clauses = clause_table(_frame(2))
    mixed = clauses[clauses["comment_id"] == "r6"]
    assert mixed["clause"].tolist() == [
        "the invoice was wrong again",
        "friendly helpful shop staff",
    ]
    assert set(mixed["comment"]) == {"the invoice was wrong again but friendly helpful shop staff"}
    flags = clauses.set_index("comment_id")["content"]
    assert not flags["r7"]  # "n/a"
    assert {"r8", "r9"}.isdisjoint(clauses["comment_id"])  # "-" and "": no clause at all


def test_train_then_tag_gives_one_row_per_input_with_all_clause_themes() -> None:
    frame = _frame()
    config = load_config(None, min_theme_size=8, granularity=0.5)
    model, report, clauses = train_themes(frame, FakeEncoder(), config)
    assert report.themes >= 2 and report.non_answers == 3
    assert report.unassigned_share <= 0.05
    tagged = tag_frame(frame, model, FakeEncoder())
    assert len(tagged) == len(frame) and list(tagged["country"]) == list(frame["country"])
    by_id = tagged.set_index(schema.ID)
    assert by_id.loc["r130", THEME_ID] == -1 and by_id.loc["r130", THEME_LABEL] == "unassigned"
    # One theme per cause: the two clauses of a two-cause comment never share a theme
    # (one of them may fall beyond the unassigned cut, as far clauses do).
    mixed_ids = [f"r{i}" for i in range(120, 130)]
    for mixed_id in mixed_ids:
        own = clauses.loc[clauses["comment_id"] == mixed_id, THEME_ID].tolist()
        assigned = [t for t in own if t >= 0]
        assert len(own) == 2 and len(set(assigned)) == len(assigned)
        assert by_id.loc[mixed_id, THEME_ID] in by_id.loc[mixed_id, THEME_IDS]
    assert sum(len(by_id.loc[m, THEME_IDS]) == 2 for m in mixed_ids) >= 7
    # Tagging the training comments reproduces the clause themes found in training.
    fitted = clauses.groupby("comment_id")[THEME_ID].agg(lambda s: sorted(set(s) - {-1}))
    for comment_id, themes in fitted.items():
        assert sorted(by_id.loc[comment_id, THEME_IDS]) == themes
    labels = {t["id"]: t["label"] for t in model.themes_}
    assigned = tagged[tagged[THEME_ID] >= 0]
    assert (assigned[THEME_LABEL] == assigned[THEME_ID].map(labels)).all()


def test_config_round_trips_and_rejects_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[themes]\ngranularity = 2.0\n\n[[seeds]]\nname = "Price"\n'
        'phrases = ["too expensive", "te duur"]\n'
    )
    config = load_config(path, random_state=4)
    assert config.granularity == 2.0 and config.random_state == 4
    assert config.seeds[0].phrases == ("too expensive", "te duur")
    again = tmp_path / "again.toml"
    again.write_text(config_toml(config))
    assert load_config(again) == config
    path.write_text("[themes]\nk = 7\n")
    with pytest.raises(ConfigError, match="unknown"):
        load_config(path)


def test_seeds_from_config_become_themes() -> None:
    frame = _frame()
    path_config = load_config(None, min_theme_size=8)
    from dataclasses import replace

    from cxtext.themes.config import SeedSpec

    config = replace(
        path_config, seeds=(SeedSpec("Billing", ("invoice wrong charged",)),), seed_threshold=0.3
    )
    model, _, clauses = train_themes(frame, FakeEncoder(), config)
    billing = next(t for t in model.themes_ if t["label"] == "Billing")
    members = clauses[clauses[THEME_ID] == billing["id"]]["clause"]
    assert len(members) > 20 and members.str.contains("invoice").mean() > 0.9
    assert np.isclose(model.seed_threshold_, 0.3)


def test_duplicate_ids_are_tagged_row_by_row() -> None:
    frame = _frame()
    model, _, _ = train_themes(frame, FakeEncoder(), load_config(None, min_theme_size=8))
    twice = pd.concat([frame.head(3), frame.head(3)], ignore_index=True)
    twice.loc[3:, schema.TEXT] = ["n/a", "", "-"]
    tagged = tag_frame(twice, model, FakeEncoder())
    assert len(tagged) == 6
    assert (tagged[THEME_ID].iloc[:3] >= 0).all() and (tagged[THEME_ID].iloc[3:] == -1).all()
