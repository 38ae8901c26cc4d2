"""Schemathesis fuzz of the OpenAPI schema against the running server: no request, however
malformed, may yield a server error (5xx). Bounded: a few examples per operation, no shrinking;
job-creating operations are left out (each example would start a job; their bodies are
checked by the API tests). Population ids are replaced by the session's real population so the
query parameters are fuzzed against real data."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from tests.service.conftest import CreatedPopulation, Server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def api_schema(server: Server, population: CreatedPopulation) -> Any:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    return schema.exclude(method="POST", path_regex="^/api/(populations|simulations|surveys)$")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_error(case: Any, server: Server, population: CreatedPopulation) -> None:
    if case.path_parameters and "pop_id" in case.path_parameters:
        case.path_parameters["pop_id"] = population.id  # fuzz the queries on real data
    for headers in ({"Authorization": f"Bearer {server.tokens['alice']}"}, {}):
        response = case.call(base_url=server.url, headers=headers, timeout=60)
        case.validate_response(response, checks=[not_a_server_error])
