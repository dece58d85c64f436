"""A linked child as the other services learn of it: each new version sent on, and which LAs' sources hold it."""
from __future__ import annotations

from sqlalchemy import select, update

from services.feeds import merging
from services.feeds.models import LinkedChild, Source, SourceRecord
from shared.contracts.children import child_merged
from shared.db import one_of
from shared.messaging.envelope import Envelope
from shared.principals import LA_ADMIN
from shared.unit_of_work import UnitOfWork


# The LA ContactPoint team, as the roles name it.
LA_TEAM = LA_ADMIN


def publish_all(uow: UnitOfWork, children: list[LinkedChild], told: list[Envelope], born: set[str] = frozenset()) -> None:
    """Sends each child's new version, with ``told`` (what a batch tells its sources), for many children at once."""
    # One statement locks each child held before and raises its version; the rows it returns are read afresh, for a
    # person's review may have been changing the same child. The children ``born`` here are at their first version.
    held_before = [child.contactpoint_id for child in children if child.contactpoint_id not in born]
    if held_before:
        uow.session.scalars(update(LinkedChild).where(one_of(LinkedChild.contactpoint_id, held_before))
                            .values(version=LinkedChild.version + 1).returning(LinkedChild)
                            .execution_options(populate_existing=True, synchronize_session=False)).all()
    uow.emit(*(child_merged(merged) for merged in merging.snapshots(uow.session, children)), *told)


def publish(uow: UnitOfWork, *children: LinkedChild) -> None:
    """Sends the new version of children this unit of work has locked already, as a person's decision changed them."""
    for child in children:
        child.version += 1
    uow.session.flush()
    uow.emit(*(child_merged(merging.snapshot(uow.session, child)) for child in children))


def las_holding(session, *contactpoint_ids: str) -> set[str]:
    """The LAs whose sources hold any of these children: the ContactPoint team of any of them may decide about them."""
    return set(session.scalars(
        select(Source.la_code).join(SourceRecord, SourceRecord.source_id == Source.source_id)
        .where(one_of(SourceRecord.contactpoint_id, contactpoint_ids), SourceRecord.held, Source.la_code.is_not(None))
    ))
