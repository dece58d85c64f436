"""Misuse rules, as data: which events each rule looks at, what must hold of one, and how many make a case.

A rule with no ``threshold`` fires on every event it matches. A rule with one fires when the
events it counts in its window reach ``at_least``, once a window for the same actor or child.
``evaluate`` is pure: the counting is asked of a ``History`` (the audit store, or a fake in tests).
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


RULES = (
    Rule("many_lookups", frozenset({SEARCH, READ}), threshold=Threshold("events", 3600, 50),
         summary="many searches and reads by one user within an hour"),
    Rule("outside_la", frozenset({READ}), (
        Condition("detail.child_la_code", "differs_from", "actor.la_code"),
        Condition("detail.actor_involved", "is_not", True),
    ), summary="a child outside the user's local authority, with whom no service of the user's authority works"),
    # The child's LA's security team hears of every read of its shielded child, by whomever, from wherever.
    Rule("shielded_record", frozenset({READ}), (Condition("detail.shielded", "is", True),),
         summary="a view of a shielded record", alerts_la="detail.child_la_code"),
    Rule("many_users_on_child", frozenset({READ}), threshold=Threshold("actors", 3600, 5),
         summary="many users looking at the same child within an hour"),
    Rule("out_of_hours", frozenset({SEARCH, READ}), (Condition("occurred_at", "outside_hours", OfficeHours()),),
         summary="a search or read out of office hours"),
)


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


def evaluate_all(events: list[tuple[dict, datetime]], history: History, rules: tuple[Rule, ...] = RULES) -> list[tuple[int, Hit]]:
    """The rules a batch of stored events makes fire, as (index of the event, hit); one alert a rule and key a batch.

    Counting rules ask first, for the whole batch at once, how many events there are in the
    window around all of it: no single event's window holds more, so only an actor or child
    whose count could reach the threshold is counted again exactly, event by event.
    """
    ceilings, settled = _ceilings(events, history, rules), set()
    return [(index, hit) for index, (event, occurred_at) in enumerate(events)
            for hit in evaluate(event, occurred_at, history, rules, ceilings, settled)]


def _ceilings(events: list[tuple[dict, datetime]], history: History, rules: tuple[Rule, ...]) -> dict[tuple[str, str], int]:
    ceilings: dict[tuple[str, str], int] = {}
    for rule in (rule for rule in rules if rule.threshold is not None):
        watched = [(event, at) for event, at in events if _watches(rule, event, at)]
        if not watched:
            continue
        since = min(at for _, at in watched) - timedelta(seconds=rule.threshold.window_seconds)
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
             ceilings: dict[tuple[str, str], int] | None = None, settled: set[tuple[str, str]] | None = None) -> list[Hit]:
    """The rules this event (already stored, so counted) makes fire.

    ``settled`` holds the (rule, key) pairs of a batch already alerted on in their window: an
    actor who goes on trawling is counted once a batch, not once an event.
    """
    hits = []
    for rule in rules:
        if not _watches(rule, event, occurred_at):
            continue
        actor = event["actor"]["username"]
        if rule.threshold is None:
            hits.append(Hit(rule.name, actor, _child(event), {"summary": rule.summary}, _at(event, rule.alerts_la) if rule.alerts_la else None))
        else:
            hits.extend(_counted(rule, rule.threshold, event, actor, occurred_at, history, ceilings, set() if settled is None else settled))
    return hits


def _watches(rule: Rule, event: dict, occurred_at: datetime) -> bool:
    """Whether the rule looks at this event at all: a successful lookup of its kind, by someone, meeting its conditions."""
    if event.get("outcome") != "success" or not (event.get("actor") or {}).get("username"):
        return False
    kind = f"{event['service']}.{event['action']}"
    return kind in rule.looks_at and all(_holds(condition, event, occurred_at) for condition in rule.conditions)


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


def _holds(condition: Condition, event: dict, occurred_at: datetime) -> bool:
    if condition.op == "outside_hours":
        return outside_hours(occurred_at, condition.value)
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
