"""The API through TestClient: auth, errors, limits, and answers checked against the
library's own numbers on the same tagged comments."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cxtext.analysis.drivers import drivers_table
from cxtext.analysis.metrics import nps_stats
from tests.api.conftest import World, headers

PROBLEM = "application/problem+json"


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/v1/health").json() == {"status": "ok"}
    ready = client.get("/v1/ready")
    assert ready.status_code == 200
    assert ready.json()["model"] == "demo/v1" and ready.json()["store"]


def test_auth_401_without_or_with_unknown_key_and_403_without_scope(client: TestClient) -> None:
    missing = client.get("/v1/themes")
    assert missing.status_code == 401 and missing.headers["content-type"] == PROBLEM
    assert "X-API-Key" in missing.json()["detail"]
    assert client.get("/v1/themes", headers={"X-API-Key": "nope"}).status_code == 401
    forbidden = client.post(
        "/v1/ingest", json={"comments": [{"id": "x", "text": "hi"}]}, headers=headers("read")
    )
    assert forbidden.status_code == 403 and "write" in forbidden.json()["detail"]
    assert client.post("/v1/models/v1/activate", headers=headers("write")).status_code == 403
    # Higher scopes include lower ones.
    assert client.get("/v1/themes", headers=headers("admin")).status_code == 200


def test_drivers_match_the_library_on_the_same_comments(client: TestClient, world: World) -> None:
    body = client.get("/v1/drivers", params={"top": 100}, headers=headers("read")).json()
    expected = drivers_table(world.tagged).set_index("theme_id")
    got = {r["theme_id"]: r for r in body["detraction"] + body["promotion"]}
    assert got, body
    for theme_id, row in got.items():
        assert row["impact"] == pytest.approx(expected.loc[theme_id, "impact"], abs=1e-9)
        assert row["n"] == expected.loc[theme_id, "n"]
        assert row["impact_ci"][0] < row["impact"] < row["impact_ci"][1]
    worst = body["detraction"][0]["impact"]
    assert all(worst <= r["impact"] for r in body["detraction"])


def test_themes_filtered_by_segment_and_source(client: TestClient, world: World) -> None:
    body = client.get(
        "/v1/themes", params={"segment": "country:NL"}, headers=headers("read")
    ).json()
    scored_nl = world.tagged[(world.tagged["country"] == "NL") & world.tagged["nps_group"].notna()]
    assert body["overall"]["n"] == len(scored_nl)
    assert body["model"] == "demo/v1" and body["themes"]
    tickets = client.get("/v1/themes", params={"source": "ticket"}, headers=headers("read"))
    assert tickets.json()["overall"]["n"] == 0
    assert tickets.json()["overall"]["comments"] == int((world.tagged["source"] == "ticket").sum())
    bad = client.get("/v1/themes", params={"segment": "country"}, headers=headers("read"))
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM


def test_theme_detail_and_404(client: TestClient) -> None:
    themes = client.get("/v1/themes", headers=headers("read")).json()["themes"]
    first = themes[0]["theme_id"]
    detail = client.get(
        f"/v1/themes/{first}", params={"by": "country"}, headers=headers("read")
    ).json()
    assert detail["theme_id"] == first and detail["keywords"]
    assert sum(detail["by_nps_group"].values()) == themes[0]["volume"]
    assert {s["value"] for s in detail["by_segment"]} >= {"NL", "BE"}
    missing = client.get("/v1/themes/9999", headers=headers("read"))
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


def test_metrics_nps_matches_the_library(client: TestClient, world: World) -> None:
    body = client.get("/v1/metrics/nps", params={"by": "country"}, headers=headers("read")).json()
    assert body["overall"]["nps"] == pytest.approx(nps_stats(world.tagged["nps_score"])["nps"])
    assert {g["country"] for g in body["groups"]} >= {"NL", "BE"}


def test_ces_and_response_times_match_the_library(client: TestClient, world: World) -> None:
    from cxtext.analysis.metrics import response_time_table

    body = client.get("/v1/metrics/response-times", headers=headers("read")).json()
    expected = response_time_table(world.tagged).set_index("metric")
    got = {row["metric"]: row for row in body["overall"]}
    assert got and set(got) == set(expected.index)
    for metric, row in got.items():
        assert row["n"] == expected.loc[metric, "n"]
        assert row["median_hours"] == pytest.approx(expected.loc[metric, "median_hours"])
    ces = client.get("/v1/metrics/ces", params={"by": "country"}, headers=headers("read"))
    assert ces.status_code == 200 and isinstance(ces.json()["overall"], list)


def test_trends_and_emerging(client: TestClient) -> None:
    trends = client.get("/v1/trends", params={"period": "month"}, headers=headers("read"))
    assert trends.status_code == 200 and trends.json()["rows"]
    emerging = client.get(
        "/v1/emerging", params={"period": "month", "window": 3}, headers=headers("read")
    )
    assert emerging.status_code == 200, emerging.json()
    assert all(0 <= t["p_adjusted"] <= 1 for t in emerging.json()["themes"])


def test_comments_paginate_and_filter(client: TestClient, world: World) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 60, "nps_group": "detractor"} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/comments", params=params, headers=headers("read")).json()
        seen += [c["id"] for c in page["comments"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    detractors = world.tagged[world.tagged["nps_group"] == "detractor"]
    assert sorted(seen) == sorted(detractors["id"])
    bad = client.get("/v1/comments", params={"cursor": "garbage"}, headers=headers("read"))
    assert bad.status_code == 422


def test_tag_without_storing_and_limits(client: TestClient) -> None:
    before = client.get("/v1/ready").json()["comments"]
    body = {
        "comments": [
            {"id": "a", "text": "The invoice was wrong but the staff was friendly"},
            {"text": "De factuur klopte niet", "language": "nl"},
        ]
    }
    tagged = client.post("/v1/tag", json=body, headers=headers("read"))
    assert tagged.status_code == 200, tagged.json()
    first = tagged.json()["comments"][0]
    assert first["id"] == "a" and len(first["clauses"]) == 2
    assert first["sentiment_label"] in {"negative", "neutral", "positive"}
    assert client.get("/v1/ready").json()["comments"] == before
    many = {"comments": [{"text": f"comment {i}"} for i in range(9)]}
    over = client.post("/v1/tag", json=many, headers=headers("read"))
    assert over.status_code == 413 and "limit is 8" in over.json()["detail"]
    huge = {"comments": [{"text": "x" * 19_000}, {"text": "y" * 5_000}]}
    assert client.post("/v1/tag", json=huge, headers=headers("read")).status_code == 413
    invalid = client.post("/v1/tag", json={"comments": []}, headers=headers("read"))
    assert invalid.status_code == 422 and invalid.headers["content-type"] == PROBLEM
    stored = client.post("/v1/tag", json=body | {"store": True}, headers=headers("read"))
    assert stored.status_code == 403


def test_ingest_stores_and_replaces_by_id(own_client: TestClient) -> None:
    client = own_client
    before = client.get("/v1/ready").json()["comments"]
    themes_before = client.get("/v1/themes", headers=headers("read")).json()["overall"]
    comment = {
        "id": "api-1",
        "text": "The router keeps dropping the connection",
        "source": "ticket",
        "created_at": "2026-11-20T10:00:00Z",
        "segments": {"country": "NL"},
    }
    first = client.post("/v1/ingest", json={"comments": [comment]}, headers=headers("write"))
    assert first.status_code == 200, first.json()
    again = client.post(
        "/v1/ingest",
        json={"comments": [comment | {"text": "Now the router works fine"}]},
        headers=headers("write"),
    )
    assert again.status_code == 200
    assert client.get("/v1/ready").json()["comments"] == before + 1
    # Cached answers follow the store: the same request now sees the new comment.
    themes_after = client.get("/v1/themes", headers=headers("read")).json()["overall"]
    assert themes_after["comments"] == themes_before["comments"] + 1
    found = client.get("/v1/comments", params={"q": "router works"}, headers=headers("read"))
    assert [c["id"] for c in found.json()["comments"]] == ["api-1"]


def test_models_and_activation(client: TestClient) -> None:
    listed = client.get("/v1/models", headers=headers("read")).json()["models"]
    assert [(m["model"], m["version"], m["active"]) for m in listed] == [("demo", "v1", True)]
    assert client.post("/v1/models/v9/activate", headers=headers("admin")).status_code == 404
    activated = client.post("/v1/models/v1/activate", headers=headers("admin"))
    assert activated.status_code == 200 and activated.json()["active"]


def test_cors_and_openapi(client: TestClient) -> None:
    preflight = client.options(
        "/v1/themes",
        headers={
            "Origin": "https://cx.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-API-Key",
        },
    )
    assert preflight.headers["access-control-allow-origin"] == "https://cx.example.com"
    other = client.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    schema = client.get("/openapi.json").json()
    assert {"/v1/themes", "/v1/drivers", "/v1/tag", "/v1/comments"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


def test_each_theme_shows_its_stability_as_trained(client: TestClient, world: World) -> None:
    from cxtext.themes.bundle import load_model

    model, _ = load_model(world.models_dir)
    trained = {t["id"]: t["stability"] for t in model.themes_}
    themes = client.get("/v1/themes", headers=headers("read")).json()["themes"]
    assert themes and all(t["stability"] == trained[t["theme_id"]] for t in themes)
    first = themes[0]["theme_id"]
    detail = client.get(f"/v1/themes/{first}", headers=headers("read")).json()
    assert detail["stability"] == trained[first]
    parents = client.get("/v1/themes", params={"level": "parent"}, headers=headers("read"))
    assert all(p["stability"] is None for p in parents.json()["themes"])
