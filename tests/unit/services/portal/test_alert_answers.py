"""An alert as the portal answers it: the audit service's answer, as it crossed the broker."""
import json
from datetime import datetime, timezone

import pytest

from services.audit.alerts import shown
from services.audit.models import Alert
from services.portal.schemas.audit import AlertSchema, AlertsSchema
from shared.messaging.envelope import encode_body

RAISED = datetime(2026, 1, 6, 2, 10, 33, 123456, tzinfo=timezone.utc)


def an_alert(**changes) -> Alert:
    return Alert(**{"id": 41, "rule": "out_of_hours", "key": "ada", "la_code": "E08000035", "actor_username": "ada", "contactpoint_id": None,
                    "event_id": "e" * 32, "seq": 7, "raised_at": RAISED, "detail": {"hour": 2}, "status": "open", "investigated_by": None,
                    "investigated_at": None, "note": None, "count": 1, "last_seen_at": None, **changes})


def as_received(answer: dict) -> dict:
    return json.loads(encode_body(answer))


@pytest.mark.parametrize("alert", [
    an_alert(),
    an_alert(status="investigated", investigated_by="eve.auditor", investigated_at=RAISED.replace(hour=9), note="on call",
             count=4, last_seen_at=RAISED.replace(minute=50)),
], ids=["open", "investigated and repeated"])
def test_an_alert_is_answered_as_the_audit_service_gave_it_its_times_the_iso_text_they_came_as(alert):
    received = as_received(shown(alert))

    assert AlertSchema().dump(received) == received
    assert AlertsSchema().dump({"alerts": [received], "next_after_id": None, "next_before_id": None})["alerts"] == [received]
    assert received["raised_at"] == RAISED.isoformat()
