"""Cases over HTTP: API writes open them through the routing rules, owners read and
update them, and every change is kept."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from cxtext.errors import ConfigError
from cxtext.loop import sign
from cxtext.loop.notify import SIGNATURE_HEADER
from tests.api.conftest import World, headers
from tests.fakes import FakeEncoder
from tests.loop.test_notify import Receiver

RULES = """
[[rule]]
name = "nl detractors"
groups = ["detractor"]
segments = { country = "NL" }
owner = "team-nl"
follow_up_hours = 24

[[rule]]
name = "other detractors"
groups = ["detractor"]
owner = "care"
follow_up_hours = 48
"""


@pytest.fixture
def routed(own_world: World) -> Iterator[TestClient]:
    rules = own_world.root / "routing.toml"
    rules.write_text(RULES)
    settings = own_world.settings.model_copy(update={"routing": rules})
    with TestClient(create_app(settings, encoder=FakeEncoder())) as client:
        yield client


def _comment(k: int, score: int, country: str) -> dict:
    return {
        "id": f"loop-{k}",
        "text": "wrong slow rude broken" if score < 7 else "fast friendly helpful great",
        "nps_score": score,
        "created_at": "2026-11-20T10:00:00Z",
        "segments": {"country": country},
    }


def test_stored_detractors_open_cases_that_owners_update(routed: TestClient) -> None:
    comments = [_comment(0, 2, "NL"), _comment(1, 3, "PT"), _comment(2, 10, "NL")]
    first = routed.post("/v1/ingest", json={"comments": comments}, headers=headers("write"))
    assert first.status_code == 200, first.json()
    assert first.json()["cases_opened"] == 2  # the promoter matches no rule
    again = routed.post("/v1/ingest", json={"comments": comments}, headers=headers("write"))
    assert again.json()["cases_opened"] == 0  # once per comment id

    page = routed.get("/v1/cases", headers=headers("read")).json()
    assert {(c["comment_id"], c["owner"]) for c in page["cases"]} == {
        ("loop-0", "team-nl"),
        ("loop-1", "care"),
    }
    nl = routed.get("/v1/cases", params={"owner": "team-nl"}, headers=headers("read")).json()
    case = nl["cases"][0]["case_id"]
    assert [c["comment_id"] for c in nl["cases"]] == ["loop-0"]

    patched = routed.patch(
        f"/v1/cases/{case}",
        json={"status": "contacted", "note": "called"},
        headers=headers("write"),
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["status"] == "contacted" and patched.json()["contacted_at"]
    note = routed.patch(
        f"/v1/cases/{case}", json={"note": "will call back"}, headers=headers("admin")
    )
    history = note.json()["history"]
    assert [(e["actor"], e["status"], e["note"]) for e in history][1:] == [
        ("write", "contacted", "called"),
        ("admin", "contacted", "will call back"),
    ]
    assert routed.get(f"/v1/cases/{case}", headers=headers("read")).json()["history"] == history

    assert (
        routed.patch(
            f"/v1/cases/{case}", json={"status": "done"}, headers=headers("write")
        ).status_code
        == 422
    )
    assert routed.patch(f"/v1/cases/{case}", json={}, headers=headers("write")).status_code == 422
    assert (
        routed.patch(f"/v1/cases/{case}", json={"note": "x"}, headers=headers("read")).status_code
        == 403
    )
    assert (
        routed.patch("/v1/cases/Cnope", json={"note": "x"}, headers=headers("write")).status_code
        == 404
    )
    assert routed.get("/v1/cases/Cnope", headers=headers("read")).status_code == 404
    assert (
        routed.get("/v1/cases", params={"cursor": "bad"}, headers=headers("read")).status_code
        == 422
    )
    assert len(routed.get(f"/v1/cases/{case}", headers=headers("read")).json()["history"]) == 3
    figures = routed.get(
        "/v1/case-metrics", params={"by": ["owner"]}, headers=headers("read")
    ).json()
    owners = {g["owner"]: g for g in figures["groups"]}
    assert owners["team-nl"]["contacted"] == 1 and owners["care"]["contacted"] == 0
    assert owners["team-nl"]["on_time_share"] == 100.0
    assert figures["rescore"]["difference"] is None  # nobody answered again


def test_a_rule_naming_an_unknown_theme_stops_the_start(own_world: World, tmp_path: Path) -> None:
    rules = tmp_path / "routing.toml"
    typo = '[[rule]]\nname = "typo"\nthemes = ["No such theme"]\nowner = "x"\n'
    rules.write_text(f"{RULES}\n{typo}follow_up_hours = 1\n")
    settings = own_world.settings.model_copy(update={"routing": rules})
    app = create_app(settings, encoder=FakeEncoder())
    with (
        pytest.raises(ConfigError, match="rule 3 \\('typo'\\): theme 'No such theme'"),
        TestClient(app),
    ):
        pass


def test_api_writes_call_the_owners_webhooks_after_answering(own_world: World) -> None:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        rules = own_world.root / "hooks.toml"
        rules.write_text(f'{RULES}\n[owners.care]\nwebhook = "{receiver.url}"\n')
        settings = own_world.settings.model_copy(update={"routing": rules})
        unsigned = create_app(settings, encoder=FakeEncoder())
        with pytest.raises(ConfigError, match="CXTEXT_WEBHOOK_SECRET"), TestClient(unsigned):
            pass
        settings = settings.model_copy(update={"webhook_secret": "shh"})
        with TestClient(create_app(settings, encoder=FakeEncoder())) as client:
            sent = client.post(
                "/v1/ingest",
                json={"comments": [_comment(7, 1, "PT"), _comment(8, 0, "NL")]},
                headers=headers("write"),
            )
            assert sent.json()["cases_opened"] == 2
        # care's case was posted (a 500 first, then 200); team-nl has no webhook.
        bodies = [json.loads(body) for _, body in receiver.calls]
        assert {b["case"]["comment_id"] for b in bodies} == {"loop-7"}
        assert all(h[SIGNATURE_HEADER] == sign(b, "shh") for h, b in receiver.calls)
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_actions_are_recorded_listed_and_measured(own_client: TestClient) -> None:
    action = {
        "theme_id": 0,
        "description": "new invoice layout",
        "owner": "billing",
        "shipped_on": "2025-04-01",
        "segments": {"country": ["NL"]},
    }
    assert own_client.post("/v1/actions", json=action, headers=headers("read")).status_code == 403
    made = own_client.post("/v1/actions", json=action, headers=headers("write"))
    assert made.status_code == 201, made.json()
    action_id = made.json()["action_id"]
    listed = own_client.get("/v1/actions", headers=headers("read")).json()["actions"]
    assert [a["action_id"] for a in listed] == [action_id]
    effect = own_client.get(
        f"/v1/actions/{action_id}/effect", params={"window_days": 30}, headers=headers("read")
    ).json()
    assert effect["windows"] == {
        "before": ["2025-03-02", "2025-04-01"],
        "after": ["2025-04-01", "2025-05-01"],
    }
    assert effect["comments"]["before"] > 0 and effect["effect"]["did"]["against"].startswith(
        "comments outside"
    )
    late = own_client.post(
        "/v1/actions", json=action | {"shipped_on": "2030-01-01"}, headers=headers("write")
    ).json()
    outside = own_client.get(f"/v1/actions/{late['action_id']}/effect", headers=headers("read"))
    assert outside.json()["effect"] is None and "no effect" in outside.json()["message"]
    bad = own_client.post("/v1/actions", json=action | {"theme_id": 999}, headers=headers("write"))
    assert bad.status_code == 422 and "999" in bad.json()["detail"]
    typo = own_client.post(
        "/v1/actions", json=action | {"segments": {"planet": ["x"]}}, headers=headers("write")
    )
    assert typo.status_code == 422 and "planet" in typo.json()["detail"]
    assert own_client.get("/v1/actions/Anope/effect", headers=headers("read")).status_code == 404
