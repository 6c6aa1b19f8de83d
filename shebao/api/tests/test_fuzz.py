"""Property-based fuzzing of the whole REST API from its own OpenAPI schema.

Every operation at /api/v1/ is called in-process through the WSGI application (no server, no
network) with requests generated from the schema: valid ones and deliberately invalid ones.
Each response must not be a server error and must match what the schema declares for that
operation (a documented status code, the declared content type and body schema).

The schema is read from the running application, so a new or changed endpoint is fuzzed
without touching this file. The run is deterministic (fixed seed, derandomised generation,
no example database, no shrinking) and bounded (MAX_EXAMPLES per operation), so a failure
reproduces with the same command and the file stays fast enough for every CI run.
"""

from __future__ import annotations

import logging
import traceback
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode, checks
from schemathesis.core.parameters import ParameterLocation

from config.wsgi import application
from shebao.benefits.models import Injury, Pension
from shebao.core.actors import system_actor
from shebao.core.models import Agency, Staff, User
from shebao.core.services import api_token_issue
from shebao.documents.models import IssuedDocument
from shebao.registry.models import Employer, Person
from shebao.reports import selectors as figures
from shebao.rules.calc import load_calculators
from shebao.services.models import Case

MAX_EXAMPLES = 20
SEED = 20261207

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",  # valid requests and deliberately invalid ones
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "no-shrink": True,
            "database": "none",
            # The token is sent by the test; generated credentials would only test the 401.
            "with-security-parameters": False,
        },
        # Schema examples and random fuzzing; the coverage phase enumerates boundary values of
        # every parameter without a bound on their number, and stateful links are not declared.
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.fixture
def admin_token(demo) -> str:
    """A bearer token of the demo province administrator, unthrottled for the fuzzing."""
    _row, token = api_token_issue(
        actor=system_actor("tests"),
        user=User.objects.get(username="admin"),
        label="fuzz",
        rate_limit_per_minute=1_000_000,
    )
    return token


@pytest.fixture
def demo_keys(demo) -> dict[str, list[Any]]:
    """The identifiers of real demo records, per path parameter name.

    Random identifiers almost never name a record, so the operations would only ever answer
    404; half of the valid examples are pointed at a real record instead."""
    return {
        name: sorted(values)
        for name, values in {
            "person_id": Person.objects.values_list("pk", flat=True),
            "employer_id": Employer.objects.values_list("pk", flat=True),
            "case_id": Case.objects.values_list("pk", flat=True),
            "pension_id": Pension.objects.values_list("pk", flat=True),
            "injury_id": Injury.objects.values_list("pk", flat=True),
            "username": Staff.objects.values_list("user__username", flat=True),
            "code": IssuedDocument.objects.values_list("code", flat=True),
            "agency_code": Agency.objects.values_list("code", flat=True),
            "name": load_calculators().keys(),
            "slug": figures.FIGURES,
        }.items()
        if values
    }


def _point_at_demo_records(case: Any, demo_keys: dict[str, list[Any]]) -> None:
    """Replace every other valid path identifier with a real one, chosen from the generated
    value so that the run stays deterministic."""
    if case.meta is None:
        return
    component = case.meta.components.get(ParameterLocation.PATH)
    if component is None or component.mode != GenerationMode.POSITIVE:
        return
    for name, value in case.path_parameters.items():
        known = demo_keys.get(name)
        if not known:
            continue
        pick = zlib.crc32(str(value).encode())
        if pick % 2 == 0:
            case.path_parameters[name] = known[pick // 2 % len(known)]


class _Tracebacks(logging.Handler):
    """Keeps the traceback of every exception logged while a request runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.seen.append("".join(traceback.format_exception(*record.exc_info)))


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """Run the requests inside the test's transaction and collect the traceback of any
    exception a view raised, to show with a server error.

    Django closes the database connection when a request starts and finishes; the test
    client switches that off, and so must these in-process WSGI calls, or the first request
    would drop the test's transaction and the demo data with it."""
    handler = _Tracebacks()
    root = logging.getLogger()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    root.addHandler(handler)
    try:
        yield handler.seen
    finally:
        root.removeHandler(handler)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
# The token and the signal wiring are meant to be shared by all the examples of an operation;
# the savepoint below is what keeps the examples apart.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_operation_honours_its_schema(case, admin_token, demo_keys, server_errors):
    # Each example runs in a savepoint rolled back afterwards, so what one example creates
    # (a case, a payment, an employer) never changes what the next one sees: every example
    # starts from the seeded demo data and a failure reproduces on its own. The savepoint is
    # marked like the test's own transaction so the services' durable blocks still open in it.
    _point_at_demo_records(case, demo_keys)
    savepoint = transaction.atomic()
    savepoint._from_testcase = True  # type: ignore[attr-defined]
    server_errors.clear()
    with savepoint:
        response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
        transaction.set_rollback(True)
    try:
        case.validate_response(response, checks=CHECKS)
    except BaseException as failure:  # the checks raise an exception group
        for error in server_errors:
            failure.add_note("The view raised:\n" + error)
        raise
