"""Envelopes: unique ids, and bodies encoded as compact JSON with dates in ISO form."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from shared.messaging.envelope import Envelope, encode_body, new_message_id, utcnow


def test_every_envelope_gets_a_message_id_of_its_own():
    ids = {Envelope("cp.events", "probe.note", {}).message_id for _ in range(100)}

    assert len(ids) == 100
    assert all(len(message_id) == 32 for message_id in ids)


def test_new_message_ids_are_never_repeated():
    assert len({new_message_id() for _ in range(1000)}) == 1000


def test_a_body_is_encoded_as_compact_json():
    assert encode_body({"a": 1, "b": [True, None]}) == b'{"a":1,"b":[true,null]}'


def test_dates_and_times_are_encoded_in_iso_form():
    moment = datetime(2024, 1, 10, 9, 30, tzinfo=timezone(timedelta(hours=1)))

    decoded = json.loads(encode_body({"at": moment, "on": date(2012, 3, 4)}))

    assert decoded == {"at": "2024-01-10T09:30:00+01:00", "on": "2012-03-04"}


def test_text_outside_ascii_survives_the_round_trip():
    assert json.loads(encode_body({"name": "Zoë Ó Súilleabháin"})) == {"name": "Zoë Ó Súilleabháin"}


def test_a_value_json_cannot_hold_is_refused_rather_than_mangled():
    with pytest.raises(TypeError, match="Decimal"):
        encode_body({"amount": Decimal("1.5")})


def test_an_envelope_encodes_its_body():
    envelope = Envelope("cp.events", "probe.note", {"on": date(2020, 2, 29)})

    assert envelope.encode() == b'{"on":"2020-02-29"}'


def test_a_body_encoded_already_is_sent_as_it_is():
    stored = b'{"on": "2020-02-29"}'

    assert Envelope("cp.events", "probe.note", stored).encode() is stored


def test_utcnow_is_timezone_aware_and_in_utc():
    assert utcnow().utcoffset() == timedelta(0)
