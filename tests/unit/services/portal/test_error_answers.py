"""Refusals as the page and other front-ends receive them: which field of the request each is about, and the search's
guidance the same as the rule the directory enforces."""
import re

import pytest

from contactpoint.keys import with_fresh_keys
from services.directory.rules import SAID, SUFFICIENT_CRITERIA
from services.portal.bootstrap import create_app
from services.portal.errors import domain_error
from shared.errors import DomainError, InvalidRequest
from shared.settings import Settings


@pytest.fixture
def app():
    return create_app(with_fresh_keys(Settings(amqp_url="memory://", redis_url="memory://")))


def answer_to(app, refusal, path="/api/v1/children/search", **request):
    with app.test_request_context(path, **request):
        return domain_error(refusal).get_json()["error"]


def test_a_refusal_is_about_the_field_of_the_request_its_message_begins_with(app):
    refusal = InvalidRequest("family_name must be a whole name of at least 2 letters", code="criteria_too_weak")

    assert answer_to(app, refusal, query_string={"family_name": "A", "purpose": "wellbeing"})["field"] == "family_name"


def test_a_refusal_whose_first_word_is_no_field_of_the_request_names_none(app):
    too_weak = InvalidRequest("these details are not enough to identify one child: add date of birth", code="criteria_too_weak")
    about_another = InvalidRequest("postcode must be a whole UK postcode", code="criteria_too_weak")

    assert "field" not in answer_to(app, too_weak, query_string={"family_name": "Smith"})
    assert "field" not in answer_to(app, about_another, query_string={"family_name": "Smith"})


def test_a_refusal_that_names_its_field_in_its_details_is_about_that_field(app):
    refusal = InvalidRequest("the name is taken", details={"field": "source_id"})

    assert answer_to(app, refusal, method="POST", json={"source_id": "leeds-yot"})["field"] == "source_id"


@pytest.mark.parametrize("role", ["practitioner", "approver"])
def test_an_account_that_reads_records_is_refused_without_vetting_dates_naming_the_date_missing(app, role):
    answer = app.test_client().post("/api/v1/accounts", json={"username": "new", "email": "new@example.org", "category": "teacher", "role": role,
                                                              "trained_on": "2026-01-05"})

    assert answer.status_code == 400
    assert answer.json["error"]["field"] == "disclosure_on"
    assert "--" not in answer.json["error"]["message"]


def test_an_la_administrator_needs_no_vetting_dates_to_be_asked_for(app):
    answer = app.test_client().post("/api/v1/accounts", json={"username": "new", "email": "new@example.org", "category": "la_contactpoint_team",
                                                              "role": "la_admin"})

    assert answer.status_code == 401


def test_the_search_guidance_lists_exactly_the_criteria_enough_to_search(app):
    page = app.test_client().get("/").text
    guidance = re.search(r'<ul[^>]*id="enough-to-search"[^>]*>(.*?)</ul>', page, re.S).group(1)
    listed = {frozenset(re.split(r", | and ", item.strip())) for item in re.findall(r"<li>(.*?)</li>", guidance)}

    assert listed == {frozenset(SAID[name] for name in rule) for rule in SUFFICIENT_CRITERIA}


def test_the_openapi_document_gives_each_operation_its_refusals_in_the_shape_they_are_answered(app):
    document = app.test_client().get("/api/openapi.json").json
    error = document["components"]["schemas"]["Error"]
    refusal = document["components"]["schemas"]["Refusal"]
    operations = [operation for path in document["paths"].values() for operation in path.values() if "responses" in operation]

    assert error["required"] == ["error"] and refusal["required"] == ["code", "message"]
    assert set(refusal["properties"]) == {"code", "message", "field"}
    for operation in operations:
        assert "default" not in operation["responses"]
        assert {"401", "403", "503"} <= set(operation["responses"])
        for status, response in operation["responses"].items():
            if status >= "400":
                schema = response.get("content", {}).get("application/json", {}).get("schema") or document["components"]["responses"][
                    response["$ref"].rsplit("/", 1)[1]]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (operation["summary"], status)


def test_invalid_arguments_are_answered_400_naming_the_field_as_the_document_says(app):
    answer = app.test_client().get("/api/v1/audit/events", query_string={"limit": "many"})

    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_request" and answer.json["error"]["field"] == "limit"


def test_a_handlers_unexpected_failure_is_a_server_error_without_its_text(app):
    failure = DomainError("DataError: (psycopg.errors.NumericValueOutOfRange) bigint out of range [SQL: SELECT ...]", code="handler_failed")

    with app.test_request_context("/api/v1/reviews"):
        answer = domain_error(failure)

    assert answer.status_code == 500
    assert "SQL" not in answer.get_data(as_text=True)


def test_an_la_teams_contact_holding_a_control_character_is_refused_naming_its_field(app):
    answer = app.test_client().put("/api/v1/la-team", json={"name": "Leeds\tteam", "phone": "0113 496 0000"})

    assert answer.status_code == 400
    assert answer.json["error"]["field"] == "name" and "control characters" in answer.json["error"]["message"]


def test_a_nul_anywhere_in_a_request_is_refused_before_any_service_is_asked(app):
    client = app.test_client()

    assert client.post("/api/v1/sources", data='{"source_id": "leeds", "name": "a\\u0000b", "kinds": ["school"]}',
                       content_type="application/json").status_code == 400
    assert client.get("/api/v1/children/search", query_string={"family_name": "a\x00b"}).status_code == 400
    assert client.post("/api/v1/accounts/a%00b/unlock").status_code == 404
