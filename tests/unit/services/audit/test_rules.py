"""The misuse rules: each fires on its case and not on ordinary use."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.audit.rules import (
    DEFAULT_SETTING_ROWS, RULES, OfficeHours, RuleSettings, evaluate, evaluate_all, outside_hours, tallies, tally_start,
)

# A Tuesday, mid-morning in London.
WORKING_HOUR = datetime(2026, 11, 24, 10, 30, tzinfo=timezone.utc)
ACTOR = {"username": "sam", "la_code": "E08000035", "role": "practitioner"}


class FakeHistory:
    """Lookups already stored, as (actor, kind, contactpoint_ids, at); alerts raised, as (rule, key, at)."""

    def __init__(self, lookups=(), alerts=()):
        self.lookups = list(lookups)
        self.alerts = list(alerts)

    def events_by_actor(self, actor, looks_at, since, until):
        return sum(1 for who, kind, _, at in self.lookups if who == actor and kind in looks_at and since <= at <= until)

    def actors_on_child(self, contactpoint_id, looks_at, since, until):
        return len({who for who, kind, children, at in self.lookups if contactpoint_id in children and kind in looks_at and since <= at <= until})

    def alerted_since(self, rule, key, since):
        return any(r == rule and k == key and at >= since for r, k, at in self.alerts)


def a_read(child="CP-1", actor=ACTOR, **detail) -> dict:
    return {"service": "directory", "action": "read", "outcome": "success", "actor": actor, "subject": child,
            "contactpoint_ids": [child], "detail": {"child_la_code": "E08000035", "shielded": False, **detail}}


def fired(event, at=WORKING_HOUR, history=None) -> set[str]:
    return {hit.rule for hit in evaluate(event, at, history or FakeHistory([("sam", "directory.read", ["CP-1"], at)]))}


def test_an_ordinary_read_in_office_hours_fires_nothing():
    assert fired(a_read()) == set()


def test_a_search_in_office_hours_fires_nothing():
    search = {"service": "directory", "action": "search", "outcome": "success", "actor": ACTOR, "contactpoint_ids": ["CP-1"], "criteria": {}}
    assert fired(search) == set()


def test_many_lookups_by_one_user_within_an_hour_fire_once():
    history = FakeHistory([("sam", "directory.read", [f"CP-{n}"], WORKING_HOUR - timedelta(minutes=n)) for n in range(50)])

    assert "many_lookups" in fired(a_read(), history=history)
    history.alerts.append(("many_lookups", "sam", WORKING_HOUR))
    assert "many_lookups" not in fired(a_read(), history=history)


def test_the_same_lookups_spread_over_a_day_do_not_fire():
    history = FakeHistory([("sam", "directory.read", [f"CP-{n}"], WORKING_HOUR - timedelta(minutes=30 * n)) for n in range(50)])

    assert "many_lookups" not in fired(a_read(), history=history)


def test_a_child_outside_the_users_la_fires():
    assert fired(a_read(child_la_code="E09000001")) == {"outside_la"}


def test_a_child_outside_the_users_la_where_the_user_is_involved_does_not_fire():
    assert fired(a_read(child_la_code="E09000001", actor_involved=True)) == set()


def test_a_read_whose_request_reused_an_earlier_ones_id_fires():
    assert fired({**a_read(), "reused_id": "0b7c"}) == {"request_id_reused"}


def test_a_shielded_record_fires():
    assert fired(a_read(shielded=True)) == {"shielded_record"}


def test_a_shielded_record_read_from_another_la_alerts_the_childs_la():
    history = FakeHistory([("sam", "directory.read", ["CP-1"], WORKING_HOUR)])

    hits = {hit.rule: hit for hit in evaluate(a_read(shielded=True, child_la_code="E09000001", actor_involved=True), WORKING_HOUR, history)}

    assert hits["shielded_record"].la_code == "E09000001"


def test_many_users_on_one_child_fire_and_a_few_do_not():
    many = FakeHistory([(f"user-{n}", "directory.read", ["CP-1"], WORKING_HOUR) for n in range(5)])
    few = FakeHistory([(f"user-{n}", "directory.read", ["CP-1"], WORKING_HOUR) for n in range(4)])

    assert "many_users_on_child" in fired(a_read(), history=many)
    assert "many_users_on_child" not in fired(a_read(), history=few)


@pytest.mark.parametrize("at", [
    datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc),  # Tuesday, 2 a.m.
    datetime(2026, 11, 28, 11, 0, tzinfo=timezone.utc),  # Saturday morning
    datetime(2026, 7, 14, 18, 30, tzinfo=timezone.utc),  # 19:30 in London in summer
], ids=["night", "weekend", "summer-evening"])
def test_a_lookup_out_of_hours_fires(at):
    assert fired(a_read(), at=at) == {"out_of_hours"}


def test_office_hours_are_london_time():
    assert not outside_hours(datetime(2026, 7, 14, 6, 30, tzinfo=timezone.utc), OfficeHours())  # 07:30 BST
    assert outside_hours(datetime(2026, 1, 13, 6, 30, tzinfo=timezone.utc), OfficeHours())  # 06:30 GMT


def test_refused_and_anonymous_events_fire_nothing():
    assert fired({**a_read(shielded=True), "outcome": "refused"}) == set()
    assert fired({**a_read(shielded=True), "actor": None}) == set()


def test_every_rule_has_a_name_and_says_what_it_looks_for():
    assert len({rule.name for rule in RULES}) == len(RULES) == 6
    assert all(rule.summary and rule.looks_at for rule in RULES)


class FakeBatchHistory(FakeHistory):
    """Also answers the questions asked once for a whole batch."""

    def events_by_actors(self, rule, actors, since, until):
        return {actor: self.events_by_actor(actor, RULES[0].looks_at, since, until) for actor in actors}

    def actors_on_children(self, children, looks_at, since, until):
        return {child: self.actors_on_child(child, looks_at, since, until) for child in children}


def test_a_batch_raises_one_alert_a_rule_and_key_however_many_of_its_events_cross_the_line():
    history = FakeBatchHistory([("sam", "directory.read", [f"CP-{n}"], WORKING_HOUR) for n in range(60)])
    batch = [(a_read(f"CP-{n}"), WORKING_HOUR) for n in range(10)]

    hits = evaluate_all(batch, history)

    assert [(index, hit.rule) for index, hit in hits] == [(0, "many_lookups")]


def test_a_batch_of_ordinary_reads_raises_nothing():
    history = FakeBatchHistory([("sam", "directory.read", [f"CP-{n}"], WORKING_HOUR) for n in range(10)])

    assert evaluate_all([(a_read(f"CP-{n}"), WORKING_HOUR) for n in range(10)], history) == []


def test_tallies_count_an_actors_watched_events_by_five_minutes():
    early, later = WORKING_HOUR, WORKING_HOUR + timedelta(minutes=7)
    counted = tallies([(a_read(), early), (a_read(), early), (a_read(), later), ({**a_read(), "outcome": "refused"}, early)])

    assert counted == {("many_lookups", "sam", tally_start(early)): 2, ("many_lookups", "sam", tally_start(later)): 1}
    assert tally_start(early).minute % 5 == 0 and tally_start(early) <= early


# Hours and thresholds per LA, as data ------------------------------------------------------------

ELEVEN_AT_NIGHT = datetime(2026, 11, 24, 23, 0, tzinfo=timezone.utc)  # a Tuesday, 23:00 in London (GMT)
SETTINGS = RuleSettings.of_rows(DEFAULT_SETTING_ROWS)


def a_search_by(category: str, la_code: str = "E08000035") -> dict:
    return {"service": "directory", "action": "search", "outcome": "success", "la_code": la_code,
            "actor": {"username": f"{category}-1", "la_code": la_code, "role": "practitioner", "category": category},
            "contactpoint_ids": ["CP-1"], "criteria": {}}


def fired_with(event, settings, at=ELEVEN_AT_NIGHT) -> set[str]:
    return {hit.rule for hit in evaluate(event, at, FakeHistory(), settings=settings)}


def test_out_of_hours_does_not_fire_for_an_emergency_duty_team_member_at_eleven_at_night():
    assert fired_with(a_search_by("emergency_duty_team"), SETTINGS) == set()


def test_out_of_hours_fires_for_a_schools_practitioner_at_eleven_at_night():
    assert fired_with(a_search_by("teacher"), SETTINGS) == {"out_of_hours"}


def test_an_la_sets_its_own_hours_for_a_category_and_for_everyone():
    late_teams = RuleSettings.of_rows([
        *DEFAULT_SETTING_ROWS,
        ("E08000035", "out_of_hours", "*", {"opens": 7, "closes": 24}),
        ("E08000035", "out_of_hours", "teacher", {"opens": 8, "closes": 17}),
    ])

    assert fired_with(a_search_by("social_worker"), late_teams) == set()
    assert fired_with(a_search_by("teacher"), late_teams) == {"out_of_hours"}
    assert fired_with(a_search_by("social_worker", la_code="E09000001"), late_teams) == {"out_of_hours"}


def test_an_la_sets_its_own_threshold_for_a_counting_rule():
    history = FakeHistory([("sam", "directory.read", [f"CP-{n}"], WORKING_HOUR - timedelta(minutes=n)) for n in range(20)])
    strict = RuleSettings.of_rows([("E08000035", "many_lookups", "*", {"window_seconds": 3600, "at_least": 20})])
    read = {**a_read(), "la_code": "E08000035"}

    assert "many_lookups" in {hit.rule for hit in evaluate(read, WORKING_HOUR, history, settings=strict)}
    assert "many_lookups" not in {hit.rule for hit in evaluate(read, WORKING_HOUR, history)}
