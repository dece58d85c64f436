"""Identity's own tables: accounts, and the passkeys their holders registered."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import service_base
from shared.messaging.outbox import messaging_tables

Base = service_base("identity")
MESSAGING = messaging_tables(Base.metadata)

# An account signs in only while active; an enrolling one waits for its holder to enrol from their link, a locked one
# for an la_admin, a suspended one for new vetting or a decision.
ACTIVE, ENROLLING, LOCKED, SUSPENDED = "active", "enrolling", "locked", "suspended"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))  # the holder's own; None only for accounts made before enrolment by mail
    la_code: Mapped[str] = mapped_column(String(20), index=True)
    category: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None until the holder enrols
    totp_secret: Mapped[str | None] = mapped_column(String(300))  # encrypted at rest; None until the holder opens their link
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    trained_on: Mapped[date | None] = mapped_column(Date)
    disclosure_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(String(300))
    # Sign-ins in a row with the right password and a wrong second factor; a wrong password never counts here.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    passkey_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # no one-time code then
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The administrator's account that created it; None where the national operator did (the audit trail names who),
    # and for accounts made before it was kept.
    created_by: Mapped[str | None] = mapped_column(String(100))
    enrolment_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # SHA-256 of the one-time link's token
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    vetting_recorded_by: Mapped[str | None] = mapped_column(String(100))
    vetting_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Passkey(Base):
    """A WebAuthn credential: its public key, and the signature count its authenticator last gave."""
    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("identity.users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE, as the authenticator gave it
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
