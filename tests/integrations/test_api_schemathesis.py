"""Property-based checks of every API operation, generated from the OpenAPI document the code produces.

For each operation and each role (anonymous, a company member, a consultant, staff, each with their own API
token), schemathesis generates valid and invalid requests and sends them to the WSGI app in process. Every
answer must be no 5xx, declared in the schema (status, content type, body), and must never contain another
role's data (tests/integrations/api_world.py: FORBIDDEN). Bounded: a few examples per operation and role.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integrations.api_world import FORBIDDEN, build_api_world

ROLES = ("anonymous", "member", "consultant", "staff")
EXAMPLES = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.API_RATE_LIMIT = 100_000
    # As Django's test client does: the end of a request must not close the test's database connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _operations(schema):
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) >= 18, [op.label for op in ops]
    return ops


def _leaks(role: str, body: str) -> list[str]:
    return [s for s in FORBIDDEN[role] if s in body]


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_its_schema_says_and_leaks_nothing(api_schema, role):
    world = build_api_world()
    headers = {"Authorization": f"Bearer {world.api_tokens[role]}"} if role != "anonymous" else {}
    # Besides random ids and slugs (mostly 404s), each operation with path parameters is also tried on real
    # objects: the consultant's slug and the owning company's booking, so queries and bodies reach the services.
    real = {"slug": world.objects["consultant_profile"].slug, "booking_id": world.objects["booking"].pk}
    for operation in _operations(api_schema):
        names = {p.name for p in operation.path_parameters}
        passes = [(mode, None) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if names:
            passes.append((GenerationMode.POSITIVE, {name: real[name] for name in names}))
        for mode, path_parameters in passes:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @given(case=strategy)
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)
                leaked = _leaks(role, response.text)
                assert not leaked, f"{role} {operation.label}: leaks {leaked}"

            run()
