"""Misuse detection on the live audit stream: each rule fires on its case, not on ordinary use; alerts are published
on cp.alerts as <la_code>.<rule>, listed for auditors, and marked investigated with a note that is itself audited."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from kombu import Queue
from sqlalchemy import select

from contactpoint.cli import cli
from services.audit.models import Alert, RuleSetting
from shared.contracts.audit import audit_event
from shared.contracts.requests import INVESTIGATE_ALERT, LIST_ALERTS
from shared.messaging.connection import connect
from shared.messaging.publisher import Publisher
from shared.messaging.topology import ALERTS, AUDIT
from shared.messaging.consumer import MessageProcessor
from tests.integration.services.audit.conftest import ACTOR, as_received, lookups
from tests.support import unique, wait_until

pytestmark = pytest.mark.integration

TUESDAY_MORNING = datetime(2026, 11, 24, 10, 30, tzinfo=timezone.utc)
TUESDAY_NIGHT = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
AUDITOR = {"username": "ada.auditor", "la_code": "E08000035", "role": "auditor", "category": "security", "sees_sensitive": False}


def raised(audit) -> list[tuple[str, str]]:
    with audit.db.sessions() as session:
        return [(alert.rule, alert.key) for alert in session.scalars(select(Alert).order_by(Alert.id))]


def someone(n: int) -> dict:
    return {**ACTOR, "username": f"user-{n}"}


@pytest.fixture
def alerts_queue(audit_store):
    """A queue of the test's own bound to every alert, read after the audit service's outbox is sent."""
    queue = Queue(unique("test.alerts"), ALERTS, routing_key="#", auto_delete=False, durable=False)
    with connect(audit_store) as connection:
        bound = queue(connection.default_channel)
        bound.declare()
        yield bound
        bound.delete()


def test_ordinary_reads_in_office_hours_raise_nothing(audit, store):
    store(*lookups(10, at=TUESDAY_MORNING))
    store(*(lookups(1, actor=someone(n), child="CP-SHARED", at=TUESDAY_MORNING)[0] for n in range(3)))

    assert raised(audit) == []


def test_many_lookups_by_one_user_in_an_hour_raise_one_alert(audit, store):
    store(*lookups(60, at=TUESDAY_MORNING))

    assert raised(audit) == [("many_lookups", ACTOR["username"])]


def test_a_child_outside_the_users_la_whom_their_own_la_does_not_work_with_raises_an_alert(audit, store):
    store(*lookups(1, at=TUESDAY_MORNING, detail={"child_la_code": "E09000001", "shielded": False, "actor_involved": False}))

    assert raised(audit) == [("outside_la", ACTOR["username"])]


def test_a_child_outside_the_users_la_whom_their_own_la_works_with_raises_nothing(audit, store):
    store(*lookups(1, at=TUESDAY_MORNING, detail={"child_la_code": "E09000001", "shielded": False, "actor_involved": True}))

    assert raised(audit) == []


def test_a_shielded_record_viewed_raises_an_alert_published_as_la_and_rule(audit, store, alerts_queue):
    (read,) = store(*lookups(1, at=TUESDAY_MORNING, detail={"child_la_code": "E08000035", "shielded": True}))
    audit.send_outbox()

    message = wait_until(lambda: alerts_queue.get(no_ack=True, accept=["json"]), what="the alert on cp.alerts")

    assert message.delivery_info["routing_key"] == "E08000035.shielded_record"
    assert message.payload["event_id"] == read.message_id and message.payload["contactpoint_id"] == "CP-1"


def test_many_users_on_the_same_child_raise_one_alert(audit, store):
    store(*(lookups(1, actor=someone(n), child="CP-SHARED", at=TUESDAY_MORNING)[0] for n in range(6)))

    assert raised(audit) == [("many_users_on_child", "CP-SHARED")]


def test_a_lookup_out_of_hours_raises_an_alert(audit, store):
    store(*lookups(1, at=TUESDAY_NIGHT))

    assert raised(audit) == [("out_of_hours", ACTOR["username"])]


TUESDAY_ELEVEN_PM = datetime(2026, 11, 24, 23, 0, tzinfo=timezone.utc)


def test_out_of_hours_does_not_fire_for_an_emergency_duty_team_member_at_eleven_at_night(audit, store):
    store(*lookups(1, actor={**ACTOR, "username": "edt.worker", "category": "emergency_duty_team"}, at=TUESDAY_ELEVEN_PM))

    assert raised(audit) == []


def test_out_of_hours_fires_for_a_schools_practitioner_at_eleven_at_night(audit, store):
    store(*lookups(1, actor={**ACTOR, "username": "school.teacher", "category": "teacher"}, at=TUESDAY_ELEVEN_PM))

    assert raised(audit) == [("out_of_hours", "school.teacher")]


def test_an_las_own_hours_for_a_team_set_at_the_command_line_are_taken_from_the_store(audit, audit_store, store):
    done = CliRunner().invoke(cli, ["audit", "rule-setting", "--la", ACTOR["la_code"], "--rule", "out_of_hours", "--category", "social_worker",
                                    "--opens", "7", "--closes", "24", "--json"], env=audit_store.as_environment(), catch_exceptions=False)
    assert done.exit_code == 0, done.output

    store(*lookups(1, at=TUESDAY_ELEVEN_PM))
    store(*lookups(1, actor={**ACTOR, "username": "school.teacher", "category": "teacher"}, at=TUESDAY_ELEVEN_PM))

    assert raised(audit) == [("out_of_hours", "school.teacher")]
    with audit.db.sessions() as session:
        assert session.get(RuleSetting, (ACTOR["la_code"], "out_of_hours", "social_worker")).values["opens"] == 7


def test_a_rule_setting_that_says_nothing_the_rule_takes_is_refused_in_one_line(audit_store):
    done = CliRunner().invoke(cli, ["audit", "rule-setting", "--la", "*", "--rule", "shielded_record", "--at-least", "3"],
                              env=audit_store.as_environment())

    assert done.exit_code != 0


def test_repeats_of_a_rule_for_the_same_person_within_the_hour_are_one_alert_whose_rising_count_the_team_is_told(audit, store, alerts_queue):
    store(*lookups(4, at=TUESDAY_NIGHT))
    store(*lookups(2, at=TUESDAY_NIGHT.replace(minute=30)))
    audit.send_outbox()

    (alert,) = audit.perform(LIST_ALERTS, {"actor": AUDITOR, "filters": {"rule": "out_of_hours"}})["alerts"]
    assert alert["count"] == 6 and alert["actor"] == ACTOR["username"]
    told = []
    while len(told) < 6:
        told.append(wait_until(lambda: alerts_queue.get(no_ack=True, accept=["json"]), what="the alert and its repeats on cp.alerts"))
    assert {message.payload["alert_id"] for message in told} == {alert["alert_id"]}  # one alert, its copy updated
    assert [message.headers.get("type") or message.properties.get("type") for message in told] == \
        ["audit.alert_raised"] + ["audit.alert_repeated"] * 5
    assert [message.payload["count"] for message in told] == [1, 2, 3, 4, 5, 6]
    assert told[-1].delivery_info["routing_key"] == f"{ACTOR['la_code']}.out_of_hours"
    assert len({message.properties["message_id"] for message in told}) == 6


def test_repeats_stored_in_one_batch_are_one_alert_told_once_with_the_count_the_batch_ended_on(audit, alerts_queue):
    processor = MessageProcessor("audit", audit.unit_of_work, gate=audit.gate)
    (subscription,) = audit.routes.events
    first, later = lookups(3, at=TUESDAY_NIGHT), lookups(4, at=TUESDAY_NIGHT.replace(minute=20))
    for batch in (first, later):
        outcomes = processor.process_batch(subscription, [as_received(envelope, audit.gate.names) for envelope in batch])
        assert all(outcome.rejection is None for outcome in outcomes)
    audit.send_outbox()

    (alert,) = audit.perform(LIST_ALERTS, {"actor": AUDITOR, "filters": {"rule": "out_of_hours"}})["alerts"]
    assert alert["count"] == 7 and alert["last_seen_at"] == TUESDAY_NIGHT.replace(minute=20)
    told = [wait_until(lambda: alerts_queue.get(no_ack=True, accept=["json"]), what="the alert on cp.alerts") for _ in range(2)]
    assert [(message.properties.get("type"), message.payload["count"]) for message in told] == \
        [("audit.alert_raised", 3), ("audit.alert_repeated", 7)]


def test_an_auditor_lists_alerts_and_marks_one_investigated_which_is_itself_audited(audit, audit_store, store):
    store(*lookups(1, at=TUESDAY_NIGHT))
    investigations = Queue(unique("test.investigations"), AUDIT, routing_key="*.audit.alert_investigated", durable=False)
    with connect(audit_store) as connection:
        watched = investigations(connection.default_channel)
        watched.declare()
        try:
            (alert,) = audit.perform(LIST_ALERTS, {"actor": AUDITOR, "filters": {"status": "open"}})["alerts"]
            done = audit.perform(INVESTIGATE_ALERT, {"actor": AUDITOR, "alert_id": alert["alert_id"], "note": "night shift, on call"})
            audited = wait_until(lambda: watched.get(no_ack=True, accept=["json"]), what="the investigation in the audit stream")
        finally:
            watched.delete()

    assert (done["status"], done["investigated_by"], done["note"]) == ("investigated", "ada.auditor", "night shift, on call")
    assert audit.perform(LIST_ALERTS, {"actor": AUDITOR, "filters": {"status": "open"}})["alerts"] == []
    assert audited.payload["subject"] == str(alert["alert_id"]) and audited.payload["detail"]["note"] == "night shift, on call"


def test_alerts_through_the_portal_for_auditors_only(services, migrated, auditor, practitioner):
    shielded_read = audit_event("directory", "read", actor={**ACTOR, "username": unique("reader")}, subject="CP-PORTAL",
                                contactpoint_ids=["CP-PORTAL"], detail={"child_la_code": ACTOR["la_code"], "shielded": True})
    publisher = Publisher(lambda: connect(migrated.for_service("directory")))
    try:
        publisher.publish(shielded_read)
    finally:
        publisher.close()

    def listed():
        answer = auditor.get("/api/v1/audit/alerts", rule="shielded_record", status="open", limit=1000)
        assert answer.status_code == 200, answer.get_json()
        return next((a for a in answer.get_json()["alerts"] if a["event_id"] == shielded_read.message_id), None)

    alert = wait_until(listed, what="the alert listed for auditors")
    marked = auditor.post(f"/api/v1/audit/alerts/{alert['alert_id']}/investigation", json={"note": "checked with the team"})

    assert marked.status_code == 200, marked.get_json()
    assert marked.get_json()["status"] == "investigated"
    assert practitioner.get("/api/v1/audit/alerts").status_code == 403
    assert auditor.post("/api/v1/audit/alerts/999999999/investigation", json={"note": "x"}).status_code == 404
