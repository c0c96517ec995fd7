"""Webhooks of owners, against a real receiver on 127.0.0.1: signed, retried, recorded."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cxtext.errors import ConfigError
from cxtext.loop import cases_to_open, load_routing, notify_run, sign
from cxtext.loop.notify import SIGNATURE_HEADER
from cxtext.store import Store
from tests.loop.test_cases import T0
from tests.store.frames import MANIFEST, MODEL, PARENTS, THEMES, VERSION, tagged_frame

SECRET = "s3cret"
RULES = """
[[rule]]
name = "unhappy"
groups = ["detractor"]
owner = "care"
follow_up_hours = 24

[[rule]]
name = "rest"
owner = "ops"
follow_up_hours = 72

[owners.care]
webhook = "{care}"

[owners.ops]
webhook = "{ops}"
"""


class Receiver(ThreadingHTTPServer):
    """Answers 500 to the first call about each case, 200 after; keeps what it got."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            case = json.loads(body)["case"]["case_id"]
            first = all(json.loads(b)["case"]["case_id"] != case for _, b in self.server.calls)
            self.server.calls.append((dict(self.headers), body))
        self.send_response(500 if first else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _free_url() -> str:
    probe = Receiver()
    url = probe.url
    probe.server_close()  # nothing listens there any more
    return url


def _run(tmp_path: Path, care: str, ops: str) -> tuple[Store, str, object]:
    path = tmp_path / "routing.toml"
    path.write_text(RULES.format(care=care, ops=ops))
    routing = load_routing(path, THEMES, PARENTS, segments=set())
    frame = tagged_frame(12)
    cases, _ = cases_to_open(frame, routing, themes=THEMES, model=MODEL, version=VERSION, now=T0)
    store = Store(tmp_path / "s.duckdb")
    run = store.write_tagged(
        frame, run={"kind": "tag"}, manifest=MANIFEST, themes=THEMES, parents=PARENTS, cases=cases
    )
    return store, run, routing


def _deliveries(store: Store) -> list[tuple]:
    with store.reader() as reader, reader.cursor() as cur:
        return cur.execute(
            "SELECT case_id, url, attempts, delivered, http_status, error FROM case_deliveries"
        ).fetchall()


def test_each_case_is_signed_retried_and_recorded(tmp_path: Path, receiver: Receiver) -> None:
    store, run, routing = _run(tmp_path, receiver.url, receiver.url)
    deliveries = notify_run(store, run, routing, SECRET, backoff_s=0.01)  # type: ignore[arg-type]
    assert len(deliveries) == 12 and all(d.delivered and d.attempts == 2 for d in deliveries)
    assert len(receiver.calls) == 24
    for headers, body in receiver.calls:
        assert headers[SIGNATURE_HEADER] == sign(body, SECRET)
        assert json.loads(body)["event"] == "case.opened"
    sent = {
        json.loads(b)["case"]["case_id"]: json.loads(b)["case"]["owner"] for _, b in receiver.calls
    }
    assert sent == {c["case_id"]: c["owner"] for c in store.cases_of_run(run)}
    recorded = _deliveries(store)
    assert len(recorded) == 12 and {r[2:5] for r in recorded} == {(2, True, 200)}


def test_a_receiver_that_is_down_loses_no_case(tmp_path: Path, receiver: Receiver) -> None:
    dead = _free_url()
    store, run, routing = _run(tmp_path, dead, receiver.url)
    deliveries = notify_run(store, run, routing, SECRET, backoff_s=0.01, timeout_s=2)  # type: ignore[arg-type]
    failed = [d for d in deliveries if not d.delivered]
    assert failed and all(d.url == dead and d.error for d in failed)
    assert failed[0].attempts == 4 and {d.attempts for d in failed[1:]} <= {1}
    assert len(store.cases_of_run(run)) == 12  # every case is stored all the same
    assert len(_deliveries(store)) == len(deliveries) == 12
    with pytest.raises(ConfigError, match="shared secret"):
        notify_run(store, run, routing, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("owners", "message"),
    [
        ('[owners.nobody]\nwebhook = "http://x"', r"\[owners.nobody\] is no rule's owner"),
        ('[owners.care]\nwebhook = "ftp://x"', "is not an http"),
        ('[owners.care]\nurl = "http://x"', "takes one key"),
    ],
)
def test_bad_owner_entries_are_errors(tmp_path: Path, owners: str, message: str) -> None:
    path = tmp_path / "routing.toml"
    path.write_text(RULES.split("[owners.care]")[0] + owners)
    with pytest.raises(ConfigError, match=message):
        load_routing(path, THEMES, PARENTS, segments=set())
