"""Misuse rules, as data: which events each rule looks at, what must hold of one, and how many make a case.

A rule with no ``threshold`` fires on every event it matches. A rule with one fires when the
events it counts in its window reach ``at_least``, once a window for the same actor or child.
``evaluate`` is pure: the counting is asked of a ``History`` (the audit store, or a fake in tests).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SEARCH, READ = "directory.search", "directory.read"


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


RULES = (
    Rule("many_lookups", frozenset({SEARCH, READ}), threshold=Threshold("events", 3600, 50),
         summary="many searches and reads by one user within an hour"),
    Rule("outside_la", frozenset({READ}), (
        Condition("detail.child_la_code", "differs_from", "actor.la_code"),
        Condition("detail.actor_involved", "is_not", True),
    ), summary="a child outside the user's local authority, where the user has no involvement"),
    Rule("shielded_record", frozenset({READ}), (Condition("detail.shielded", "is", True),),
         summary="a view of a shielded record"),
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


class History(Protocol):
    def events_by_actor(self, actor: str, looks_at: frozenset[str], since: datetime, until: datetime) -> int: ...
    def actors_on_child(self, contactpoint_id: str, looks_at: frozenset[str], since: datetime, until: datetime) -> int: ...
    def alerted_since(self, rule: str, key: str, since: datetime) -> bool: ...


def evaluate(event: dict, occurred_at: datetime, history: History, rules: tuple[Rule, ...] = RULES) -> list[Hit]:
    """The rules this event (already stored, so counted) makes fire."""
    kind = f"{event['service']}.{event['action']}"
    actor = (event.get("actor") or {}).get("username")
    if event.get("outcome") != "success" or actor is None:
        return []
    hits = []
    for rule in rules:
        if kind not in rule.looks_at or not all(_holds(condition, event, occurred_at) for condition in rule.conditions):
            continue
        if rule.threshold is None:
            hits.append(Hit(rule.name, actor, _child(event), {"summary": rule.summary}))
        else:
            hits.extend(_counted(rule, rule.threshold, event, actor, occurred_at, history))
    return hits


def _counted(rule: Rule, threshold: Threshold, event: dict, actor: str, occurred_at: datetime, history: History) -> list[Hit]:
    since = occurred_at - timedelta(seconds=threshold.window_seconds)
    if threshold.counts == "events":
        subjects = [(actor, None, lambda: history.events_by_actor(actor, rule.looks_at, since, occurred_at))]
    else:
        subjects = [(child, child, lambda child=child: history.actors_on_child(child, rule.looks_at, since, occurred_at))
                    for child in event.get("contactpoint_ids", [])]
    hits = []
    for key, child, count in subjects:
        seen = count()
        if seen >= threshold.at_least and not history.alerted_since(rule.name, key, since):
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
