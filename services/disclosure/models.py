"""The disclosure service's own tables: what bulk disclosure may show of each child, and single-record requests.

``de_identified_children`` holds no name, address, contact, identifier or ContactPoint id:
a row is keyed by the child's pseudonym base (see ``pseudonyms``).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import service_base
from shared.messaging.outbox import messaging_tables

Base = service_base("disclosure")
MESSAGING = messaging_tables(Base.metadata)


class DeIdentifiedChild(Base):
    __tablename__ = "de_identified_children"

    pseudonym_base: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    la_code: Mapped[str] = mapped_column(String(20))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    birth_month: Mapped[int] = mapped_column(SmallInteger)
    gender: Mapped[str] = mapped_column(String(20))
    postcode_district: Mapped[str | None] = mapped_column(String(4))
    service_kinds: Mapped[list] = mapped_column(JSON)


class DisclosureRequest(Base):
    """One child's record asked for on a ground; readable once, by its requester, after a second person approves."""

    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_la_status", "requester_la_code", "status"),)

    request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    contactpoint_id: Mapped[str] = mapped_column(String(40))
    ground: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(100), index=True)
    requester_la_code: Mapped[str] = mapped_column(String(20))
    # Who created the requester's account and when, as their token said: an approver made by the same creator near then is refused.
    requester_created_by: Mapped[str | None] = mapped_column(String(100))
    requester_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10))  # pending, approved, refused, read
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    readable_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    grant: Mapped[str | None] = mapped_column(Text)  # signed on approval; see shared/contracts/disclosure.py
