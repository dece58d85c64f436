"""Signing in: a password and a second factor (a one-time code or a passkey), throttled, counted towards a lock when the
password was right; signing out; and a new password, proven with the old one and a fresh second factor."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import redis
from sqlalchemy import select

from services.identity import SERVICE, credentials, mail, passkeys, passwords, vetting
from services.identity.accounts import account_for_update, actor_of
from services.identity.categories import CATEGORIES
from services.identity.errors import AccountBarred, LoginFailed, WeakPassword
from services.identity.models import ACTIVE, LOCKED, Passkey, User
from services.identity.throttling import LoginThrottle
from shared import tokens
from shared.contracts.audit import audit_event
from shared.settings import Settings
from shared.unit_of_work import UnitOfWork


log = logging.getLogger(__name__)


def login(uow: UnitOfWork, request: dict, envelope=None, *, vault: credentials.TotpVault, ceremonies: passkeys.Ceremonies,
          settings: Settings, sessions: redis.Redis, throttle: LoginThrottle, postbox: mail.Postbox) -> dict:
    throttle.check(request["username"], request["client"])
    user = account_for_update(uow, request["username"])
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
    uow.emit(audit_event(SERVICE, "login_succeeded", actor=actor_of(user),
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
    refused = audit_event(SERVICE, "login_refused", actor=actor_of(user), outcome="refused",
                          detail={"client": request["client"], "reason": "vetting_lapsed"})
    raise AccountBarred(f"this account may not sign in: {lapsed}", code="vetting_lapsed").audited(refused, keeping_work=True)


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
    user = account_for_update(uow, username)
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


def _session_limits(settings: Settings) -> tokens.SessionLimits:
    return tokens.SessionLimits(idle_seconds=settings.token_lifetime_seconds, max_seconds=settings.session_max_seconds)
