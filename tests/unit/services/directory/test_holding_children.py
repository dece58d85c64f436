"""Holding the children feeds sends: each child's newest version, found by its names where it lives and by its date of birth."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from services.directory.handlers import RECORD_FIELDS, hold_children
from services.directory.models import ArchivedChild, Base, Child, SearchKey
from shared.contracts.children import ChildMergedSchema


class FakeUnitOfWork:
    def __init__(self, session):
        self.session = session


@pytest.fixture
def uow(session_for):
    return FakeUnitOfWork(session_for(Base))


def snapshot(contactpoint_id: str, version: int, family_name: str = "Smith", **more) -> dict:
    return ChildMergedSchema().load({
        "contactpoint_id": contactpoint_id, "version": version, "la_code": "E08000035", "active": True,
        "demographics": {
            "family_name": family_name, "given_names": ["Amy"], "date_of_birth": "2015-03-04", "gender": "female",
            "address": {"lines": ["1 High Street"], "town": "Leeds", "postcode": "LS1 4AP"}, "identifiers": {},
        },
        **more,
    })


def held(uow) -> dict[str, tuple[int, str]]:
    return {child.contactpoint_id: (child.version, child.family_name) for child in uow.session.scalars(select(Child))}


def keys(uow, contactpoint_id: str) -> set[str]:
    return set(uow.session.scalars(select(SearchKey.key).where(SearchKey.contactpoint_id == contactpoint_id)))


def test_a_batch_keeps_each_childs_newest_version_whatever_the_order(uow):
    hold_children(uow, [(snapshot("CP-1", 2, "Jones"), None), (snapshot("CP-1", 1, "Smith"), None), (snapshot("CP-2", 1), None)])
    uow.session.flush()

    assert held(uow) == {"CP-1": (2, "Jones"), "CP-2": (1, "Smith")}


def test_a_batch_updates_held_children_and_replaces_their_search_keys(uow):
    hold_children(uow, [(snapshot("CP-1", 1, "Smith"), None)])
    uow.session.flush()
    one_by_one = keys(uow, "CP-1")

    hold_children(uow, [(snapshot("CP-1", 2, "Okonkwo"), None)])
    uow.session.flush()
    uow.session.expire_all()

    assert held(uow) == {"CP-1": (2, "Okonkwo")}
    assert keys(uow, "CP-1") and keys(uow, "CP-1") != one_by_one


def test_a_batch_ignores_older_versions_and_archived_children(uow):
    hold_children(uow, [(snapshot("CP-1", 3), None)])
    uow.session.add(ArchivedChild(contactpoint_id="CP-9", archived_on=date(2026, 1, 1), record={}))
    uow.session.flush()

    hold_children(uow, [(snapshot("CP-1", 2, "Jones"), None), (snapshot("CP-9", 5), None)])
    uow.session.flush()
    uow.session.expire_all()

    assert held(uow) == {"CP-1": (3, "Smith")}
    assert keys(uow, "CP-9") == set()


def test_a_child_is_found_by_its_names_in_its_postcode_district_and_by_its_date_of_birth(uow):
    hold_children(uow, [(snapshot("CP-1", 1), None)])
    uow.session.flush()

    held_keys = keys(uow, "CP-1")
    assert {key.split(":")[0] for key in held_keys} == {"LS1", "2015-03-04"}
    assert uow.session.get(Child, "CP-1").postcode == "LS1 4AP"


def test_a_shielded_child_is_found_by_its_date_of_birth_never_by_where_it_lives(uow):
    hold_children(uow, [(snapshot("CP-1", 1, shielded=True), None)])
    uow.session.flush()

    assert keys(uow, "CP-1") and all(key.startswith("2015-03-04:") for key in keys(uow, "CP-1"))


def test_the_record_held_is_the_snapshot_as_the_contract_sends_it_with_every_default_filled_in(uow):
    received = snapshot(
        "CP-1", 1, retain_to_25=True,
        carers=[{"name": "Jo Smith", "relationship": "mother"}],
        involvements=[{"service": "school", "organisation": "Leeds Primary", "practitioner": {"name": "Sam Patel"},
                       "started_on": "2024-01-10", "source_id": "leeds-schools", "la_code": "E08000035"}],
        source_records=[["leeds-schools", "S-1"]],
    )

    hold_children(uow, [(received, None)])
    uow.session.flush()
    uow.session.expire_all()

    record = uow.session.get(Child, "CP-1").record
    assert record == ChildMergedSchema(only=RECORD_FIELDS).dump(received)
    assert record["involvements"][0]["started_on"] == "2024-01-10" and record["involvements"][0]["sensitive"] is False
    assert record["carers"][0]["parental_responsibility"] is False


def test_a_batch_of_new_and_held_children_gives_each_the_keys_it_would_have_alone(uow, session_for):
    hold_children(uow, [(snapshot("CP-1", 1, "Smith"), None)])
    uow.session.flush()

    hold_children(uow, [(snapshot("CP-1", 2, "Okonkwo"), None), (snapshot("CP-2", 1, "Jones"), None)])
    uow.session.flush()
    alone = FakeUnitOfWork(session_for(Base))
    for each in (snapshot("CP-1", 2, "Okonkwo"), snapshot("CP-2", 1, "Jones")):
        hold_children(alone, [(each, None)])
    alone.session.flush()

    assert keys(uow, "CP-1") == keys(alone, "CP-1") and keys(uow, "CP-2") == keys(alone, "CP-2")


def test_a_child_whose_postcode_no_source_knows_is_held_and_keyed_by_name_and_birth_date(uow):
    unplaced = snapshot("CP-1", 1)
    unplaced["demographics"]["address"] = {"lines": [], "town": "", "postcode": None}

    hold_children(uow, [(unplaced, None)])
    uow.session.flush()

    assert held(uow) == {"CP-1": (1, "Smith")}
    assert any(key.startswith("2015-03-04:") for key in keys(uow, "CP-1"))
