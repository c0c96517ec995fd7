"""Cases in a real store: opened once per comment in the tagging write, updated with a
history that is only appended to, listed with filters and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cxtext.errors import DataValidationError
from cxtext.loop import UNROUTED, cases_to_open, load_routing
from cxtext.store import Store
from cxtext.store.cases import get_case, list_cases
from tests.store.frames import MANIFEST, MODEL, PARENTS, THEMES, VERSION, tagged_frame

RULES = """
[[rule]]
name = "theme 0 detractors"
themes = ["theme 0"]
groups = ["detractor"]
owner = "team-a"
follow_up_hours = 24

[[rule]]
name = "group 1"
parent_themes = [1]
owner = "team-b"
follow_up_hours = 72
"""
T0 = datetime(2024, 6, 1, 9, tzinfo=UTC)


@pytest.fixture
def routing(tmp_path: Path):
    path = tmp_path / "routing.toml"
    path.write_text(RULES)
    return load_routing(path, THEMES, PARENTS, segments={"country", "plan"})


def _tag(store: Store, frame, routing, now: datetime) -> str:
    cases, _ = cases_to_open(frame, routing, themes=THEMES, model=MODEL, version=VERSION, now=now)
    return store.write_tagged(
        frame,
        run={"kind": "tag"},
        manifest=MANIFEST,
        themes=THEMES,
        parents=PARENTS,
        segments=["country", "plan"],
        cases=cases,
    )


def _all(store: Store, now: datetime, **filters: object) -> list[dict]:
    with store.reader() as reader, reader.cursor() as cur:
        rows, cursor = list_cases(cur, limit=500, now=now, **filters)  # type: ignore[arg-type]
    assert cursor is None
    return rows


def test_each_routed_comment_opens_one_case_and_retagging_opens_none(
    tmp_path: Path, routing
) -> None:
    store = Store(tmp_path / "s.duckdb")
    everything = tagged_frame(250)
    frame = everything.iloc[:200]
    cases, counts = cases_to_open(
        frame, routing, themes=THEMES, model=MODEL, version=VERSION, now=T0
    )
    assert counts["unrouted"] + sum(v for k, v in counts.items() if k != "unrouted") == 200
    assert len(cases) == 200 - counts["unrouted"] > 0
    run = _tag(store, frame, routing, T0)
    assert store.cases_opened(run) == len(cases)
    stored = _all(store, T0)
    assert sorted(c["comment_id"] for c in stored) == sorted(cases["comment_id"])
    first = next(c for c in stored if c["rule"] == "theme 0 detractors")
    assert first["owner"] == "team-a" and first["theme_label"] == "theme 0"
    assert first["due_at"] - first["opened_at"] == timedelta(hours=24)
    assert first["status"] == "open" and not first["overdue"]

    later = T0 + timedelta(days=3)
    again = _tag(store, everything, routing, later)  # the 200 again and 50 new
    new, _ = cases_to_open(
        everything.iloc[200:], routing, themes=THEMES, model=MODEL, version=VERSION
    )
    assert store.cases_opened(again) == len(new)
    stored = _all(store, later)
    assert len(stored) == len(cases) + len(new) == len({c["comment_id"] for c in stored})
    assert {c["opened_at"] for c in stored if c["comment_id"] in set(cases["comment_id"])} == {T0}


def test_updates_append_to_the_history_and_set_the_times(tmp_path: Path, routing) -> None:
    store = Store(tmp_path / "s.duckdb")
    _tag(store, tagged_frame(60), routing, T0)
    case = _all(store, T0)[0]["case_id"]
    assert store.update_case(case, status="contacted", note="called, left a message", actor="ana")
    assert store.update_case(case, status=None, note="customer called back", actor="ana")
    done = store.update_case(case, status="resolved", note=None, actor="bo")
    assert done is not None and done["status"] == "resolved"
    assert done["contacted_at"] is not None and done["closed_at"] is not None
    assert [(e["actor"], e["status"], e["note"]) for e in done["history"]] == [
        ("cxtext routing", "open", "routed by rule " + done["rule"]),
        ("ana", "contacted", "called, left a message"),
        ("ana", "contacted", "customer called back"),
        ("bo", "resolved", None),
    ]
    with pytest.raises(DataValidationError, match="status must be one of"):
        store.update_case(case, status="closed", note=None, actor="bo")
    with pytest.raises(DataValidationError, match="needs a status, a note"):
        store.update_case(case, status=None, note="", actor="bo")
    assert store.update_case("Cnothere", status="open", note=None, actor="bo") is None
    with store.reader() as reader, reader.cursor() as cur:
        assert len(get_case(cur, case)["history"]) == 4  # the refused updates left no trace


def test_filters_overdue_and_pages(tmp_path: Path, routing) -> None:
    store = Store(tmp_path / "s.duckdb")
    _tag(store, tagged_frame(300), routing, T0)
    everything = _all(store, T0)
    contacted = everything[0]["case_id"]
    store.update_case(contacted, status="contacted", note=None, actor="ana")
    day2 = T0 + timedelta(hours=30)  # team-a's 24 h passed, team-b's 72 h not
    overdue = _all(store, day2, overdue=True)
    assert {c["owner"] for c in overdue} == {"team-a"} and contacted not in {
        c["case_id"] for c in overdue
    }
    assert len(overdue) + len(_all(store, day2, overdue=False)) == len(everything)
    assert {c["owner"] for c in _all(store, T0, owner="team-b")} == {"team-b"}
    assert [c["case_id"] for c in _all(store, T0, status="contacted")] == [contacted]
    pages, cursor = [], None
    with store.reader() as reader, reader.cursor() as cur:
        while True:
            rows, cursor = list_cases(cur, limit=7, cursor=cursor, now=T0)
            pages += rows
            if cursor is None:
                break
        with pytest.raises(DataValidationError, match="cursor"):
            list_cases(cur, cursor="nonsense")
    assert sorted(c["case_id"] for c in pages) == sorted(c["case_id"] for c in everything)
    assert UNROUTED == ""
