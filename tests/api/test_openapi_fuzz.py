"""Schemathesis against the OpenAPI schema: no server errors, responses match the schema,
and no answer shows where the server keeps its files.

Runs on a copy of the test store (ingest and activation write to it), with an admin key
so every operation is reachable. Dates are drawn with the calendar's first and last days
(0001-01-01, 9999-12-31) among them, and segment filters from the schema's pattern.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.main import create_app
from tests.api.conftest import World, headers
from tests.fakes import FakeEncoder

EXTREME_DATES = ("0001-01-01", "9999-12-31")
schemathesis.openapi.format(
    "date", st.one_of(st.sampled_from(EXTREME_DATES), st.dates().map(date.isoformat))
)


@pytest.fixture(scope="module")
def api_schema(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    copy = tmp_path_factory.mktemp("fuzz") / "store.duckdb"
    shutil.copy(world.store, copy)
    app = create_app(world.settings.model_copy(update={"store": Path(copy)}), encoder=FakeEncoder())
    with TestClient(app):  # runs the lifespan: store, reader and models stay on app.state
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_errors_and_responses_match_the_schema(
    api_schema: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    server_folder = str(tmp_path_factory.getbasetemp())
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    checked = 0
    seen: Counter[str] = Counter()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def run(case: schemathesis.Case) -> None:
            nonlocal checked
            response = case.call_and_validate(
                headers=headers("admin"),
                checks=[not_a_server_error, response_schema_conformance],
            )
            assert server_folder not in response.text, response.text
            query = case.query or {}
            seen["extreme date"] += any(
                query.get(name) in EXTREME_DATES for name in ("date_from", "date_to")
            )
            seen["segment"] += bool(query.get("segment"))
            checked += 1

        run()
    assert checked >= 10 * len(operations) // 2
    assert seen["extreme date"] and seen["segment"], seen
