"""Routing a delivery to its subscription, and translating a kombu message into an envelope."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from kombu import Queue

from shared.messaging.consumer import Subscription, UndecodableMessage, envelope_of, route

QUEUE = Queue("probe.rpc")


def handler(uow, payload, envelope):
    return None


def subscribed(routing_key):
    return Subscription(QUEUE, handler, routing_key=routing_key)


def message(body=b'{"text": "hello"}', headers=None, delivery_info=None, **properties):
    properties.setdefault("message_id", "m-1")
    return SimpleNamespace(
        properties=properties,
        body=body,
        headers=headers,
        delivery_info=delivery_info if delivery_info is not None else {"exchange": "cp.feeds", "routing_key": "yot-leeds.youth_offending"},
    )


def test_a_routing_key_goes_to_the_subscription_that_names_it_before_any_catch_all():
    catch_all, add, remove = subscribed(None), subscribed("probe.add"), subscribed("probe.remove")

    assert route([catch_all, add, remove], "probe.remove") is remove
    assert route([catch_all, add, remove], "probe.add") is add


def test_a_routing_key_nobody_names_goes_to_the_catch_all():
    catch_all, add = subscribed(None), subscribed("probe.add")

    assert route([add, catch_all], "probe.other") is catch_all


def test_a_routing_key_nobody_handles_routes_nowhere():
    assert route([subscribed("probe.add")], "probe.other") is None
    assert route([], "probe.add") is None


def test_a_message_becomes_an_envelope_with_its_body_delivery_and_properties():
    envelope = envelope_of(message(
        headers={"x-trace": "abc"}, type="feeds.message", user_id="yot-leeds", reply_to="rpc.reply.1", correlation_id="c-9",
    ))

    assert envelope.body == {"text": "hello"}
    assert (envelope.exchange, envelope.routing_key) == ("cp.feeds", "yot-leeds.youth_offending")
    assert (envelope.message_id, envelope.type, envelope.user_id) == ("m-1", "feeds.message", "yot-leeds")
    assert (envelope.reply_to, envelope.correlation_id) == ("rpc.reply.1", "c-9")
    assert envelope.headers == {"x-trace": "abc"}


def test_a_message_without_optional_properties_gets_empty_defaults():
    envelope = envelope_of(message(delivery_info={}))

    assert (envelope.exchange, envelope.routing_key, envelope.type) == ("", "", "")
    assert envelope.headers == {}
    assert (envelope.user_id, envelope.reply_to, envelope.correlation_id) == (None, None, None)


def test_the_envelope_holds_its_own_copy_of_the_headers():
    headers = {"x-trace": "abc"}
    envelope_of(message(headers=headers)).headers["x-trace"] = "changed"

    assert headers == {"x-trace": "abc"}


@pytest.mark.parametrize("message_id", [None, ""])
def test_a_message_without_a_message_id_cannot_be_decoded(message_id):
    with pytest.raises(UndecodableMessage, match="message_id"):
        envelope_of(message(message_id=message_id))


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\xfa", b""], ids=["broken", "not-utf8", "empty"])
def test_a_body_that_is_not_json_cannot_be_decoded(body):
    with pytest.raises(UndecodableMessage, match="not JSON"):
        envelope_of(message(body=body))


@pytest.mark.parametrize("body", [[1, 2], "text", 17, None], ids=["list", "string", "number", "null"])
def test_a_body_that_is_json_but_not_an_object_cannot_be_decoded(body):
    with pytest.raises(UndecodableMessage, match="not a JSON object"):
        envelope_of(message(body=json.dumps(body).encode()))
