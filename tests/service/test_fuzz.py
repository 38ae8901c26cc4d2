"""Schemathesis fuzz of the OpenAPI schema against the running server: no request, however
malformed, may yield a server error (5xx). Bounded: a few generated examples per operation, no
shrinking or example database; job-creating operations are left out (each example would start
a job; their bodies are checked by the API tests). Population ids are replaced by the session's
real population so the query parameters are fuzzed against real data.

Schemathesis' pytest plugin (``from_fixture``) does not run under pytest 9, so the operations'
strategies are drawn with hypothesis directly, one ``@given`` per operation."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from tests.service.conftest import CreatedPopulation, Server

pytestmark = pytest.mark.slow
EXAMPLES_PER_OPERATION = 4
JOB_ROUTES = "^/api/(populations|simulations|surveys)$"


def test_no_request_yields_a_server_error(server: Server,
                                          population: CreatedPopulation) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json").exclude(
        method="POST", path_regex=JOB_ROUTES)
    auth = {"Authorization": f"Bearer {server.tokens['alice']}"}
    checked: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            if case.path_parameters and "pop_id" in case.path_parameters:
                case.path_parameters["pop_id"] = population.id
            response = case.call(base_url=server.url, headers=auth, timeout=60)
            case.validate_response(response, checks=[not_a_server_error])

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 15, checked
