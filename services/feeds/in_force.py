"""Which linkage model matching scores with: put in force by an operator, shown, its term frequencies counted again daily,
its accuracy estimated from the pairs reviewers decided."""
from __future__ import annotations

import time
from dataclasses import replace
from weakref import WeakKeyDictionary

from sqlalchemy import func, select

from services.feeds import SERVICE, accuracy, linkage_model
from services.feeds.models import LabelledPair, LinkageModelUsed, SourceRecord
from shared.contracts.audit import audit_event
from shared.errors import InvalidRequest
from shared.messaging.envelope import utcnow
from shared.unit_of_work import UnitOfWork


# How long a process matches with the model it found in force before it asks again: a model put in force scores every
# worker's records within this time, and a batch of a few messages does not pay for a query of its own.
MODEL_ASKED_EVERY = 5.0
# Each model put in force, as read from its text, which a process reads only once.
_MODELS_READ: dict[str, linkage_model.LinkageModel] = {}
# When each database was last asked which model is in force, and the answer.
_IN_FORCE: WeakKeyDictionary = WeakKeyDictionary()


def model_in_force(session) -> linkage_model.LinkageModel:
    """The model put in force last, as asked at most ``MODEL_ASKED_EVERY`` seconds ago; the hand-set one while none has been."""
    database = session.get_bind()
    asked_at, model = _IN_FORCE.get(database, (None, None))
    if asked_at is not None and time.monotonic() - asked_at < MODEL_ASKED_EVERY:
        return model
    version = session.scalar(select(LinkageModelUsed.version).order_by(LinkageModelUsed.put_in_force_at.desc()).limit(1))
    if version is not None and version not in _MODELS_READ:
        _MODELS_READ[version] = linkage_model.loads(session.get(LinkageModelUsed, version).model)
    model = linkage_model.DEFAULT if version is None else _MODELS_READ[version]
    _IN_FORCE[database] = (time.monotonic(), model)
    return model


def use_linkage_model(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Puts a linkage model in force for every record matched from now on (an earlier version, given again, goes back in force)."""
    try:
        model = linkage_model.loads(request["model"])
    except (ValueError, KeyError, TypeError) as refused:
        raise InvalidRequest(f"not a linkage model file: {refused}") from refused
    return _shown(model, _put_in_force(uow, model, request["actor"]))


def refresh_term_frequencies(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Puts in force the model in force with how common each name and postcode is among the records held now, counted by
    the database; scheduled daily, so that a name grown common in the directory weighs less than when the model was trained."""
    model = model_in_force(uow.session)
    counted = {comparison: dict(uow.session.execute(select(column, func.count()).where(SourceRecord.held).group_by(column)).all())
               for comparison, column in TERM_FREQUENCY_COLUMNS.items()}
    held = sum(counted["family_name"].values())
    if not held:
        return {"refreshed": False, "version": model.version, "records": 0}
    base = model.version.split(REFRESHED, 1)[0]
    refreshed = replace(model, version=f"{base}{REFRESHED}{utcnow():%Y%m%dT%H%M%S}",
                        term_frequencies={comparison: linkage_model.shares(found) for comparison, found in counted.items()})
    _put_in_force(uow, refreshed, request["actor"], records=held)
    return {"refreshed": True, "version": refreshed.version, "records": held}


# The columns held records keep each value of a term-frequency comparison in, as `matching.term_values` reads them.
TERM_FREQUENCY_COLUMNS = {"family_name": SourceRecord.family_key, "given_name": SourceRecord.given_key, "postcode": SourceRecord.postcode}
# Between a model's version and the instant its term frequencies were last counted again.
REFRESHED = "+tf"


def _put_in_force(uow: UnitOfWork, model: linkage_model.LinkageModel, actor: dict, **detail) -> LinkageModelUsed:
    previous = model_in_force(uow.session)
    written = linkage_model.dumps(model)
    used = uow.session.get(LinkageModelUsed, model.version) or LinkageModelUsed(version=model.version, model=written)
    if used.model != written:
        raise InvalidRequest(f"a model of version {model.version!r} with other weights was put in force before: a version names one model")
    used.put_in_force_by, used.put_in_force_at = actor["username"], utcnow()
    uow.session.add(used)
    _IN_FORCE.pop(uow.session.get_bind(), None)
    uow.emit(audit_event(SERVICE, "linkage_model_changed", actor=actor, subject=model.version,
                         detail={"trained_by": model.trained_by, "trained_on": model.trained_on, "previous": previous.version, **detail}))
    return used


def show_linkage_model(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    model = model_in_force(uow.session)
    return _shown(model, uow.session.get(LinkageModelUsed, model.version))


def _shown(model: linkage_model.LinkageModel, used: LinkageModelUsed | None) -> dict:
    return {**model.describe(), "put_in_force_by": used.put_in_force_by if used else None,
            "put_in_force_at": used.put_in_force_at.isoformat() if used else None}


def linkage_accuracy(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    """Precision and recall of the model in force, with their 95% intervals, over every pair a person decided in review."""
    model = model_in_force(uow.session)
    pairs = uow.session.scalars(select(LabelledPair).order_by(LabelledPair.task_id)).all()
    estimated = accuracy.estimate([(pair.record, pair.candidate, pair.same_child) for pair in pairs], model)
    uow.emit(audit_event(SERVICE, "linkage_accuracy_estimated", actor=request["actor"], subject=model.version,
                         detail={"labelled_pairs": len(pairs), "precision": estimated["precision"]["estimate"],
                                 "recall": estimated["recall"]["estimate"]}))
    return estimated
