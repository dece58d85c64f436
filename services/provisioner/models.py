"""The provisioner's own table: every broker user it made, by name and kind, so that it never touches another."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import service_base
from shared.messaging.outbox import messaging_tables

Base = service_base("provisioner")
MESSAGING = messaging_tables(Base.metadata)


class BrokerAccount(Base):
    """A partner system's or a security team's broker user; closed ones keep their name, so no one else takes it."""

    __tablename__ = "broker_accounts"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # SOURCE or TEAM
    opened_by: Mapped[str] = mapped_column(String(100))  # the service that asked, as audit events name it
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
