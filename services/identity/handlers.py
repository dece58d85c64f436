"""Identity's handlers: one function per request, and the table that routes requests to them."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import partial

import redis
from sqlalchemy import delete, or_, select

from services.identity import credentials, enrolment, mail, passkeys, passwords, vetting
from services.identity.categories import CATEGORIES, ROLES_SEEING_CHILDREN
from services.identity.errors import (
    AccountBarred, EnrolmentNotOpened, EnrolmentNotValid, LoginFailed, MailFailed, NotYourAccounts, OwnAccount,
    PasskeyNotRegistered, UnknownAccount, UsernameTaken, VettingNotCurrent, VettingRequired, WeakPassword, WrongCode,
)
from services.identity.models import ACTIVE, ENROLLING, LOCKED, SUSPENDED, Passkey, User
from services.identity.schemas import (
    AddUserSchema, ChangePasswordSchema, CompleteEnrolmentSchema, ListUsersSchema, LoginSchema, LogoutSchema,
    OpenEnrolmentSchema, PasskeyRegistrationOptionsSchema, PasskeySignInOptionsSchema, RecordVettingSchema,
    ManagedAccountSchema, RegisterPasskeySchema, ScheduledSchema, SuspendUserSchema,
)
from services.identity.throttling import LoginRules, LoginThrottle
from shared import tokens
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.principals import ANY_PERSON, ANYONE, LA_ADMIN, OPERATOR, OPERATOR_ONLY, PRACTITIONER, SCHEDULED, people
from shared.service import Request, Routes
from shared.settings import Settings
from shared.unit_of_work import UnitOfWork

SERVICE = "identity"
log = logging.getLogger(__name__)
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
        vetting_recorded_by=actor["username"] if vetted else None, vetting_recorded_at=_now() if vetted else None,
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


def open_enrolment(uow: UnitOfWork, request: dict, envelope=None, *, vault: credentials.TotpVault) -> dict:
    """The holder opens their link: a new TOTP secret for their authenticator, shown to them alone (each opening makes a new one)."""
    user = _enrolling(uow, request["token"])
    secret, user.totp_secret = vault.new_secret()
    user.totp_last_step = 0
    uow.emit(audit_event(SERVICE, "enrolment_opened", la_code=user.la_code, subject=user.username))
    return {"username": user.username, "totp_secret": secret, "otpauth_uri": credentials.enrolment_uri(secret, user.username)}


def complete_enrolment(uow: UnitOfWork, request: dict, envelope=None, *, vault: credentials.TotpVault) -> dict:
    """The holder chooses their password and proves their authenticator holds the secret; the link is spent."""
    user = _enrolling(uow, request["token"])
    if user.totp_secret is None:
        raise EnrolmentNotOpened()
    if why := passwords.weakness(request["password"], user.username):
        raise WeakPassword(why)
    step = credentials.accepted_step(vault.open(user.totp_secret), request["otp"], user.totp_last_step)
    if step is None:
        raise WrongCode()
    user.password_hash, user.totp_last_step = credentials.hash_password(request["password"]), step
    user.enrolment_hash = user.enrolment_expires_at = None
    if user.status == ENROLLING:
        user.status = ACTIVE
    uow.emit(audit_event(SERVICE, "account_enrolled", actor=_actor(user), la_code=user.la_code, subject=user.username))
    return {"username": user.username, "status": user.status}


def _enrolling(uow: UnitOfWork, token: str) -> User:
    user = uow.session.scalar(select(User).where(User.enrolment_hash == enrolment.token_hash(token)).with_for_update())
    if user is None or user.enrolment_expires_at <= _now():
        raise EnrolmentNotValid()
    return user


def login(uow: UnitOfWork, request: dict, envelope=None, *, vault: credentials.TotpVault, ceremonies: passkeys.Ceremonies,
          settings: Settings, sessions: redis.Redis, throttle: LoginThrottle, postbox: mail.Postbox) -> dict:
    throttle.check(request["username"], request["client"])
    user = _account_for_update(uow, request["username"])
    proof = _proof(uow, vault, ceremonies, user, request, request["password"])
    if not proof.complete:
        _refuse_login(uow, user, request, proof, settings, throttle, postbox)
    user.totp_last_step = proof.step or user.totp_last_step
    throttle.forgive(user.username, request["client"])
    _refuse_if_lapsed(uow, user, request, settings)
    user.failed_logins = 0
    token, expires_in = tokens.issue(
        settings.token_key, sessions, _session_limits(settings), username=user.username, la_code=user.la_code,
        role=user.role, category=user.category, sees_sensitive=CATEGORIES[user.category].sees_sensitive,
        created_by=user.created_by, created_at=int(user.created_at.timestamp()) if user.created_by else None,
    )
    uow.emit(audit_event(SERVICE, "login_succeeded", actor=_actor(user),
                         detail={"client": request["client"], "second_factor": "passkey" if proof.passkey else "totp"}))
    return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in,
            "idle_timeout": settings.token_lifetime_seconds}


@dataclass(frozen=True)
class _Proof:
    password_right: bool
    step: int | None = None  # the one-time code's time step, when it was right
    passkey: bool = False  # a passkey of the account answered its challenge
    passkey_required: bool = False

    @property
    def complete(self) -> bool:
        second_factor = self.passkey or (self.step is not None and not self.passkey_required)
        return self.password_right and second_factor


def _proof(uow: UnitOfWork, vault: credentials.TotpVault, ceremonies: passkeys.Ceremonies, user: User | None,
           request: dict, password: str) -> _Proof:
    """What the factors prove. An unknown, locked or suspended account is checked against stand-ins, never its own:
    it is refused as a wrong password is, after the same work, so neither the answer nor its time tells it apart."""
    own = user if user is not None and user.status == ACTIVE else None
    password_right = credentials.password_matches(own.password_hash if own else None, password) and own is not None
    if request.get("passkey") is not None:
        return _Proof(password_right, passkey=own is not None and _passkey_answered(uow, ceremonies, own, request["passkey"]))
    secret = vault.open(own.totp_secret if own else vault.stand_in)
    step = credentials.accepted_step(secret, request["otp"], own.totp_last_step if own else 0)
    return _Proof(password_right, step if own else None, passkey_required=bool(own and own.passkey_required))


def _passkey_answered(uow: UnitOfWork, ceremonies: passkeys.Ceremonies, user: User, answer: dict) -> bool:
    """Whether one of the account's passkeys answered the account's challenge; its counter moves on when it did."""
    try:
        key = uow.session.scalar(select(Passkey).where(
            Passkey.user_id == user.id, Passkey.credential_id == passkeys.credential_id_of(answer["credential"])))
        if key is None:
            return False
        key.sign_count = ceremonies.signed_in(user.username, answer["ceremony"], answer["credential"], key.public_key,
                                              key.sign_count)
        return True
    except passkeys.PasskeyRefused as refused:
        log.info("a passkey answer for %s was refused: %s", user.username, refused)
        return False


def _refuse_login(uow: UnitOfWork, user: User | None, request: dict, proof: _Proof, settings: Settings,
                  throttle: LoginThrottle, postbox: mail.Postbox) -> None:
    """Refuses, keeping the failure counted (the refusal must not roll it back).

    Only the right password with a wrong second factor counts towards the lock: whoever does that
    knows the password, and the holder is told once the lock is committed. A wrong password only makes the guesser wait.
    """
    throttle.failed(request["username"], request["client"])
    if user is not None and proof.password_right and _count_towards_lock(uow, user, request, settings):
        uow.after_commit(lambda: _tell_holder_of_lock(postbox, user))
    raise LoginFailed().audited(audit_event(
        SERVICE, "login_failed", la_code=user.la_code if user else None, outcome="refused", subject=request["username"],
        detail={"client": request["client"], "status": user.status if user else None,
                "first_factor_right": proof.password_right},
    ), keeping_work=True)


def _count_towards_lock(uow: UnitOfWork, user: User, request: dict, settings: Settings) -> bool:
    """Whether this wrong second factor after the right password locked the account."""
    user.failed_logins += 1
    if user.failed_logins < settings.login_lockout_after:
        return False
    user.status = LOCKED
    user.status_reason = f"locked after {user.failed_logins} sign-ins with the right password and a wrong second factor"
    uow.emit(audit_event(SERVICE, "account_locked", la_code=user.la_code, subject=user.username,
                         detail={"failed_logins": user.failed_logins, "client": request["client"]}))
    return True


def _tell_holder_of_lock(postbox: mail.Postbox, user: User) -> None:
    """The lock is already committed; a letter that cannot go is logged, and the lock stands."""
    if not (postbox.configured and user.email):
        log.warning("account %s was locked, and its holder could not be told: %s", user.username,
                    "no mail server is configured" if user.email else "the account has no email address")
        return
    try:
        postbox.send(mail.Letter(user.email, "Your ContactPoint account is locked", LOCK_LETTER.format(
            username=user.username, times=user.failed_logins)))
    except mail.MailNotSent as exc:
        log.error("account %s was locked, and its holder could not be told: %s", user.username, exc)


LOCK_LETTER = """\
Your ContactPoint account {username} has been locked.

Someone signed in with your password {times} times, each time with a wrong one-time code or
passkey. If that was not you, your password is known to someone else.

Ask your LA administrator to unlock the account, and then choose a new password.
"""


def _refuse_if_lapsed(uow: UnitOfWork, user: User, request: dict, settings: Settings) -> None:
    """Tells someone who proved who they are that their vetting has lapsed; the code they used stays used."""
    lapsed = vetting.lapse(user.role, user.trained_on, user.disclosure_on, date.today(), settings)
    if not lapsed:
        return
    refused = audit_event(SERVICE, "login_refused", actor=_actor(user), outcome="refused",
                          detail={"client": request["client"], "reason": "vetting_lapsed"})
    raise AccountBarred("vetting_lapsed", f"this account may not sign in: {lapsed}").audited(refused, keeping_work=True)


def logout(uow: UnitOfWork, request: dict, envelope=None, *, sessions: redis.Redis) -> dict:
    tokens.end_session(sessions, request["actor"]["token_id"])
    uow.emit(audit_event(SERVICE, "logout", actor=request["actor"]))
    return {}


def change_password(uow: UnitOfWork, request: dict, envelope=None, *, vault: credentials.TotpVault,
                    ceremonies: passkeys.Ceremonies, settings: Settings, sessions: redis.Redis, throttle: LoginThrottle,
                    postbox: mail.Postbox) -> dict:
    """Someone signed in chooses a new password, proving it is them again with the old one and a fresh code."""
    username = request["actor"]["username"]
    if why := passwords.weakness(request["new_password"], username):
        raise WeakPassword(why)
    throttle.check(username, request["client"])
    user = _account_for_update(uow, username)
    proof = _proof(uow, vault, ceremonies, user, request, request["old_password"])
    if not proof.complete:
        _refuse_login(uow, user, {**request, "username": username}, proof, settings, throttle, postbox)
    user.totp_last_step = proof.step or user.totp_last_step
    user.password_hash = credentials.hash_password(request["new_password"])
    tokens.end_sessions_of(sessions, username)
    uow.emit(audit_event(SERVICE, "password_changed", actor=request["actor"], subject=username,
                         detail={"client": request["client"]}))
    return {}


def passkey_sign_in_options(uow: UnitOfWork, request: dict, envelope=None, *, ceremonies: passkeys.Ceremonies,
                            throttle: LoginThrottle) -> dict:
    """A challenge to sign in to this account with a passkey; the same for any username, known or not."""
    throttle.check(request["username"], request["client"])
    return ceremonies.sign_in_options(request["username"])


def passkey_registration_options(uow: UnitOfWork, request: dict, envelope=None, *, ceremonies: passkeys.Ceremonies) -> dict:
    """A challenge for the signed-in holder to register a passkey for their own account."""
    user = _account_for_update(uow, request["actor"]["username"])
    registered = uow.session.scalars(select(Passkey.credential_id).where(Passkey.user_id == user.id)).all()
    return ceremonies.registration_options(user.username, _user_handle(user), list(registered))


def register_passkey(uow: UnitOfWork, request: dict, envelope=None, *, ceremonies: passkeys.Ceremonies) -> dict:
    """The holder's new passkey, kept; with ``required``, the account signs in with a passkey alone from now on."""
    user = _account_for_update(uow, request["actor"]["username"])
    try:
        made = ceremonies.registered(user.username, request["ceremony"], request["credential"])
    except passkeys.PasskeyRefused as refused:
        raise PasskeyNotRegistered(str(refused)) from refused
    if uow.session.scalar(select(Passkey.id).where(Passkey.credential_id == made.credential_id)):
        raise PasskeyNotRegistered("this passkey is registered already")
    uow.session.add(Passkey(user_id=user.id, credential_id=made.credential_id, public_key=made.public_key,
                            sign_count=made.sign_count))
    user.passkey_required = user.passkey_required or request["required"]
    uow.emit(audit_event(SERVICE, "passkey_registered", actor=request["actor"], la_code=user.la_code, subject=user.username,
                         detail={"passkey_required": user.passkey_required}))
    uow.session.flush()
    count = len(uow.session.scalars(select(Passkey.id).where(Passkey.user_id == user.id)).all())
    return {"passkeys": count, "passkey_required": user.passkey_required}


def _user_handle(user: User) -> bytes:
    # WebAuthn's user handle may be kept by the authenticator and shown: an opaque number, never a name.
    return str(user.id).encode()


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
    user.vetting_recorded_by, user.vetting_recorded_at = request["actor"]["username"], _now()
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


def _account_for_update(uow: UnitOfWork, username: str) -> User | None:
    # Locking the row serialises a sign-in with anything that ends the account's sessions.
    return uow.session.scalar(select(User).where(User.username == username).with_for_update())


def _managed_account(uow: UnitOfWork, request: dict) -> User:
    """The account to change, if the asker may change it: never their own, and for an la_admin only its LA's practitioners."""
    actor = request["actor"]
    user = _account_for_update(uow, request["username"])
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


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _actor(user: User) -> dict:
    return {"username": user.username, "la_code": user.la_code, "role": user.role, "category": user.category}


def _session_limits(settings: Settings) -> tokens.SessionLimits:
    return tokens.SessionLimits(idle_seconds=settings.token_lifetime_seconds, max_seconds=settings.session_max_seconds)


def routes(*, vault: credentials.TotpVault, settings: Settings, sessions: redis.Redis) -> Routes:
    throttle = LoginThrottle(sessions, LoginRules.of(settings))
    postbox = mail.Postbox(settings.smtp_url, settings.mail_from)
    ceremonies = passkeys.Ceremonies(sessions, passkeys.RelyingParty(settings.webauthn_rp_id, settings.webauthn_origin))
    signing_in = {"vault": vault, "ceremonies": ceremonies, "settings": settings, "sessions": sessions, "throttle": throttle,
                  "postbox": postbox}
    administrators = people(LA_ADMIN) | OPERATOR_ONLY
    return Routes(requests={
        requests.ADD_USER: Request(AddUserSchema, partial(add_user, postbox=postbox, settings=settings), administrators),
        requests.OPEN_ENROLMENT: Request(OpenEnrolmentSchema, partial(open_enrolment, vault=vault), ANYONE),
        requests.COMPLETE_ENROLMENT: Request(CompleteEnrolmentSchema, partial(complete_enrolment, vault=vault), ANYONE),
        requests.LOGIN: Request(LoginSchema, partial(login, **signing_in), ANYONE),
        requests.LOGOUT: Request(LogoutSchema, partial(logout, sessions=sessions), ANY_PERSON),
        requests.CHANGE_PASSWORD: Request(ChangePasswordSchema, partial(change_password, **signing_in), ANY_PERSON),
        requests.PASSKEY_SIGN_IN_OPTIONS: Request(
            PasskeySignInOptionsSchema, partial(passkey_sign_in_options, ceremonies=ceremonies, throttle=throttle), ANYONE),
        requests.PASSKEY_REGISTRATION_OPTIONS: Request(
            PasskeyRegistrationOptionsSchema, partial(passkey_registration_options, ceremonies=ceremonies), ANY_PERSON),
        requests.REGISTER_PASSKEY: Request(RegisterPasskeySchema, partial(register_passkey, ceremonies=ceremonies), ANY_PERSON),
        requests.LIST_USERS: Request(ListUsersSchema, list_users, administrators),
        requests.SUSPEND_USER: Request(SuspendUserSchema, partial(suspend_user, sessions=sessions), administrators),
        requests.UNLOCK_USER: Request(ManagedAccountSchema, partial(unlock_user, settings=settings, throttle=throttle), administrators),
        requests.RESET_TOTP: Request(ManagedAccountSchema, partial(reset_totp, postbox=postbox, settings=settings, sessions=sessions),
                                     administrators),
        requests.RECORD_VETTING: Request(RecordVettingSchema, record_vetting, administrators),
        requests.SUSPEND_LAPSED: Request(ScheduledSchema, partial(suspend_lapsed, settings=settings, sessions=sessions), SCHEDULED),
    })
