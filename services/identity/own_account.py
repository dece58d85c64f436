"""What a holder does with their own account: enrols from its one-time link, and registers passkeys."""
from __future__ import annotations

from sqlalchemy import select

from services.identity import SERVICE, credentials, enrolment, passkeys, passwords
from services.identity.accounts import account_for_update, actor_of, now
from services.identity.errors import EnrolmentNotOpened, EnrolmentNotValid, PasskeyNotRegistered, WeakPassword, WrongCode
from services.identity.models import ACTIVE, ENROLLING, Passkey, User
from shared.contracts.audit import audit_event
from shared.unit_of_work import UnitOfWork


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
    uow.emit(audit_event(SERVICE, "account_enrolled", actor=actor_of(user), la_code=user.la_code, subject=user.username))
    return {"username": user.username, "status": user.status}


def _enrolling(uow: UnitOfWork, token: str) -> User:
    user = uow.session.scalar(select(User).where(User.enrolment_hash == enrolment.token_hash(token)).with_for_update())
    if user is None or user.enrolment_expires_at <= now():
        raise EnrolmentNotValid()
    return user


def passkey_registration_options(uow: UnitOfWork, request: dict, envelope=None, *, ceremonies: passkeys.Ceremonies) -> dict:
    """A challenge for the signed-in holder to register a passkey for their own account."""
    user = account_for_update(uow, request["actor"]["username"])
    registered = uow.session.scalars(select(Passkey.credential_id).where(Passkey.user_id == user.id)).all()
    return ceremonies.registration_options(user.username, _user_handle(user), list(registered))


def register_passkey(uow: UnitOfWork, request: dict, envelope=None, *, ceremonies: passkeys.Ceremonies) -> dict:
    """The holder's new passkey, kept; with ``required``, the account signs in with a passkey alone from now on."""
    user = account_for_update(uow, request["actor"]["username"])
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
