"""That no one changed the store: the whole chain walked against its head and its signed checkpoints, and the head signed
as scheduled."""
from __future__ import annotations

from sqlalchemy import select

from services.audit import SERVICE, chain, checkpoints, verification
from services.audit.models import AuditRecord, ChainHead, SignedCheckpoint
from shared.contracts.audit import audit_event
from shared.messaging.envelope import utcnow
from shared.settings import Settings
from shared.unit_of_work import UnitOfWork

VERIFY_BATCH = 2000


def verify_store(uow: UnitOfWork, request: dict, envelope=None, *, settings: Settings) -> dict:
    """Walks the whole store up to the chain head as it was when the walk began (checkpoints read first: none is newer).

    Signatures are checked with the public keys the request gives, else with those configured; with none, not at all.
    """
    public_keys = request["public_keys"] or checkpoints.configured_checking_keys(settings.checkpoint_public_key, settings.checkpoint_key)
    signed = [checkpoints.Checkpoint(c.id, c.seq, c.hash, c.signed_at, c.key_id, c.signature)
              for c in uow.session.scalars(select(SignedCheckpoint).order_by(SignedCheckpoint.id))]
    head = uow.session.get(ChainHead, 1)
    head_at = (head.seq, head.hash) if head else None
    rows = uow.session.execute(
        select(AuditRecord).where(AuditRecord.seq <= (head.seq if head else 0)).order_by(AuditRecord.seq)
        .execution_options(yield_per=VERIFY_BATCH)
    ).scalars()
    verdict = verification.verify((_stored(record) for record in rows), head_at, signed, public_keys)
    uow.emit(audit_event(SERVICE, "verify", actor=request["actor"], outcome="success" if verdict.intact else "failure",
                         detail={"events": verdict.events, "first_bad_seq": verdict.first_bad_seq}))
    return verdict.as_dict()

def sign_checkpoint(uow: UnitOfWork, request: dict, envelope=None, *, settings: Settings) -> dict:
    """Signs the chain head as it is now, unless the last checkpoint already holds it."""
    key = checkpoints.signing_key(settings.checkpoint_key)
    head = uow.session.get(ChainHead, 1) or ChainHead(id=1, seq=0, hash=chain.GENESIS)
    last = uow.session.scalar(select(SignedCheckpoint).order_by(SignedCheckpoint.id.desc()).limit(1))
    if last is not None and last.seq == head.seq:
        return {"seq": last.seq, "signed_at": last.signed_at, "new": False}
    checkpoint = SignedCheckpoint(**checkpoints.sign(key, head.seq, head.hash, utcnow().isoformat()))
    uow.session.add(checkpoint)
    return {"seq": checkpoint.seq, "signed_at": checkpoint.signed_at, "new": True}

def _stored(record: AuditRecord) -> verification.StoredEvent:
    columns = {name: getattr(record, name) for name in chain.INDEXED_COLUMNS}
    return verification.StoredEvent(record.seq, record.event, record.prev_hash, record.hash, columns)
