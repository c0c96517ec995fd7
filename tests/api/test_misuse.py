"""The API against misuse: ids, dates, model versions, docs, limits and readiness."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.serving
from api.main import create_app
from tests.api.conftest import World, headers
from tests.fakes import FakeEncoder

PROBLEM = "application/problem+json"
READ_PATHS = [
    "/v1/themes",
    "/v1/themes/{theme}",
    "/v1/drivers",
    "/v1/trends",
    "/v1/emerging",
    "/v1/metrics/nps",
    "/v1/metrics/csat",
    "/v1/metrics/ces",
    "/v1/metrics/response-times",
    "/v1/comments",
]
# Ranges holding every dated comment, then ranges holding none.
EXTREME_DATES = [
    {"date_to": "9999-12-31"},
    {"date_from": "0001-01-01"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31"},
]
EMPTY_RANGES = [{"date_from": "9999-12-31"}, {"date_to": "0001-01-01"}]


def _count(client: TestClient) -> int:
    return int(client.get("/v1/ready").json()["comments"])


def _tag(client: TestClient, comments: list[dict[str, Any]], *, store: bool = True) -> Any:
    answer = client.post(
        "/v1/tag", json={"comments": comments, "store": store}, headers=headers("write")
    )
    assert answer.status_code == 200, answer.json()
    return answer.json()


def _cursor(moment: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([moment, "zzz"]).encode()).decode()


# --- ids of stored comments ------------------------------------------------------------------


def test_server_assigned_ids_never_replace_stored_comments(own_client: TestClient) -> None:
    before = _count(own_client)
    first = _tag(own_client, [{"text": "The invoice was wrong"}, {"text": "Slow internet"}])
    second = _tag(own_client, [{"text": "Rude staff"}, {"text": "Great support"}])
    assert first["stored"] == second["stored"] == 2
    assert _count(own_client) == before + 4
    ids = [c["id"] for answer in (first, second) for c in answer["comments"]]
    assert len(set(ids)) == 4
    assert all(uuid.UUID(i).version == 7 for i in ids)
    stamps = [i[:13] for i in ids]  # the 48 bits of Unix milliseconds
    assert stamps == sorted(stamps)


def test_a_client_id_sent_again_replaces_its_comment(own_client: TestClient) -> None:
    before = _count(own_client)
    _tag(own_client, [{"id": "mine-1", "text": "The modem keeps dropping"}])
    _tag(own_client, [{"id": "mine-1", "text": "Now the modem works"}])
    assert _count(own_client) == before + 1
    found = own_client.get("/v1/comments", params={"q": "modem"}, headers=headers("read"))
    assert [c["text"] for c in found.json()["comments"]] == ["Now the modem works"]
    twice = own_client.post(
        "/v1/tag",
        json={"comments": [{"id": "x", "text": "a"}, {"id": "x", "text": "b"}], "store": True},
        headers=headers("write"),
    )
    assert twice.status_code == 422 and "repeat" in twice.json()["detail"]


# --- undated comments and unparseable dates -------------------------------------------------


def test_undated_comments_count_in_totals_and_in_no_period(own_client: TestClient) -> None:
    params = {"period": "month", "source": "survey"}
    before = own_client.get("/v1/metrics/nps", params=params, headers=headers("read")).json()
    _tag(own_client, [{"text": "No date on this one"}])  # stored without a date
    undated = {"id": "undated-1", "text": "Great", "nps_score": 10}
    stored = own_client.post("/v1/ingest", json={"comments": [undated]}, headers=headers("write"))
    assert stored.status_code == 200, stored.json()
    answer = own_client.get("/v1/metrics/nps", params=params, headers=headers("read"))
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["n_undated"] == before["n_undated"] + 2
    assert body["overall"]["n"] == before["overall"]["n"] + 1
    assert sum(g["n"] for g in body["groups"]) == sum(g["n"] for g in before["groups"])
    by_country = own_client.get(
        "/v1/metrics/nps", params={"by": "country", "period": "week"}, headers=headers("read")
    )
    assert by_country.status_code == 200 and by_country.json()["n_undated"] >= 2


def test_ingest_quarantines_unparseable_dates_and_stores_the_rest(
    own_client: TestClient,
) -> None:
    before = _count(own_client)
    comments = [
        {"id": "d-ok", "text": "Dated fine", "created_at": "2026-11-20T10:00:00+01:00"},
        {"id": "d-bad", "text": "Bad date", "created_at": "not a date"},
        {"id": "d-none", "text": "No date"},
        {"id": "d-far", "text": "Far", "created_at": "9999-12-31"},
    ]
    answer = own_client.post("/v1/ingest", json={"comments": comments}, headers=headers("write"))
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["stored"] == 2 and body["run_id"]
    assert body["quarantined"] == [
        {"index": 1, "id": "d-bad", "reasons": ["created_at:unparseable_date"]},
        {"index": 3, "id": "d-far", "reasons": ["created_at:out_of_range"]},
    ]
    assert _count(own_client) == before + 2
    page = own_client.get(
        "/v1/comments", params={"q": "Dated fine"}, headers=headers("read")
    ).json()
    assert page["comments"][0]["created_at"].startswith("2026-11-20T09:00:00")
    nothing = own_client.post(
        "/v1/ingest", json={"comments": [comments[1]]}, headers=headers("write")
    ).json()
    assert nothing["stored"] == 0 and nothing["run_id"] is None and len(nothing["quarantined"]) == 1


# --- extreme dates ---------------------------------------------------------------------------


@pytest.mark.parametrize("dates", EXTREME_DATES + EMPTY_RANGES, ids=str)
def test_calendar_limits_never_give_server_errors(
    client: TestClient, dates: dict[str, str]
) -> None:
    """The calendar's first and last days answer as any bound does: a range holding every
    comment as no dates at all (the same status), an empty one with 200 or a 422 problem."""
    theme = client.get("/v1/themes", headers=headers("read")).json()["themes"][0]["theme_id"]
    for path in READ_PATHS:
        url = path.format(theme=theme)
        period = {"period": "month"} if "metrics" in path else {}
        answer = client.get(url, params=dates | period, headers=headers("read"))
        if dates in EXTREME_DATES:
            unbounded = client.get(url, params=period, headers=headers("read"))
            assert answer.status_code == unbounded.status_code, (path, answer.text)
        else:
            refused = answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
            assert answer.status_code == 200 or refused, (path, answer.text)


def test_extreme_cursors_are_pages_or_422(client: TestClient) -> None:
    last = client.get(
        "/v1/comments",
        params={"cursor": _cursor("9999-12-31T23:59:59+00:00")},
        headers=headers("read"),
    )
    assert last.status_code == 200 and last.json()["comments"]
    for moment in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"):
        past = client.get(
            "/v1/comments", params={"cursor": _cursor(moment)}, headers=headers("read")
        )
        assert past.status_code == 422 and past.headers["content-type"] == PROBLEM


# --- model versions --------------------------------------------------------------------------


@pytest.fixture
def no_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to load a model bundle."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a bundle was loaded: {args}")

    monkeypatch.setattr(api.serving, "load_serving_models", refuse)


@pytest.mark.parametrize("version", ["%2e%2e", "%2e", "%2E%2E", "v1%00", "V1", "v", "1", "models"])
def test_versions_that_are_not_registry_names_never_reach_the_disk(
    client: TestClient, no_loading: None, version: str
) -> None:
    answer = client.post(f"/v1/models/{version}/activate", headers=headers("admin"))
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == PROBLEM


def test_problem_details_never_show_server_paths(own_client: TestClient, own_world: World) -> None:
    (own_world.models_dir / "v7").mkdir()  # a version folder holding no bundle
    broken = own_client.post("/v1/models/v7/activate", headers=headers("admin"))
    assert broken.status_code == 503 and broken.headers["content-type"] == PROBLEM
    assert "v7" in broken.json()["detail"]
    answers = [
        broken,
        own_client.post("/v1/models/%2e%2e/activate", headers=headers("admin")),
        own_client.get("/v1/themes", params={"segment": "nocolon"}, headers=headers("read")),
        own_client.get("/v1/comments", params={"cursor": "garbage"}, headers=headers("read")),
        own_client.get("/v1/themes/99999", headers=headers("read")),
        own_client.get("/v1/themes", headers={"X-API-Key": str(own_world.root)}),
    ]
    for answer in answers:
        assert answer.status_code >= 400
        assert not re.search(r"(^|[\s'\"(])/(tmp|home|root|usr|var|srv|work)\b", answer.text), (
            answer.text
        )
        assert (
            str(own_world.root) not in answer.text and str(own_world.models_dir) not in answer.text
        )


# --- offline docs ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_everything_from_this_server(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html.text)
    urls += re.findall(r"""url\s*:\s*["']([^"']+)["']""", html.text)
    assert any(u.endswith(".js") for u in urls), urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url
    assert "http://" not in html.text and "https://" not in html.text


# --- limits ----------------------------------------------------------------------------------


def test_a_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"comments": [{"text": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}]}'

    answer = client.post(
        "/v1/tag",
        content=chunks(),
        headers=headers("read") | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == PROBLEM
    small = client.post(
        "/v1/tag",
        content=iter([b'{"comments": [{"text": ', b'"De factuur klopte niet"}]}']),
        headers=headers("read") | {"Content-Type": "application/json"},
    )
    assert small.status_code == 200, small.text


def test_a_page_over_the_maximum_is_refused_not_cut(client: TestClient, world: World) -> None:
    largest = world.settings.max_page_size
    full = client.get("/v1/comments", params={"limit": largest}, headers=headers("read"))
    assert full.status_code == 200 and len(full.json()["comments"]) == largest
    over = client.get("/v1/comments", params={"limit": largest + 1}, headers=headers("read"))
    assert over.status_code == 422 and str(largest) in over.json()["detail"]
    schema = client.get("/openapi.json").json()
    limit = next(
        p for p in schema["paths"]["/v1/comments"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert "max_page_size" in limit["description"]


def test_segment_filters_are_described_in_the_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    segment = next(
        p for p in schema["paths"]["/v1/themes"]["get"]["parameters"] if p["name"] == "segment"
    )
    items = segment["schema"]["items"]
    assert re.fullmatch(items["pattern"], "country:NL") and not re.match(items["pattern"], "NL")
    assert "name:value" in segment["description"]


# --- readiness after an activation -----------------------------------------------------------


def test_ready_names_the_activated_model_at_once(own_client: TestClient) -> None:
    assert own_client.get("/v1/ready").json()["model"] == "demo/v1"
    activated = own_client.post("/v1/models/v2/activate", headers=headers("admin"))
    assert activated.status_code == 200, activated.text
    assert own_client.get("/v1/ready").json()["model"] == "demo/v2"


def test_a_request_that_read_the_old_version_does_not_bring_it_back(
    own_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tagging request that read the active version just before an activation finished
    must not reload the old model after it."""
    assert own_client.post("/v1/models/v2/activate", headers=headers("admin")).status_code == 200
    real = api.serving.active_model
    stale = iter([("demo", "v1")])
    monkeypatch.setattr(api.serving, "active_model", lambda cur: next(stale, None) or real(cur))
    tagged = _tag(own_client, [{"text": "The invoice was wrong"}], store=False)
    assert tagged["model"] == "demo/v2"
    assert own_client.get("/v1/ready").json()["model"] == "demo/v2"


def test_every_worker_serves_the_version_another_activated(
    own_client: TestClient, own_world: World
) -> None:
    with TestClient(create_app(own_world.settings, encoder=FakeEncoder())) as other:
        assert other.get("/v1/ready").json()["model"] == "demo/v1"
        assert (
            own_client.post("/v1/models/v2/activate", headers=headers("admin")).status_code == 200
        )
        assert other.get("/v1/ready").json()["model"] == "demo/v2"
        assert _tag(other, [{"text": "Slow internet"}], store=False)["model"] == "demo/v2"
