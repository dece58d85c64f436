"""Identity's handlers: one function per request, and the table that routes requests to them."""
from __future__ import annotations

from functools import partial

import redis
from sqlalchemy import select

from services.identity import credentials
from services.identity.categories import CATEGORIES, ROLES_SEEING_CHILDREN
from services.identity.errors import LoginFailed, UsernameTaken, VettingRequired
from services.identity.models import User
from services.identity.schemas import AddUserSchema, ListUsersSchema, LoginSchema, LogoutSchema
from shared import tokens
from shared.contracts import requests
from shared.contracts.audit import audit_event
from shared.service import Request, Routes
from shared.settings import Settings
from shared.unit_of_work import UnitOfWork

SERVICE = "identity"


def add_user(uow: UnitOfWork, request: dict, envelope=None, *, vault: credentials.TotpVault) -> dict:
    if request["role"] in ROLES_SEEING_CHILDREN and not (request["trained_on"] and request["disclosure_on"]):
        raise VettingRequired(request["role"])
    if uow.session.scalar(select(User.id).where(User.username == request["username"])):
        raise UsernameTaken(request["username"])
    password = credentials.new_password()
    secret, sealed = vault.new_secret()
    user = User(
        username=request["username"], la_code=request["la_code"], category=request["category"], role=request["role"],
        password_hash=credentials.hash_password(password), totp_secret=sealed, totp_last_step=0,
        trained_on=request["trained_on"], disclosure_on=request["disclosure_on"], status="active", failed_logins=0,
    )
    uow.session.add(user)
    uow.emit(audit_event(SERVICE, "account_created", actor=request["actor"], la_code=user.la_code, subject=user.username,
                         detail={"role": user.role, "category": user.category}))
    return {
        "username": user.username, "password": password, "totp_secret": secret,
        "otpauth_uri": credentials.enrolment_uri(secret, user.username),
    }


def login(uow: UnitOfWork, request: dict, envelope=None, *, vault: credentials.TotpVault, settings: Settings) -> dict:
    user = uow.session.scalar(select(User).where(User.username == request["username"]).with_for_update())
    password_ok = credentials.password_matches(user.password_hash if user else None, request["password"])
    step = credentials.accepted_step(vault.open(user.totp_secret), request["otp"], user.totp_last_step) if user else None
    if not (user and password_ok and step and user.status == "active"):
        _refuse_login(uow, user, request)
    user.totp_last_step = step
    user.failed_logins = 0
    category = CATEGORIES[user.category]
    token, lifetime = tokens.issue(
        settings.token_key, username=user.username, la_code=user.la_code, role=user.role,
        category=user.category, sees_sensitive=category.sees_sensitive, lifetime=settings.token_lifetime_seconds,
    )
    uow.emit(audit_event(SERVICE, "login_succeeded", actor=_actor(user), detail={"client": request["client"]}))
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime}


def _refuse_login(uow: UnitOfWork, user: User | None, request: dict) -> None:
    """Records the failure, commits it (the refusal must not roll it back), and refuses."""
    if user is not None:
        user.failed_logins += 1
    uow.emit(audit_event(
        SERVICE, "login_failed", la_code=user.la_code if user else None, outcome="refused",
        subject=request["username"], detail={"client": request["client"]},
    ))
    uow.commit()
    raise LoginFailed()


def logout(uow: UnitOfWork, request: dict, envelope=None, *, revocations: redis.Redis) -> dict:
    tokens.revoke(revocations, request["token_id"], request["expires_at"])
    uow.emit(audit_event(SERVICE, "logout", actor=request["actor"]))
    return {}


def list_users(uow: UnitOfWork, request: dict, envelope=None) -> list[dict]:
    query = select(User).order_by(User.la_code, User.username)
    if request["la_code"]:
        query = query.where(User.la_code == request["la_code"])
    return [
        {"username": u.username, "la_code": u.la_code, "category": u.category, "role": u.role, "status": u.status,
         "trained_on": _iso(u.trained_on), "disclosure_on": _iso(u.disclosure_on)}
        for u in uow.session.scalars(query)
    ]


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _actor(user: User) -> dict:
    return {"username": user.username, "la_code": user.la_code, "role": user.role, "category": user.category}


def routes(*, vault: credentials.TotpVault, settings: Settings, revocations: redis.Redis) -> Routes:
    return Routes(requests={
        requests.ADD_USER: Request(AddUserSchema, partial(add_user, vault=vault)),
        requests.LOGIN: Request(LoginSchema, partial(login, vault=vault, settings=settings)),
        requests.LOGOUT: Request(LogoutSchema, partial(logout, revocations=revocations)),
        requests.LIST_USERS: Request(ListUsersSchema, list_users),
    })
