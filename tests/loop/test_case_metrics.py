"""Follow-up figures and the re-survey comparison, on cases with known times."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxtext.errors import DataValidationError
from cxtext.loop import cases_to_open, load_routing
from cxtext.store import Store
from cxtext.store.cases import case_metrics, list_cases, rescore_effect
from tests.loop.test_cases import T0
from tests.store.frames import MANIFEST, MODEL, PARENTS, THEMES, VERSION, tagged_frame

EVERY_DETRACTOR = """
[[rule]]
name = "detractors"
groups = ["detractor"]
owner = "care"
follow_up_hours = 24
"""


def _store(tmp_path: Path, frame: pd.DataFrame) -> Store:
    path = tmp_path / "routing.toml"
    path.write_text(EVERY_DETRACTOR)
    routing = load_routing(path, THEMES, PARENTS, segments=set())
    cases, _ = cases_to_open(frame, routing, themes=THEMES, model=MODEL, version=VERSION, now=T0)
    store = Store(tmp_path / "s.duckdb")
    store.write_tagged(
        frame, run={"kind": "tag"}, manifest=MANIFEST, themes=THEMES, parents=PARENTS, cases=cases
    )
    return store


def test_on_time_share_and_durations(tmp_path: Path) -> None:
    frame = (
        tagged_frame(40)
        .assign(nps_score=pd.array([3] * 40, dtype="Int64"))
        .drop(columns=["nps_group"])
    )
    store = _store(tmp_path, frame)
    with store.reader() as reader, reader.cursor() as cur:
        ids = [c["case_id"] for c in list_cases(cur, limit=500, now=T0)[0]]
    assert len(ids) == 40
    for k, case in enumerate(ids[:10]):  # contacted after 2, 4, ... 20 h; 24 h is due
        store.update_case(
            case, status="contacted", note=None, actor="a", at=T0 + timedelta(hours=2 * (k + 1))
        )
    for case in ids[10:14]:  # contacted late, at 30 h, then resolved at 50 h
        store.update_case(
            case, status="contacted", note=None, actor="a", at=T0 + timedelta(hours=30)
        )
        store.update_case(
            case, status="resolved", note=None, actor="a", at=T0 + timedelta(hours=50)
        )
    with store.reader() as reader, reader.cursor() as cur:
        early = case_metrics(cur, now=T0 + timedelta(hours=12))[0]
        late = case_metrics(cur, now=T0 + timedelta(days=3))[0]
        assert case_metrics(cur, by=(), now=T0)[0]["opened"] == 40
        with pytest.raises(DataValidationError, match="group by"):
            case_metrics(cur, by=("planet",))
    # At 12 h only the 14 contacted cases are decided, 10 of them on time.
    assert early["opened"] == 40 and early["contacted"] == 14
    assert early["on_time_share"] == pytest.approx(100 * 10 / 14)
    # At 3 days every case is decided: 10 on time of 40; 26 open and overdue.
    assert late["on_time_share"] == pytest.approx(25.0) and late["open_overdue"] == 26
    hours = [2.0 * (k + 1) for k in range(10)] + [30.0] * 4
    assert late["contact_hours_median"] == pytest.approx(float(np.median(hours)))
    assert late["resolve_hours_median"] == pytest.approx(50.0)


def test_contacted_detractors_against_the_others_when_they_answer_again(tmp_path: Path) -> None:
    first = (
        tagged_frame(20, seed=3)
        .assign(
            nps_score=pd.array([2] * 20, dtype="Int64"),
            customer_id=[f"cu{k}" for k in range(20)],
            created_at=pd.Timestamp("2024-05-01", tz="UTC"),
        )
        .drop(columns=["nps_group", "predicted_nps_group"])
    )
    store = _store(tmp_path, first)
    # Customers 0-9 are contacted; all 20 answer again on June 10 (after the contacts).
    with store.reader() as reader, reader.cursor() as cur:
        by_comment = {c["comment_id"]: c["case_id"] for c in list_cases(cur, limit=500)[0]}
    for k in range(10):
        store.update_case(
            by_comment[first["id"][k]], status="contacted", note=None, actor="a", at=T0
        )
    again = (
        tagged_frame(20, start=100, seed=4)
        .assign(
            nps_score=pd.array([6, 9] * 5 + [3, 4] * 5, dtype="Int64"),
            customer_id=[f"cu{k}" for k in range(20)],
            created_at=pd.Timestamp("2024-06-10", tz="UTC"),
        )
        .drop(columns=["nps_group", "predicted_nps_group"])
    )
    store.write_comments(again, run={"kind": "ingest"})
    with store.reader() as reader, reader.cursor() as cur:
        effect = rescore_effect(cur)
    a = np.array([6, 9] * 5) - 2
    b = np.array([3, 4] * 5) - 2
    assert effect["contacted"] == {"n": 10, "mean_change": pytest.approx(a.mean())}
    assert effect["not_contacted"] == {"n": 10, "mean_change": pytest.approx(b.mean())}
    se = np.sqrt(a.var(ddof=1) / 10 + b.var(ddof=1) / 10)
    assert effect["difference"] == pytest.approx(a.mean() - b.mean())
    assert effect["difference_ci"] == pytest.approx(
        [a.mean() - b.mean() - 1.96 * se, a.mean() - b.mean() + 1.96 * se]
    )
