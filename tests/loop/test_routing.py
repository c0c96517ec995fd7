"""Routing rules: first match wins, unmatched rows are counted, typos name their rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtext.errors import ConfigError, DataValidationError
from cxtext.loop import UNROUTED, load_routing

THEMES = [
    {"id": 0, "label": "Billing / invoice", "parent": 0},
    {"id": 1, "label": "Internet speed or outages", "parent": 0},
    {"id": 2, "label": "Staff attitude", "parent": 1},
]
PARENTS = [{"id": 0, "label": "Service problems"}, {"id": 1, "label": "People"}]
RULES = """
[[rule]]
name = "billing NL"
themes = ["billing / INVOICE"]
groups = ["detractor"]
segments = { country = "NL" }
owner = "billing-nl"
follow_up_hours = 24

[[rule]]
name = "outages"
themes = [1]
groups = ["detractor", "passive"]
owner = "network"
follow_up_hours = 48

[[rule]]
name = "people"
parent_themes = ["People"]
sources = ["survey"]
languages = ["nl", "en"]
owner = "stores"
follow_up_hours = 72
"""


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "source": ["survey", "survey", "ticket", "survey", "survey", "ticket"],
            "language": ["nl", "nl", "en", "en", "de", "nl"],
            "country": ["NL", "BE", "NL", "NL", "DE", None],
            "nps_group": ["detractor", "detractor", None, "promoter", "detractor", None],
            "predicted_nps_group": [None, None, "detractor", None, None, "promoter"],
            "theme_id": [1, 0, 1, 2, 2, -1],
            "theme_ids": [[1, 0], [0], [1], [2], [2], []],
            "parent_theme_ids": [[0], [0], [0], [1], [1], []],
        }
    )


def _rules(tmp_path: Path, text: str = RULES) -> Path:
    path = tmp_path / "routing.toml"
    path.write_text(text)
    return path


def test_the_first_matching_rule_routes_and_the_rest_are_counted(tmp_path: Path) -> None:
    routing = load_routing(_rules(tmp_path), THEMES, PARENTS, segments={"country"})
    routed = routing.route(_frame())
    assert routed["rule"].tolist() == [
        "billing NL",
        UNROUTED,
        "outages",
        "people",
        UNROUTED,
        UNROUTED,
    ]
    assert routed["owner"].tolist() == ["billing-nl", "", "network", "stores", "", ""]
    # "a" mentions outages first, but the billing rule comes first and names billing.
    assert routed["theme_id"].tolist() == [0, -1, 1, 2, -1, -1]
    hours = routed["follow_up_hours"].to_numpy()
    assert hours[[0, 2, 3]].tolist() == [24, 48, 72] and np.isnan(hours[[1, 4, 5]]).all()
    assert (routed["rule"] != UNROUTED).sum() + (routed["rule"] == UNROUTED).sum() == 6


def test_an_unscored_ticket_is_routed_by_its_predicted_group(tmp_path: Path) -> None:
    routing = load_routing(_rules(tmp_path), THEMES, PARENTS, segments={"country"})
    frame = _frame()
    frame.loc[2, "predicted_nps_group"] = "promoter"  # no longer a likely detractor
    assert routing.route(frame)["rule"][2] == UNROUTED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            RULES.replace("themes = [1]", 'themes = ["Outages"]'),
            r"rule 2 \('outages'\): theme 'Outages'",
        ),
        (RULES.replace('"People"', '"Peopel"'), r"rule 3 \('people'\): parent theme 'Peopel'"),
        (
            RULES.replace("country =", "region ="),
            r"rule 1 \('billing NL'\): unknown segment region",
        ),
        (
            RULES.replace("follow_up_hours = 48", "follow_up_hours = 0"),
            r"rule 2 \('outages'\): follow_up_hours",
        ),
        (RULES.replace('"passive"]', '"unhappy"]'), r"rule 2 \('outages'\): groups"),
        (
            RULES.replace('name = "people"', 'name = "outages"'),
            r"rule 3 \('outages'\): another rule",
        ),
        (RULES.replace('owner = "stores"', 'owner = "stores"\nowners = 1'), r"rule 3 .*owners"),
        ("[rules]\nname = 1", "one or more \\[\\[rule\\]\\] tables"),
        ("[[rule]\nname=", "routing rules"),
    ],
)
def test_a_bad_rule_is_an_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_routing(_rules(tmp_path, text), THEMES, PARENTS, segments={"country"})


def test_a_missing_tag_column_is_an_error_a_missing_segment_no_match(tmp_path: Path) -> None:
    routing = load_routing(_rules(tmp_path), THEMES, PARENTS, segments={"country"})
    with pytest.raises(DataValidationError, match="'theme_ids'"):
        routing.route(_frame().drop(columns=["theme_ids"]))
    routed = routing.route(_frame().drop(columns=["country"]))
    assert "billing NL" not in set(routed["rule"]) and routed["rule"][2] == "outages"
