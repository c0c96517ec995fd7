"""Hostile text in writes (POST /v1/tag, POST /v1/ingest): refused with a 422 naming the
field, quarantined, or stored as ingestion would store it; never a 5xx, never stored wrong."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.conftest import World, headers
from tests.fakes import FakeEncoder

PROBLEM = "application/problem+json"


@pytest.fixture
def loud_client(own_world: World) -> Any:
    """A writable client that answers server errors as responses (a 500 fails the test
    on its status, not on an exception)."""
    app = create_app(own_world.settings, encoder=FakeEncoder())
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _post(client: TestClient, path: str, body: str) -> Any:
    """POST raw JSON text (escapes such as ``\\udcff`` travel as written)."""
    return client.post(
        path,
        content=body.encode(),
        headers=headers("write") | {"content-type": "application/json"},
    )


def _ingest(client: TestClient, *comments: dict[str, Any]) -> Any:
    return client.post("/v1/ingest", json={"comments": list(comments)}, headers=headers("write"))


def _count(client: TestClient) -> int:
    return int(client.get("/v1/ready").json()["comments"])


def _stored(world: World, comment_id: str) -> dict[str, Any]:
    """The stored row of a comment, read from the store file."""
    with duckdb.connect(str(world.store), read_only=True) as con:
        found = con.execute(
            "SELECT id, text, segments, nps_score, theme_id, "
            "CAST(timezone('UTC', created_at) AS TEXT) AS created_at FROM comments WHERE id = ?",
            [comment_id],
        )
        names = [d[0] for d in found.description]
        rows = found.fetchall()
    assert len(rows) == 1, f"{comment_id!r} stored {len(rows)} times"
    return dict(zip(names, rows[0], strict=True))


def _refused(answer: Any, *loc: str) -> str:
    """The detail of a 422 problem whose first error is at ``body.comments.<loc>``."""
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert problem["errors"][0]["loc"] == ["body", "comments", *loc]
    return str(problem["detail"])


# JSON text of one comment (after "id": "s-1", "text": "ok"), with a lone surrogate.
SURROGATES = {
    "text": ('{"id": "s-1", "text": "bad \\udcff"}', ("text",)),
    "id": ('{"id": "s-1\\ud800", "text": "ok"}', ("id",)),
    "created_at": (
        '{"id": "s-1", "text": "ok", "created_at": "2026-01-01\\udcff"}',
        ("created_at",),
    ),
    "segment value": (
        '{"id": "s-1", "text": "ok", "segments": {"country": "N\\ud800"}}',
        ("segments",),
    ),
    "segment name": ('{"id": "s-1", "text": "ok", "segments": {"c\\udcff": "NL"}}', ("segments",)),
}


@pytest.mark.parametrize("field", list(SURROGATES))
def test_lone_surrogates_are_refused_naming_the_field_and_index(
    loud_client: TestClient, field: str
) -> None:
    comment, loc = SURROGATES[field]
    before = _count(loud_client)
    answer = _post(
        loud_client, "/v1/ingest", f'{{"comments": [{{"id": "ok", "text": "ok"}}, {comment}]}}'
    )
    assert "not valid Unicode" in _refused(answer, "1", *loc)
    assert _count(loud_client) == before
    if field in ("text", "id"):
        tagged = _post(loud_client, "/v1/tag", f'{{"comments": [{comment}], "store": true}}')
        assert "not valid Unicode" in _refused(tagged, "0", *loc)


@pytest.mark.parametrize(
    "comment",
    [
        '{"id": "k", "text": "ok", "segments": {"c\\udcff": 5}}',
        '{"id": "k", "text": "ok", "x\\ud800": 1}',
    ],
)
def test_a_surrogate_in_a_key_is_refused_with_its_comment_index(
    loud_client: TestClient, comment: str
) -> None:
    answer = _post(loud_client, "/v1/ingest", f'{{"comments": [{comment}]}}')
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"][:3] == ["body", "comments", "0"]


def test_nul_characters_never_reach_the_store(own_client: TestClient, own_world: World) -> None:
    answer = _ingest(
        own_client,
        {"id": "nul-1", "text": "broken\u0000export here", "segments": {"country": "N\u0000L"}},
    )
    assert answer.status_code == 200, answer.json()
    stored = _stored(own_world, "nul-1")
    assert stored["text"] == "brokenexport here"
    assert stored["segments"] == {"country": "NL"}
    tagged = own_client.post(
        "/v1/tag",
        json={"comments": [{"id": "nul-2", "text": "\u0000\u0000"}], "store": True},
        headers=headers("write"),
    )
    assert tagged.status_code == 200 and _stored(own_world, "nul-2")["text"] == ""


@pytest.mark.parametrize("bad", ["a\nb", "a\u0000b", "tab\there", "del\u007f"])
def test_ids_with_control_characters_are_refused(own_client: TestClient, bad: str) -> None:
    assert "control character" in _refused(_ingest(own_client, {"id": bad, "text": "x"}), "0", "id")
    tagged = own_client.post(
        "/v1/tag", json={"comments": [{"id": bad, "text": "x"}]}, headers=headers("read")
    )
    assert "control character" in _refused(tagged, "0", "id")


def test_ids_are_stripped_as_ingestion_strips_them(
    own_client: TestClient, own_world: World
) -> None:
    before = _count(own_client)
    assert _ingest(own_client, {"id": " pad-1 \n", "text": "first"}).status_code == 200
    assert _ingest(own_client, {"id": "pad-1", "text": "second"}).status_code == 200
    assert _count(own_client) == before + 1
    assert _stored(own_world, "pad-1")["text"] == "second"
    _refused(_ingest(own_client, {"id": "   ", "text": "blank id"}), "0", "id")
    twice = _ingest(own_client, {"id": "d", "text": "a"}, {"id": " d", "text": "b"})
    assert twice.status_code == 422 and "repeat" in twice.json()["detail"]
    tagged = own_client.post(
        "/v1/tag",
        json={"comments": [{"id": "  ", "text": "blank"}, {"id": " t-1 ", "text": "x"}]},
        headers=headers("read"),
    ).json()
    assert tagged["comments"][0]["id"].strip() and tagged["comments"][1]["id"] == "t-1"


@pytest.mark.parametrize(
    "segments",
    [
        {"": "x"},
        {" ": "x"},
        {"a:b": "x"},
        {"id": "other"},
        {"text": "x"},
        {"theme_id": "1"},
        {"created_at": "x"},
        {"country": "NL", " country": "BE"},
        {"line\nbreak": "x"},
    ],
    ids=str,
)
def test_segment_names_that_would_clash_are_refused(
    loud_client: TestClient, segments: dict[str, str]
) -> None:
    """A segment named like a comment field once overwrote it (``id`` stored the comment
    under another id, ``text`` replaced its text); a name with a colon cannot be filtered."""
    before = _count(loud_client)
    comment = {"id": "seg-1", "text": "The invoice was wrong", "segments": segments}
    assert "segment" in _refused(_ingest(loud_client, comment), "0", "segments")
    assert _count(loud_client) == before


def test_segments_are_stored_as_ingestion_stores_them(
    own_client: TestClient, own_world: World
) -> None:
    comment = {"id": "seg-2", "text": "ok", "segments": {" country ": " NL ", "plan": " "}}
    assert _ingest(own_client, comment).status_code == 200
    assert _stored(own_world, "seg-2")["segments"] == {"country": "NL"}


@pytest.mark.parametrize(
    ("field", "value"), [("nps_score", True), ("nps_score", False), ("csat", True)]
)
def test_boolean_scores_are_refused(own_client: TestClient, field: str, value: bool) -> None:
    answer = _ingest(own_client, {"id": "b-1", "text": "x", field: value})
    assert "boolean" in _refused(answer, "0", field)


def test_scores_as_numbers_in_any_spelling_are_stored(
    own_client: TestClient, own_world: World
) -> None:
    for i, score in enumerate(["7", "7.0", 7.0, 7]):
        assert (
            _ingest(own_client, {"id": f"n-{i}", "text": "x", "nps_score": score}).status_code
            == 200
        )
        assert _stored(own_world, f"n-{i}")["nps_score"] == 7


def test_created_at_outside_iso_8601_is_quarantined(
    own_client: TestClient, own_world: World
) -> None:
    """``now``, ``today`` and ``11/02/2026`` were stored, read by guesswork (the server's
    clock, month or day first)."""
    guesses = ["now", "today", "11/02/2026", "20261120", "1700000000"]
    comments = [{"id": f"g-{i}", "text": "x", "created_at": v} for i, v in enumerate(guesses)]
    kept = [
        {"id": "iso-1", "text": "x", "created_at": "2026-11-20T10:00:00+14:00"},
        {"id": "iso-2", "text": "x", "created_at": " 2026-11-20 10:00 "},
        {"id": "iso-3", "text": "x", "created_at": "  "},
    ]
    answer = _ingest(own_client, *comments, *kept)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["stored"] == 3
    assert body["quarantined"] == [
        {"index": i, "id": f"g-{i}", "reasons": ["created_at:unparseable_date"]}
        for i in range(len(guesses))
    ]
    assert _stored(own_world, "iso-1")["created_at"] == "2026-11-19 20:00:00"
    assert _stored(own_world, "iso-2")["created_at"] == "2026-11-20 10:00:00"
    assert _stored(own_world, "iso-3")["created_at"] is None


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        (
            "/v1/tag",
            {"comments": [{"text": "x", "segments": {"country": "NL"}}], "store": True},
            ["body", "comments", "0", "segments"],
        ),
        (
            "/v1/tag",
            {"comments": [{"text": "x", "created_at": "2026-01-01"}]},
            ["body", "comments", "0", "created_at"],
        ),
        (
            "/v1/ingest",
            {"comments": [{"id": "e", "text": "x", "create_at": "2026-01-01"}]},
            ["body", "comments", "0", "create_at"],
        ),
        ("/v1/ingest", {"comments": [{"id": "e", "text": "x"}], "store": False}, ["body", "store"]),
    ],
)
def test_unknown_fields_are_refused_not_dropped(
    own_client: TestClient, path: str, body: dict[str, Any], loc: list[str]
) -> None:
    """A misspelt or misplaced field was dropped: the comment stored without its date,
    segments or scores."""
    before = _count(own_client)
    answer = own_client.post(path, json=body, headers=headers("write"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == loc
    assert "Extra inputs" in answer.json()["detail"]
    assert _count(own_client) == before


def test_empty_and_markup_only_texts_are_stored_unassigned(
    own_client: TestClient, own_world: World
) -> None:
    texts = {"e-1": "", "e-2": " \n\t\u00a0 ", "e-3": "<p><br/></p>&nbsp;"}
    answer = _ingest(own_client, *({"id": i, "text": t} for i, t in texts.items()))
    assert answer.status_code == 200 and answer.json()["stored"] == 3
    for comment_id in texts:
        stored = _stored(own_world, comment_id)
        assert stored["text"] == "" and stored["theme_id"] == -1
