"""The audit store: one row an event, each chained to the one before it by its hash."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import service_base
from shared.messaging.outbox import messaging_tables

Base = service_base("audit")
MESSAGING = messaging_tables(Base.metadata)
# Rows the audit service itself may add but never change or remove (its database role is given no UPDATE or DELETE on them).
APPEND_ONLY = ("events", "event_subjects", "checkpoints")


class AuditRecord(Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    service: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(60), index=True)
    la_code: Mapped[str] = mapped_column(String(20), index=True)
    actor_username: Mapped[str | None] = mapped_column(String(100), index=True)
    producer: Mapped[str | None] = mapped_column(String(200))
    producer_seq: Mapped[int | None] = mapped_column(BigInteger)
    sent_by: Mapped[str | None] = mapped_column(String(200))  # the broker user that sent it, as the broker verified
    event: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditSubject(Base):
    """Which children an event touched, so one child's trail is found without reading every event."""

    __tablename__ = "event_subjects"

    contactpoint_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(ForeignKey(AuditRecord.seq), primary_key=True)


class ChainHead(Base):
    """The last link of the chain; its row lock puts events in one order."""

    __tablename__ = "chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class SignedCheckpoint(Base):
    """The chain head at a moment, signed with the checkpoint key; rows are never changed."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))


class Alert(Base):
    """A rule that fired on an event, for auditors to investigate; the only audit rows that change (once investigated)."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(100))
    la_code: Mapped[str] = mapped_column(String(20), index=True)
    actor_username: Mapped[str | None] = mapped_column(String(100))
    contactpoint_id: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    detail: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    investigated_by: Mapped[str | None] = mapped_column(String(100))
    investigated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(4000))
    # Repeats of the same rule for the same person (and child, where each child matters) within the hour: one alert, counted.
    count: Mapped[int] = mapped_column(Integer, default=1)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RuleSetting(Base):
    """What an LA (or every LA, ``*``) takes as ordinary for one rule: a category's working hours, or a counting rule's threshold."""

    __tablename__ = "rule_settings"

    la_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    # out_of_hours: {"zone", "opens", "closes", "weekdays"}; a counting rule: {"window_seconds", "at_least"}.
    values: Mapped[dict] = mapped_column(JSON)


class Tally(Base):
    """How many events a counting rule took from one actor in a few minutes: its windows are read from these, not from every event."""

    __tablename__ = "rule_tallies"

    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
