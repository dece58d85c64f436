"""Misuse rules, as data: which events each rule looks at, what must hold of one, and how many make a case.

A rule with no ``threshold`` fires on every event it matches. A rule with one fires when the
events it counts in its window reach ``at_least``, once a window for the same actor or child.
``evaluate`` is pure: the counting is asked of a ``History`` (the audit store, or a fake in tests).

What is ordinary differs by LA and by team, so the hours and thresholds the rules below hold
are defaults: ``RuleSettings`` (rows of the audit store's ``rule_settings``) give an LA its own
thresholds, and a category of practitioner in an LA (or in every LA) its own working hours. An
emergency duty team works nights and weekends: its searches then are not out of hours.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

SEARCH, READ = "directory.search", "directory.read"
TALLY_SECONDS = 300


@dataclass(frozen=True)
class Condition:
    """``field`` (a dotted path into the event) compared with ``op`` to ``value`` (another path for ``differs_from``)."""

    field: str
    op: str  # "is", "is_not", "differs_from", "outside_hours"
    value: object = None


@dataclass(frozen=True)
class OfficeHours:
    zone: str = "Europe/London"
    opens: int = 7  # hour of the day
    closes: int = 19
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday is 0


EVERY_HOUR = OfficeHours(opens=0, closes=24, weekdays=(0, 1, 2, 3, 4, 5, 6))
ANY = "*"  # a setting for every LA, or every category


@dataclass(frozen=True)
class Threshold:
    counts: str  # "events" by the same actor, or "actors" who looked at the same child
    window_seconds: int
    at_least: int


@dataclass(frozen=True)
class Rule:
    name: str
    looks_at: frozenset[str]  # "<service>.<action>" of the events it watches, successful ones only
    conditions: tuple[Condition, ...] = ()
    threshold: Threshold | None = None
    summary: str = ""
    # Whose security team hears of it, when not the LA of the event (the actor's): a path into the event.
    alerts_la: str | None = None
    # Repeats by the same person within ``GROUP_SECONDS`` make one alert with a count; per child too, when each child matters.
    groups_by_child: bool = False


GROUP_SECONDS = 3600


@dataclass(frozen=True)
class RuleSettings:
    """What each LA (or every LA, ``ANY``) takes as ordinary: each category's working hours, each counting rule's threshold."""

    hours: dict[tuple[str, str], OfficeHours] = field(default_factory=dict)  # (la_code, category) -> hours
    thresholds: dict[tuple[str, str], Threshold] = field(default_factory=dict)  # (la_code, rule) -> threshold

    def hours_of(self, la_code: str | None, category: str | None, default: OfficeHours) -> OfficeHours:
        for key in ((la_code, category), (ANY, category), (la_code, ANY)):
            if key in self.hours:
                return self.hours[key]
        return default

    def threshold_of(self, la_code: str | None, rule: Rule) -> Threshold | None:
        return self.thresholds.get((la_code, rule.name)) or self.thresholds.get((ANY, rule.name)) or rule.threshold

    @classmethod
    def of_rows(cls, rows) -> RuleSettings:
        """From ``(la_code, rule, category, values)`` rows: hours for ``out_of_hours``, a threshold for a counting rule."""
        hours, thresholds = {}, {}
        for la_code, rule, category, values in rows:
            if rule == OUT_OF_HOURS:
                hours[la_code, category] = OfficeHours(**{**values, "weekdays": tuple(values.get("weekdays", OfficeHours.weekdays))})
            else:
                thresholds[la_code, rule] = Threshold(**{"counts": _RULES_BY_NAME[rule].threshold.counts, **values})
        return cls(hours, thresholds)


NO_SETTINGS = RuleSettings()
OUT_OF_HOURS = "out_of_hours"
# The field the store gives a look's event whose request reused an earlier request's id (``storing``).
REUSED_ID = "reused_id"


RULES = (
    Rule("many_lookups", frozenset({SEARCH, READ}), threshold=Threshold("events", 3600, 50),
         summary="many searches and reads by one user within an hour"),
    Rule("outside_la", frozenset({READ}), (
        Condition("detail.child_la_code", "differs_from", "actor.la_code"),
        Condition("detail.actor_involved", "is_not", True),
    ), summary="a child outside the user's local authority, with whom no service of the user's authority works"),
    # The child's LA's security team hears of every read of its shielded child, by whomever, from wherever.
    Rule("shielded_record", frozenset({READ}), (Condition("detail.shielded", "is", True),),
         summary="a view of a shielded record", alerts_la="detail.child_la_code", groups_by_child=True),
    Rule("many_users_on_child", frozenset({READ}), threshold=Threshold("actors", 3600, 5),
         summary="many users looking at the same child within an hour"),
    Rule(OUT_OF_HOURS, frozenset({SEARCH, READ}), (Condition("occurred_at", "outside_hours", OfficeHours()),),
         summary="a search or read out of the hours the person's team works"),
    # Only the portal's broker user sends searches and reads, and the portal gives each request an id of its own.
    Rule("request_id_reused", frozenset({SEARCH, READ}), (Condition(REUSED_ID, "is_not", None),),
         summary="a search or read whose request reused an earlier request's id: its sender is not behaving as the portal does"),
)
_RULES_BY_NAME = {rule.name: rule for rule in RULES}
# Emergency duty teams answer out of office hours in every LA: those hours are their working day.
DEFAULT_SETTING_ROWS = ((ANY, OUT_OF_HOURS, "emergency_duty_team", {"opens": 0, "closes": 24, "weekdays": list(EVERY_HOUR.weekdays)}),)


@dataclass(frozen=True)
class Hit:
    rule: str
    key: str  # whom or what the alert is about: the actor, or the child
    contactpoint_id: str | None
    detail: dict = field(default_factory=dict)
    la_code: str | None = None  # the LA whose security team hears of it; the event's when none


class History(Protocol):
    def events_by_actor(self, actor: str, looks_at: frozenset[str], since: datetime, until: datetime) -> int: ...
    def actors_on_child(self, contactpoint_id: str, looks_at: frozenset[str], since: datetime, until: datetime) -> int: ...
    def events_by_actors(self, rule: str, actors: set[str], since: datetime, until: datetime) -> dict[str, int]:
        """No fewer than each actor's events that ``rule`` counted between the two moments (an upper bound is enough)."""
    def actors_on_children(self, children: set[str], looks_at: frozenset[str], since: datetime, until: datetime) -> dict[str, int]: ...
    def alerted_since(self, rule: str, key: str, since: datetime) -> bool: ...


def evaluate_all(events: list[tuple[dict, datetime]], history: History, rules: tuple[Rule, ...] = RULES,
                 settings: RuleSettings = NO_SETTINGS) -> list[tuple[int, Hit]]:
    """The rules a batch of stored events makes fire, as (index of the event, hit); one alert a rule and key a batch.

    Counting rules ask first, for the whole batch at once, how many events there are in the
    window around all of it: no single event's window holds more, so only an actor or child
    whose count could reach the threshold is counted again exactly, event by event.
    """
    ceilings, settled = _ceilings(events, history, rules, settings), set()
    return [(index, hit) for index, (event, occurred_at) in enumerate(events)
            for hit in evaluate(event, occurred_at, history, rules, ceilings, settled, settings)]


def _ceilings(events: list[tuple[dict, datetime]], history: History, rules: tuple[Rule, ...], settings: RuleSettings) -> dict[tuple[str, str], int]:
    ceilings: dict[tuple[str, str], int] = {}
    for rule in (rule for rule in rules if rule.threshold is not None):
        watched = [(event, at) for event, at in events if _watches(rule, event, at, settings)]
        if not watched:
            continue
        widest = max(settings.threshold_of(event.get("la_code"), rule).window_seconds for event, _ in watched)
        since = min(at for _, at in watched) - timedelta(seconds=widest)
        until = max(at for _, at in watched)
        if rule.threshold.counts == "events":
            counts = history.events_by_actors(rule.name, {event["actor"]["username"] for event, _ in watched}, since, until)
        else:
            children = {child for event, _ in watched for child in event.get("contactpoint_ids", [])}
            counts = history.actors_on_children(children, rule.looks_at, since, until)
        ceilings.update(((rule.name, key), count) for key, count in counts.items())
    return ceilings


def tallies(events: list[tuple[dict, datetime]], rules: tuple[Rule, ...] = RULES) -> Counter:
    """How many events each rule that counts an actor's events takes, by actor and by the ``TALLY_SECONDS`` they fell in.

    Kept beside the store, these make a whole batch's counts one cheap read however busy the
    hour before it was: a window's count is no more than its tallies' sum.
    """
    counted: Counter = Counter()
    for rule in (rule for rule in rules if rule.threshold is not None and rule.threshold.counts == "events"):
        for event, at in events:
            if _watches(rule, event, at):
                counted[(rule.name, event["actor"]["username"], tally_start(at))] += 1
    return counted


def tally_start(moment: datetime) -> datetime:
    return datetime.fromtimestamp(moment.timestamp() // TALLY_SECONDS * TALLY_SECONDS, tz=timezone.utc)


def evaluate(event: dict, occurred_at: datetime, history: History, rules: tuple[Rule, ...] = RULES,
             ceilings: dict[tuple[str, str], int] | None = None, settled: set[tuple[str, str]] | None = None,
             settings: RuleSettings = NO_SETTINGS) -> list[Hit]:
    """The rules this event (already stored, so counted) makes fire.

    ``settled`` holds the (rule, key) pairs of a batch already alerted on in their window: an
    actor who goes on trawling is counted once a batch, not once an event.
    """
    hits = []
    for rule in rules:
        if not _watches(rule, event, occurred_at, settings):
            continue
        actor = event["actor"]["username"]
        if rule.threshold is None:
            hits.append(Hit(rule.name, actor, _child(event), {"summary": rule.summary}, _at(event, rule.alerts_la) if rule.alerts_la else None))
        else:
            threshold = settings.threshold_of(event.get("la_code"), rule)
            hits.extend(_counted(rule, threshold, event, actor, occurred_at, history, ceilings, set() if settled is None else settled))
    return hits


def _watches(rule: Rule, event: dict, occurred_at: datetime, settings: RuleSettings = NO_SETTINGS) -> bool:
    """Whether the rule looks at this event at all: a successful lookup of its kind, by someone, meeting its conditions."""
    if event.get("outcome") != "success" or not (event.get("actor") or {}).get("username"):
        return False
    kind = f"{event['service']}.{event['action']}"
    return kind in rule.looks_at and all(_holds(condition, event, occurred_at, settings) for condition in rule.conditions)


def _counted(rule: Rule, threshold: Threshold, event: dict, actor: str, occurred_at: datetime, history: History,
             ceilings: dict[tuple[str, str], int] | None, settled: set[tuple[str, str]]) -> list[Hit]:
    since = occurred_at - timedelta(seconds=threshold.window_seconds)
    if threshold.counts == "events":
        subjects = [(actor, None, lambda: history.events_by_actor(actor, rule.looks_at, since, occurred_at))]
    else:
        subjects = [(child, child, lambda child=child: history.actors_on_child(child, rule.looks_at, since, occurred_at))
                    for child in event.get("contactpoint_ids", [])]
    hits = []
    for key, child, count in subjects:
        if (rule.name, key) in settled or ceilings is not None and ceilings.get((rule.name, key), 0) < threshold.at_least:
            continue
        if history.alerted_since(rule.name, key, since):
            settled.add((rule.name, key))
            continue
        seen = count()
        if seen >= threshold.at_least:
            settled.add((rule.name, key))
            hits.append(Hit(rule.name, key, child, {"summary": rule.summary, "count": seen, "window_seconds": threshold.window_seconds}))
    return hits


def _holds(condition: Condition, event: dict, occurred_at: datetime, settings: RuleSettings = NO_SETTINGS) -> bool:
    if condition.op == "outside_hours":
        actor = event.get("actor") or {}
        # The hours of the person's own team in their own LA: a night is ordinary for an emergency duty team.
        return outside_hours(occurred_at, settings.hours_of(actor.get("la_code"), actor.get("category"), condition.value))
    value = _at(event, condition.field)
    if condition.op == "is":
        return value == condition.value
    if condition.op == "is_not":
        return value != condition.value
    if condition.op == "differs_from":
        other = _at(event, condition.value)
        return value is not None and other is not None and value != other
    raise ValueError(f"unknown condition {condition.op!r}")


def outside_hours(moment: datetime, hours: OfficeHours) -> bool:
    local = moment.astimezone(ZoneInfo(hours.zone))
    return local.weekday() not in hours.weekdays or not hours.opens <= local.hour < hours.closes


def _at(event: dict, path: str):
    value = event
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _child(event: dict) -> str | None:
    return event.get("subject") or next(iter(event.get("contactpoint_ids") or []), None)
