"""The feeds service's own tables: sources, the records each sent, and the children those records are linked to."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import service_base
from shared.messaging.outbox import messaging_tables

Base = service_base("feeds")
MESSAGING = messaging_tables(Base.metadata)


class Source(Base):
    __tablename__ = "sources"

    source_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    la_code: Mapped[str | None] = mapped_column(String(20))
    kinds: Mapped[list] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LinkedChild(Base):
    """A child as ContactPoint knows it: the source records linked to one ``contactpoint_id``."""

    __tablename__ = "children"

    contactpoint_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    # Set when a person joins this child into another: it then stands for nobody.
    merged_into: Mapped[str | None] = mapped_column(String(40))
    # Set when a source says so or the LA ContactPoint team decides so; only that team lifts it.
    shielded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SourceRecord(Base):
    """The latest that one source said of one child, with its sequence and when it arrived."""

    __tablename__ = "source_records"
    __table_args__ = (
        Index("ix_source_records_family_sound_dob", "family_sound", "date_of_birth"),
        Index("ix_source_records_given_sound_dob", "given_sound", "date_of_birth"),
        Index("ix_source_records_postcode_dob", "postcode", "date_of_birth"),
        Index("ix_source_records_postcode_given_key", "postcode", "given_key"),
        Index("ix_source_records_family_key_given_key_birth_year", "family_key", "given_key", "birth_year"),
        Index("ix_source_records_family_key_given_key_birthday", "family_key", "given_key", "birthday"),
        Index("ix_source_records_postcode_family_key", "postcode", "family_key"),
    )

    source_id: Mapped[str] = mapped_column(ForeignKey(Source.source_id), primary_key=True)
    source_record_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    contactpoint_id: Mapped[str] = mapped_column(ForeignKey(LinkedChild.contactpoint_id), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    held: Mapped[bool] = mapped_column(Boolean)
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    family_key: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    # The birth date's year, and its month and day (`matching.birthday`): a slip of the keys in the date leaves one of them.
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    birthday: Mapped[str] = mapped_column(String(5))
    given_key: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    # How the family and given name keys sound (`matching.name_sound`), for blocking that a slip of the keys does not defeat.
    family_sound: Mapped[str] = mapped_column(String(10), default="")
    given_sound: Mapped[str] = mapped_column(String(10), default="")
    upn: Mapped[str | None] = mapped_column(String(13), index=True)
    # Who linked this record to its child when a person did; the system never moves such a record.
    linked_by: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReviewTask(Base):
    """An unsure match for a person to decide: a record held as a child of its own, beside the child it may be."""

    __tablename__ = "review_tasks"

    task_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    contactpoint_id: Mapped[str] = mapped_column(ForeignKey(LinkedChild.contactpoint_id), index=True)
    candidate_id: Mapped[str] = mapped_column(ForeignKey(LinkedChild.contactpoint_id), index=True)
    weight: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LinkageModelUsed(Base):
    """A linkage model an operator put in force, as its file was written: the one put in force last is the one matching uses."""

    __tablename__ = "linkage_models"

    version: Mapped[str] = mapped_column(String(100), primary_key=True)
    model: Mapped[str] = mapped_column(Text)
    put_in_force_by: Mapped[str] = mapped_column(String(200))
    put_in_force_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LabelledPair(Base):
    """A pair a person decided in review: the two children's details as they stood, and whether they are one child."""

    __tablename__ = "labelled_pairs"

    task_id: Mapped[int] = mapped_column(ForeignKey(ReviewTask.task_id), primary_key=True)
    same_child: Mapped[bool] = mapped_column(Boolean)
    # Each side's demographics as matching describes a child (`matching.Described.of`), so any model can score the pair again.
    record: Mapped[dict] = mapped_column(JSON)
    candidate: Mapped[dict] = mapped_column(JSON)
    # The model in force when the person decided.
    model_version: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
