"""Counting a confirm-mode channel's publishes against the broker's acks, without waiting after each one."""
from collections import defaultdict

import pytest

from shared.messaging.publisher import _Confirms


class FakeChannel:
    def __init__(self):
        self.events = defaultdict(set)
        self.sent = []
        self.basic_publish = self.sent.append


class FakeConnection:
    """Delivers the acks queued for it, one per ``drain_events``, as the broker would."""

    def __init__(self, channel, acks):
        self._channel, self._acks = channel, list(acks)

    def drain_events(self, timeout):
        if not self._acks:
            raise TimeoutError("nothing more from the broker")
        kind, tag, multiple = self._acks.pop(0)
        for callback in self._channel.events[kind]:
            callback(tag, multiple)


def published(count):
    channel = FakeChannel()
    confirms = _Confirms(channel)
    for n in range(count):
        channel.basic_publish(n)
    return channel, confirms


def test_acks_one_by_one_in_any_order_confirm_the_batch():
    channel, confirms = published(3)

    confirms.wait_for_all(FakeConnection(channel, [("basic_ack", 2, False), ("basic_ack", 3, False), ("basic_ack", 1, False)]), timeout=5)

    assert channel.sent == [0, 1, 2]


def test_one_multiple_ack_confirms_every_tag_up_to_it():
    channel, confirms = published(50)

    confirms.wait_for_all(FakeConnection(channel, [("basic_ack", 50, True)]), timeout=5)


def test_a_later_batch_waits_only_for_its_own_acks():
    channel, confirms = published(2)
    confirms.wait_for_all(FakeConnection(channel, [("basic_ack", 2, True)]), timeout=5)
    channel.basic_publish("third")

    confirms.wait_for_all(FakeConnection(channel, [("basic_ack", 3, False)]), timeout=5)


def test_a_missing_ack_is_not_taken_for_a_confirm():
    channel, confirms = published(3)

    with pytest.raises(TimeoutError):
        confirms.wait_for_all(FakeConnection(channel, [("basic_ack", 1, False), ("basic_ack", 3, False)]), timeout=5)


def test_a_refusal_by_the_broker_fails_the_batch():
    channel, confirms = published(2)

    with pytest.raises(RuntimeError, match="refused"):
        confirms.wait_for_all(FakeConnection(channel, [("basic_ack", 1, False), ("basic_nack", 2, False)]), timeout=5)
