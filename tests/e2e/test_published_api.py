"""The OpenAPI document tells the truth: an outside fuzzer (schemathesis) reads ``/api/openapi.json`` from the running
portal, sends every operation requests made from it, valid and not, as a practitioner and as an LA administrator, and
each answer must be one the document gives that operation, in the shape and content type it gives; none a server error."""
from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.errors import FailureGroup


pytestmark = pytest.mark.e2e

LA = "E08000035"
TODAY = "2026-01-05"
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.response_schema_conformance, checks.content_type_conformance]
# About two minutes in all: so many requests of each kind (valid, invalid) an operation, for each of the two people.
EXAMPLES = 8
# Signing out ends the session every other request needs; it answers 204 or 401, which its own tests show.
LEFT_OUT = {("POST", "/api/v1/auth/logout")}


def token_of(system, role: str, category: str) -> str:
    return system.login(system.add_account(role, category, LA)).headers["Authorization"]


def failures_of(operation, base_url: str, authorization: str, mode: GenerationMode, statuses: Counter) -> list[str]:
    found: list[str] = []

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        try:
            answer = case.call_and_validate(base_url=base_url, headers={"Authorization": authorization}, checks=CHECKS, timeout=15)
            statuses[answer.status_code] += 1
        except FailureGroup as failures:  # each says what was sent, what came back and how to repeat it
            found.append(str(failures))

    try:
        answers_as_documented()
    except Unsatisfiable:  # nothing invalid can be made for an operation that takes nothing
        assert mode is GenerationMode.NEGATIVE
    return found


@pytest.mark.timeout(600)  # about two minutes on a quiet machine; the fuzzer's requests each cross the broker to a service
def test_every_answer_of_every_operation_is_as_the_openapi_document_says(system):
    people = {role: token_of(system, role, category) for role, category in (("practitioner", "social_worker"), ("la_admin", "la_contactpoint_team"))}
    schema = schemathesis.openapi.from_url(f"{system.base_url}/api/openapi.json")

    failures, statuses = [], Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in LEFT_OUT:
            continue
        for role, authorization in people.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += [f"{role}, {mode.value}: {found}" for found in failures_of(operation, system.base_url, authorization, mode, statuses)]

    assert not failures, f"{len(failures)} answers differ from the document:\n\n" + "\n\n".join(failures[:20])
    # The people's tokens held throughout: services answered, and refused what was not valid.
    assert statuses[200] and statuses[400] and statuses[404], statuses
