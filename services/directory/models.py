"""The directory's own tables: one row a child, held as the feeds service last described it, the keys it is found by,
the archive of children who have left the directory, and how to reach each LA's ContactPoint team."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import service_base
from shared.messaging.outbox import messaging_tables

Base = service_base("directory")
MESSAGING = messaging_tables(Base.metadata)


class Child(Base):
    __tablename__ = "children"
    __table_args__ = (
        Index("ix_children_family_key_dob", "family_key", "date_of_birth"),
        Index("ix_children_dob", "date_of_birth"),
        Index("ix_children_postcode", "postcode"),
        # Searches by date of birth read their candidates from this index alone (migration 0004).
        Index("ix_children_dob_scored", "date_of_birth", postgresql_where=text("active"), postgresql_include=[
            "contactpoint_id", "shielded", "family_name", "given_names", "former_family_keys", "gender", "postcode", "nhs_number", "upn"]),
    )

    contactpoint_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    la_code: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean)
    shielded: Mapped[bool] = mapped_column(Boolean)
    family_name: Mapped[str] = mapped_column(String(100))
    family_key: Mapped[str] = mapped_column(String(100))
    given_names: Mapped[list] = mapped_column(JSON)
    former_family_keys: Mapped[list] = mapped_column(JSON)
    date_of_birth: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(20))
    postcode: Mapped[str] = mapped_column(String(10))
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    upn: Mapped[str | None] = mapped_column(String(13), index=True)
    record: Mapped[dict] = mapped_column(JSON)
    retain_to_25: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class SearchKey(Base):
    """A precomputed phonetic key (``<family code>:<given code>``) a child is found by without a date of birth."""

    __tablename__ = "search_keys"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    contactpoint_id: Mapped[str] = mapped_column(String(40), primary_key=True)


class ArchivedChild(Base):
    """A child who has left the directory by age: kept out of every search and read, and deleted after the retention period."""

    __tablename__ = "archived_children"

    contactpoint_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    archived_on: Mapped[date] = mapped_column(Date, index=True)
    record: Mapped[dict] = mapped_column(JSON)


class LaTeam(Base):
    """How a reader reaches an LA's ContactPoint team, who hold what a shielded child's record does not show; set by that team."""

    __tablename__ = "la_teams"

    la_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
