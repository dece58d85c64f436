"""Faults sorted by what should happen next, and refusals that cross the broker as dictionaries."""
from __future__ import annotations

import importlib

import pytest
import redis
from sqlalchemy.exc import DBAPIError, OperationalError

from shared import errors
from shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidRequest,
    NotAuthenticated,
    NotFound,
    Throttled,
    TransientError,
    Unavailable,
    error_from,
    first_fault,
    is_transient,
)

SERVICE_ERROR_MODULES = ("services.identity.errors", "services.directory.errors", "services.feeds.errors", "services.audit.errors")


def test_a_refusal_says_its_code_its_kind_and_its_message():
    assert NotFound("no such child").as_dict() == {"code": "not_found", "kind": "not_found", "message": "no such child"}


def test_a_refusal_with_its_own_code_keeps_the_kind_it_belongs_to():
    refusal = Forbidden("not your LA", code="wrong_la")

    assert refusal.code == "wrong_la"
    assert refusal.as_dict()["kind"] == "forbidden"
    assert Forbidden("other").code == "forbidden"


def test_a_refusal_carries_its_details_only_when_it_has_some():
    assert InvalidRequest("bad", details={"field": ["wrong"]}).as_dict()["details"] == {"field": ["wrong"]}
    assert "details" not in InvalidRequest("bad").as_dict()


def test_every_refusal_is_something_the_command_line_may_show_as_one_line():
    assert issubclass(DomainError, errors.ContactPointError)
    assert issubclass(errors.ConfigurationError, errors.ContactPointError)
    assert str(Conflict("already there")) == "already there"


# Only kinds no service subclasses: see the expected failure below for the others.
@pytest.mark.parametrize("kind", [Throttled, Unavailable, DomainError])
def test_a_refusal_rebuilt_from_its_answer_has_the_same_kind_code_message_and_details(kind):
    original = kind("try later", code="special", details={"after": 30})

    rebuilt = error_from(original.as_dict())

    assert type(rebuilt) is kind
    assert (rebuilt.code, rebuilt.message, rebuilt.details) == ("special", "try later", {"after": 30})


def test_a_refusal_of_an_unknown_kind_is_rebuilt_as_a_plain_refusal_with_its_code():
    rebuilt = error_from({"kind": "from_the_future", "code": "new_rule", "message": "refused for a new reason"})

    assert type(rebuilt) is DomainError
    assert (rebuilt.code, rebuilt.message) == ("new_rule", "refused for a new reason")


def test_an_answer_with_nothing_in_it_is_still_a_refusal():
    rebuilt = error_from({})

    assert (rebuilt.code, rebuilt.message) == ("refused", "refused")


def test_a_service_specific_refusal_is_rebuilt_as_its_shared_kind_keeping_its_code():
    from services.feeds.errors import SourceNotAllowed

    refusal = SourceNotAllowed("not a registered source")
    rebuilt = error_from(refusal.as_dict())

    assert type(rebuilt) is Forbidden
    assert (rebuilt.code, rebuilt.message) == (refusal.code, "not a registered source")


@pytest.mark.parametrize("kind", [InvalidRequest, NotAuthenticated, Forbidden, NotFound, Conflict])
def test_a_shared_refusal_is_rebuilt_as_itself_even_where_services_define_refusals_of_that_kind(kind):
    for module in SERVICE_ERROR_MODULES:
        importlib.import_module(module)

    rebuilt = error_from(kind("the message").as_dict())

    assert isinstance(rebuilt, kind)
    assert rebuilt.message == "the message"


# Lost connections, timeouts and conflicts are worth another attempt; bugs, bad input and broken rules are not.
@pytest.mark.parametrize("fault, worth_another_attempt", [
    (TransientError("serialisation conflict"), True),
    (ConnectionError("reset"), True),
    (ConnectionRefusedError("refused"), True),
    (TimeoutError("slow"), True),
    (OperationalError("SELECT 1", {}, Exception("server closed the connection")), True),
    (DBAPIError("SELECT 1", {}, Exception("terminated"), connection_invalidated=True), True),
    (redis.exceptions.ConnectionError("redis gone"), True),
    (redis.exceptions.TimeoutError("redis slow"), True),
    (ValueError("bug"), False),
    (KeyError("child"), False),
    (InvalidRequest("bad input"), False),
    (Conflict("broken rule"), False),
    (DBAPIError("SELECT 1", {}, Exception("syntax error")), False),
    (redis.exceptions.ResponseError("WRONGTYPE"), False),
], ids=lambda value: f"{type(value).__module__}.{type(value).__name__}" if isinstance(value, BaseException) else None)
def test_a_fault_is_worth_another_attempt_only_where_trying_again_may_succeed(fault, worth_another_attempt):
    assert is_transient(fault) == worth_another_attempt


def test_the_first_nested_fault_is_named_by_its_path():
    faults = {"child": {"address": {"postcode": ["'XX' is not a UK postcode"]}}, "sequence": ["Missing data."]}

    assert first_fault(faults) == "child.address.postcode: 'XX' is not a UK postcode"


def test_a_fault_in_a_list_item_is_named_by_its_index():
    assert first_fault({"carers": {0: {"name": ["Missing data."]}}}) == "carers.0.name: Missing data."


def test_a_fault_without_a_field_is_given_as_it_is():
    assert first_fault(["an upsert must describe the child"]) == "an upsert must describe the child"
    assert first_fault("plain") == "plain"
