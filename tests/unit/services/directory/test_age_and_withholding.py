"""Age rules and the withholding table: a child leaves the directory at 18 (25 with consent), is archived, then deleted;
a reader never sees what a rule withholds."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from services.directory.handlers import archive_leavers, delete_expired_archive, hold_children, row_of
from services.directory.models import ArchivedChild, Base, Child, SearchKey
from services.directory.queries import search
from services.directory.rules import RETENTION_YEARS, WITHHOLDING, archive_deleted_before, latest_birth_date_gone, leaves_directory_on, withhold
from services.directory.schedule import SCHEDULE
from shared.contracts.children import ChildMergedSchema
from shared.contracts.requests import ARCHIVE_LEAVERS, DELETE_EXPIRED_ARCHIVE
from shared.scheduling import schedules
from contactpoint.commands.common import operator

TODAY = date(2026, 11, 1)


class FakeUnitOfWork:
    def __init__(self, session):
        self.session = session
        self.emitted = []

    def emit(self, *envelopes) -> None:
        self.emitted.extend(envelopes)


@pytest.fixture
def uow(session_for):
    return FakeUnitOfWork(session_for(Base))


def snapshot(contactpoint_id: str, born: date, retain_to_25: bool = False, version: int = 1) -> dict:
    return ChildMergedSchema().load({
        "contactpoint_id": contactpoint_id, "version": version, "la_code": "E08000035", "active": True, "retain_to_25": retain_to_25,
        "demographics": {
            "family_name": "Smith", "given_names": ["Amy"], "date_of_birth": born.isoformat(), "gender": "female",
            "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": "LS1 4AP"}, "identifiers": {},
        },
    })


def held_ids(uow) -> list[str]:
    return sorted(uow.session.scalars(select(Child.contactpoint_id)))


@pytest.mark.parametrize("born, retain_to_25, leaves", [
    (date(2010, 3, 4), False, date(2028, 3, 4)),
    (date(2010, 3, 4), True, date(2035, 3, 4)),
    (date(2008, 2, 29), False, date(2026, 3, 1)),
    (date(2008, 2, 29), True, date(2033, 3, 1)),
], ids=["18th-birthday", "25th-with-consent", "leap-day-18", "leap-day-25"])
def test_a_child_leaves_the_directory_on_their_18th_birthday_or_25th_with_consent(born, retain_to_25, leaves):
    assert leaves_directory_on(born, retain_to_25) == leaves
    assert latest_birth_date_gone(leaves, retain_to_25) >= born
    assert latest_birth_date_gone(date.fromordinal(leaves.toordinal() - 1), retain_to_25) < born


def test_children_past_18_or_25_with_consent_are_archived_and_no_longer_found(uow):
    for contactpoint_id, born, retain in [
        ("CP-18-TODAY", date(2008, 11, 1), False), ("CP-18-TOMORROW", date(2008, 11, 2), False),
        ("CP-20-KEPT", date(2006, 1, 1), True), ("CP-25-TODAY", date(2001, 11, 1), True),
    ]:
        hold_children(uow, [(snapshot(contactpoint_id, born, retain), None)])

    assert archive_leavers(uow, {"actor": operator(), "today": TODAY}) == {"archived": 2}

    assert held_ids(uow) == ["CP-18-TOMORROW", "CP-20-KEPT"]
    assert sorted(uow.session.scalars(select(ArchivedChild.contactpoint_id))) == ["CP-18-TODAY", "CP-25-TODAY"]
    assert uow.session.query(SearchKey).filter(SearchKey.contactpoint_id == "CP-18-TODAY").count() == 0
    assert search(uow.session, {"family_name": "Smith", "date_of_birth": date(2008, 11, 1)})["results"] == []
    (event,) = uow.emitted
    assert event.routing_key == "national.directory.archive" and sorted(event.body["contactpoint_ids"]) == ["CP-18-TODAY", "CP-25-TODAY"]


def test_a_later_version_of_an_archived_child_does_not_bring_them_back(uow):
    hold_children(uow, [(snapshot("CP-ADULT", date(2008, 1, 1)), None)])
    archive_leavers(uow, {"actor": operator(), "today": TODAY})

    hold_children(uow, [(snapshot("CP-ADULT", date(2008, 1, 1), version=2), None)])

    assert held_ids(uow) == []


def test_an_archived_record_is_deleted_after_the_retention_period_and_not_before(uow):
    hold_children(uow, [(snapshot("CP-ADULT", date(2000, 1, 1)), None)])
    archive_leavers(uow, {"actor": operator(), "today": TODAY})
    last_day_kept = date(TODAY.year + RETENTION_YEARS, TODAY.month, TODAY.day)

    assert delete_expired_archive(uow, {"actor": operator(), "today": last_day_kept}) == {"deleted": 0}
    assert delete_expired_archive(uow, {"actor": operator(), "today": date.fromordinal(last_day_kept.toordinal() + 1)}) == {"deleted": 1}
    assert uow.session.get(ArchivedChild, "CP-ADULT") is None
    assert archive_deleted_before(last_day_kept) == TODAY


def test_both_age_rules_run_daily_through_the_scheduler():
    assert SCHEDULE == {ARCHIVE_LEAVERS: 86400, DELETE_EXPIRED_ARCHIVE: 86400}
    assert schedules().items() >= SCHEDULE.items()


def test_the_row_held_says_whether_the_record_is_kept_to_25():
    assert row_of(snapshot("CP-1", date(2010, 1, 1), retain_to_25=True))["retain_to_25"] is True


# The withholding table ---------------------------------------------------------------------------

def record(*involvements) -> dict:
    return {
        "contactpoint_id": "CP-1",
        "demographics": {"family_name": "Smith", "address": {"lines": ["1 High Street"], "postcode": "LS1 4AP"}},
        "carers": [{"name": "Jo Smith", "relationship": "mother", "phone": "0113 496 0000"}],
        "involvements": list(involvements),
    }


def involvement(service: str, sensitive: bool = False) -> dict:
    return {"service": service, "sensitive": sensitive, "practitioner": {"name": "Sam Patel", "phone": "0113", "email": "s@example.org"}}


def test_the_withholding_rules_are_one_table():
    assert [rule.name for rule in WITHHOLDING] == [
        "sensitive services, from categories that may not see them", "address and contact details of a shielded child",
    ]


@pytest.mark.parametrize("service", ["sexual_health", "mental_health", "substance_misuse"])
def test_a_sensitive_service_is_withheld_by_its_kind_even_if_a_source_forgot_to_flag_it(service):
    seen = withhold(record(involvement("school"), involvement(service, sensitive=False)), shielded=False, sees_sensitive=False)

    assert [i["service"] for i in seen["involvements"]] == ["school"]


@pytest.mark.parametrize("shielded, sees_sensitive, services, address_shown", [
    (False, False, ["school"], True),
    (False, True, ["school", "mental_health"], True),
    (True, False, ["school"], False),
    (True, True, ["school", "mental_health"], False),
])
def test_each_combination_of_the_rules(shielded, sees_sensitive, services, address_shown):
    seen = withhold(record(involvement("school"), involvement("mental_health", sensitive=True)), shielded=shielded, sees_sensitive=sees_sensitive)

    assert [i["service"] for i in seen["involvements"]] == services
    assert (seen["demographics"]["address"] is not None) == address_shown
    assert ("notice" in seen) == shielded
