"""Schemathesis against the OpenAPI schema: no server errors, responses match the schema.

Runs on a copy of the test store (ingest and activation write to it), with an admin key
so every operation is reachable.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.main import create_app
from tests.api.conftest import World, headers
from tests.fakes import FakeEncoder


@pytest.fixture(scope="module")
def api_schema(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    copy = tmp_path_factory.mktemp("fuzz") / "store.duckdb"
    shutil.copy(world.store, copy)
    app = create_app(world.settings.model_copy(update={"store": Path(copy)}), encoder=FakeEncoder())
    with TestClient(app):  # runs the lifespan: store, reader and models stay on app.state
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_errors_and_responses_match_the_schema(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    checked = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def run(case: schemathesis.Case) -> None:
            nonlocal checked
            case.call_and_validate(
                headers=headers("admin"),
                checks=[not_a_server_error, response_schema_conformance],
            )
            checked += 1

        run()
    assert checked >= 10 * len(operations) // 2
