"""Account administration: an operator, or an LA's administrator for its own LA's practitioners, creates accounts (whose
holders enrol from a one-time link), suspends, unlocks and re-vets them, and the scheduled sweep suspends the lapsed."""
from __future__ import annotations

from datetime import date, datetime, timezone

import redis
from sqlalchemy import delete, or_, select

from services.identity import SERVICE, enrolment, mail, vetting
from services.identity.categories import ROLES_SEEING_CHILDREN
from services.identity.errors import MailFailed, NotYourAccounts, OwnAccount, UnknownAccount, UsernameTaken, VettingNotCurrent, VettingRequired
from services.identity.models import ACTIVE, ENROLLING, SUSPENDED, Passkey, User
from services.identity.throttling import LoginThrottle
from shared import tokens
from shared.contracts.audit import audit_event
from shared.principals import LA_ADMIN, OPERATOR, PRACTITIONER
from shared.settings import Settings
from shared.unit_of_work import UnitOfWork


# An la_admin makes, suspends and re-vets its own LA's practitioners; la_admins, approvers and auditors are made and
# managed by the national operator alone, so that no administrator can make a second pair of hands for itself.
ROLES_AN_LA_ADMIN_MANAGES = (PRACTITIONER,)
# Categories the national operator alone gives: those of administrators and security teams.
CATEGORIES_OF_THE_OPERATOR = ("la_contactpoint_team", "security")


def add_user(uow: UnitOfWork, request: dict, envelope=None, *, postbox: mail.Postbox, settings: Settings) -> dict:
    """A new account, waiting for its holder to enrol from the one-time link they are sent: no one else sees its factors."""
    actor = request["actor"]
    _may_manage(actor, request["la_code"])
    if _is_la_admin(actor) and request["role"] not in ROLES_AN_LA_ADMIN_MANAGES:
        raise NotYourAccounts(f"only the national operator creates a {request['role']}: an LA administrator creates practitioners")
    if _is_la_admin(actor) and request["category"] in CATEGORIES_OF_THE_OPERATOR:
        raise NotYourAccounts(f"only the national operator gives the category {request['category']}")
    if request["role"] in ROLES_SEEING_CHILDREN and not (request["trained_on"] and request["disclosure_on"]):
        raise VettingRequired(request["role"])
    if uow.session.scalar(select(User.id).where(User.username == request["username"])):
        raise UsernameTaken(request["username"])
    vetted = request["trained_on"] or request["disclosure_on"]
    user = User(
        username=request["username"], email=request["email"], la_code=request["la_code"], category=request["category"],
        role=request["role"], totp_last_step=0, status=ENROLLING, failed_logins=0, created_by=_creator(actor),
        trained_on=request["trained_on"], disclosure_on=request["disclosure_on"],
        vetting_recorded_by=actor["username"] if vetted else None, vetting_recorded_at=now() if vetted else None,
    )
    uow.session.add(user)
    uow.session.flush()
    sent = _enrol_anew(user, actor, postbox, settings)
    uow.emit(audit_event(SERVICE, "account_created", actor=actor, la_code=user.la_code, subject=user.username,
                         detail={"role": user.role, "category": user.category, "enrolment_sent": sent["enrolment_sent"]}))
    return {**_summary(user), **sent}


def _enrol_anew(user: User, actor: dict, postbox: mail.Postbox, settings: Settings) -> dict:
    """A new one-time link replacing any earlier one: mailed to the holder, or, where no mail is configured, handed to the
    operator at the command line to pass on (never to an LA administrator, who is not the holder)."""
    token = enrolment.new_token()
    user.enrolment_hash, user.enrolment_expires_at = enrolment.token_hash(token), enrolment.expiry()
    url = enrolment.link(settings.portal_url, token)
    if postbox.configured and user.email:
        try:
            postbox.send(enrolment.letter(user.email, user.username, url))
        except mail.MailNotSent as exc:
            raise MailFailed(str(exc)) from exc
        return {"enrolment_sent": True}
    if actor["role"] == OPERATOR:
        return {"enrolment_sent": False, "enrolment_url": url}
    return {"enrolment_sent": False}


def suspend_user(uow: UnitOfWork, request: dict, envelope=None, *, sessions: redis.Redis) -> dict:
    user = _managed_account(uow, request)
    user.status, user.status_reason = SUSPENDED, request["reason"]
    tokens.end_sessions_of(sessions, user.username)
    uow.emit(_account_event("account_suspended", request, user, reason=request["reason"]))
    return _summary(user)


def unlock_user(uow: UnitOfWork, request: dict, envelope=None, *, settings: Settings, throttle: LoginThrottle) -> dict:
    """A locked or suspended account may sign in again, once its vetting is current."""
    user = _managed_account(uow, request)
    if lapsed := vetting.lapse(user.role, user.trained_on, user.disclosure_on, date.today(), settings):
        raise VettingNotCurrent(lapsed)
    was = user.status
    user.status, user.status_reason, user.failed_logins = ACTIVE if user.password_hash else ENROLLING, None, 0
    throttle.forgive(user.username)
    uow.emit(_account_event("account_unlocked", request, user, was=was))
    return _summary(user)


def reset_totp(uow: UnitOfWork, request: dict, envelope=None, *, postbox: mail.Postbox, settings: Settings,
               sessions: redis.Redis) -> dict:
    """A lost phone: the holder enrols again from a new link (a new password and second factor); the old ones, passkeys
    included, stop working at once, and so does every session."""
    user = _managed_account(uow, request)
    user.password_hash = user.totp_secret = None
    user.totp_last_step, user.passkey_required = 0, False
    uow.session.execute(delete(Passkey).where(Passkey.user_id == user.id))  # a lost phone may have been the passkey too
    if user.status != SUSPENDED:
        user.status, user.status_reason = ENROLLING, None
    tokens.end_sessions_of(sessions, user.username)
    sent = _enrol_anew(user, request["actor"], postbox, settings)
    uow.emit(_account_event("totp_reset", request, user, enrolment_sent=sent["enrolment_sent"]))
    return {**_summary(user), **sent}


def record_vetting(uow: UnitOfWork, request: dict, envelope=None) -> dict:
    user = _managed_account(uow, request)
    user.trained_on = request["trained_on"] or user.trained_on
    user.disclosure_on = request["disclosure_on"] or user.disclosure_on
    user.vetting_recorded_by, user.vetting_recorded_at = request["actor"]["username"], now()
    uow.emit(_account_event("vetting_recorded", request, user,
                            trained_on=_iso(user.trained_on), disclosure_on=_iso(user.disclosure_on)))
    return _summary(user)


def suspend_lapsed(uow: UnitOfWork, request: dict, envelope=None, *, settings: Settings, sessions: redis.Redis) -> dict:
    """Scheduled: suspends every active account whose vetting has lapsed, saying why, and ends its sessions."""
    today = date.today()
    candidates = uow.session.scalars(select(User).where(
        User.status == ACTIVE, User.role.in_(ROLES_SEEING_CHILDREN),
        or_(User.trained_on.is_(None), User.disclosure_on.is_(None),
            User.trained_on <= vetting.possibly_lapsed_before(today, settings.training_valid_years),
            User.disclosure_on <= vetting.possibly_lapsed_before(today, settings.disclosure_valid_years)),
    ).with_for_update())
    suspended = []
    for user in candidates:
        if lapsed := vetting.lapse(user.role, user.trained_on, user.disclosure_on, today, settings):
            user.status, user.status_reason = SUSPENDED, lapsed
            tokens.end_sessions_of(sessions, user.username)
            uow.emit(_account_event("account_suspended", {"actor": request["actor"]}, user, reason=lapsed))
            suspended.append(user.username)
    return {"suspended": suspended}


def list_users(uow: UnitOfWork, request: dict, envelope=None) -> list[dict]:
    la_code = request["actor"]["la_code"] if _is_la_admin(request["actor"]) else request["la_code"]
    _may_manage(request["actor"], la_code)
    query = select(User).order_by(User.la_code, User.username)
    if la_code:
        query = query.where(User.la_code == la_code)
    return [_summary(user) for user in uow.session.scalars(query)]


def account_for_update(uow: UnitOfWork, username: str) -> User | None:
    # Locking the row serialises a sign-in with anything that ends the account's sessions.
    return uow.session.scalar(select(User).where(User.username == username).with_for_update())


def _managed_account(uow: UnitOfWork, request: dict) -> User:
    """The account to change, if the asker may change it: never their own, and for an la_admin only its LA's practitioners."""
    actor = request["actor"]
    user = account_for_update(uow, request["username"])
    if user is None:
        raise UnknownAccount(request["username"])
    _may_manage(actor, user.la_code)
    if user.username == actor["username"]:
        raise OwnAccount()
    if _is_la_admin(actor) and user.role not in ROLES_AN_LA_ADMIN_MANAGES:
        raise NotYourAccounts(f"only the national operator manages a {user.role}'s account: an LA administrator manages practitioners'")
    return user


def _may_manage(actor: dict, la_code: str | None) -> None:
    """An operator manages every LA's accounts; an la_admin its own LA's; no one else any."""
    if actor["role"] == OPERATOR:
        return
    if not _is_la_admin(actor):
        raise NotYourAccounts("only an LA administrator manages accounts")
    if la_code != actor["la_code"]:
        raise NotYourAccounts("an LA administrator manages the accounts of its own LA only")


def _creator(actor: dict) -> str | None:
    """Who created an account, as its holder's tokens carry it: an administrator's account; None for the national operator
    at the command line, who makes every approver (the audit trail names which operator)."""
    return None if actor["role"] == OPERATOR else actor["username"]


def _is_la_admin(actor: dict) -> bool:
    return actor["role"] == LA_ADMIN


def _account_event(action: str, request: dict, user: User, **detail):
    return audit_event(SERVICE, action, actor=request["actor"], la_code=user.la_code, subject=user.username, detail=detail)


def _summary(user: User) -> dict:
    return {"username": user.username, "la_code": user.la_code, "category": user.category, "role": user.role,
            "status": user.status, "status_reason": user.status_reason,
            "trained_on": _iso(user.trained_on), "disclosure_on": _iso(user.disclosure_on),
            "vetting_recorded_by": user.vetting_recorded_by, "vetting_recorded_at": _iso(user.vetting_recorded_at)}


def now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def actor_of(user: User) -> dict:
    return {"username": user.username, "la_code": user.la_code, "role": user.role, "category": user.category}
