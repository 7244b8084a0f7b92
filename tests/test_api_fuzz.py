"""Schemathesis over /api/v1/openapi.json with a scoped token: every operation, with values that fit
the document (positive) and values that do not (negative), must answer without a 5xx, with a status
the document lists for it, and with a body that matches the documented schema.

Bounded: a few examples per operation and mode (SCHEMATHESIS_EXAMPLES, default 4), hypothesis's
example database off, so a run is repeatable and takes a minute or two on two cores. A failure
names the operation, the request (as curl) and what was wrong.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PERSONAS = ("town",)
STATUSES = {}  # status → count over the run: the cases must reach the views, not only the checks in front  # 长岗镇平安办: reads every ledger of its town, writes some


@pytest.fixture
def wsgi_schema(world):
    """The document as the running app serves it; requests go straight to the WSGI app, inside the
    test's transaction (as Django's test client does, the end of a request does not close the
    database connection: on PostgreSQL that would end the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from safestar.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operation, mode, headers):
    failures = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(headers=headers)
        STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as exc:  # noqa: BLE001 — collected per operation, reported together
            failures.append(f"{operation.label} [{mode}] {exc}")

    run()
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_answers_as_documented(persona, wsgi_schema, world):
    from safestar.org.models import ApiToken, User

    _, token = ApiToken.issue(User.objects.get(username=persona))
    headers = {"Authorization": f"Bearer {token}"}
    failures = []
    for result in wsgi_schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _run(operation, mode, headers)
    assert not failures, "\n\n".join(failures[:20]) + f"\n\n共 {len(failures)} 个问题"
    assert STATUSES.get(200, 0) > 50 and STATUSES.get(422, 0) > 50, STATUSES
