"""Identity's routing table: each request it answers, the handler that answers it, and who may ask it.

Its handlers, by use case: ``accounts`` (their administration), ``sign_in`` (signing in and out, a new password) and
``own_account`` (what a holder does with their own: enrolling, passkeys).
"""
from __future__ import annotations

from functools import partial

import redis

from services.identity import SERVICE, accounts, credentials, mail, own_account, passkeys, sign_in
from services.identity.schemas import (
    AddUserSchema, ChangePasswordSchema, CompleteEnrolmentSchema, ListUsersSchema, LoginSchema, LogoutSchema,
    ManagedAccountSchema, OpenEnrolmentSchema, PasskeyRegistrationOptionsSchema, PasskeySignInOptionsSchema, RecordVettingSchema,
    RegisterPasskeySchema, ScheduledSchema, SuspendUserSchema,
)
from services.identity.throttling import LoginRules, LoginThrottle
from shared.contracts import requests
from shared.principals import ANY_PERSON, ANYONE, LA_ADMIN, OPERATOR_ONLY, SCHEDULED, people
from shared.service import Request, Routes
from shared.settings import Settings

__all__ = ["SERVICE", "routes"]


def routes(*, vault: credentials.TotpVault, settings: Settings, sessions: redis.Redis) -> Routes:
    throttle = LoginThrottle(sessions, LoginRules.of(settings))
    postbox = mail.Postbox(settings.smtp_url, settings.mail_from)
    ceremonies = passkeys.Ceremonies(sessions, passkeys.RelyingParty(settings.webauthn_rp_id, settings.webauthn_origin))
    signing_in = {"vault": vault, "ceremonies": ceremonies, "settings": settings, "sessions": sessions, "throttle": throttle,
                  "postbox": postbox}
    administrators = people(LA_ADMIN) | OPERATOR_ONLY
    return Routes(requests={
        requests.ADD_USER: Request(AddUserSchema, partial(accounts.add_user, postbox=postbox, settings=settings), administrators),
        requests.OPEN_ENROLMENT: Request(OpenEnrolmentSchema, partial(own_account.open_enrolment, vault=vault), ANYONE),
        requests.COMPLETE_ENROLMENT: Request(CompleteEnrolmentSchema, partial(own_account.complete_enrolment, vault=vault), ANYONE),
        requests.LOGIN: Request(LoginSchema, partial(sign_in.login, **signing_in), ANYONE),
        requests.LOGOUT: Request(LogoutSchema, partial(sign_in.logout, sessions=sessions), ANY_PERSON),
        requests.CHANGE_PASSWORD: Request(ChangePasswordSchema, partial(sign_in.change_password, **signing_in), ANY_PERSON),
        requests.PASSKEY_SIGN_IN_OPTIONS: Request(
            PasskeySignInOptionsSchema, partial(sign_in.passkey_sign_in_options, ceremonies=ceremonies, throttle=throttle), ANYONE),
        requests.PASSKEY_REGISTRATION_OPTIONS: Request(
            PasskeyRegistrationOptionsSchema, partial(own_account.passkey_registration_options, ceremonies=ceremonies), ANY_PERSON),
        requests.REGISTER_PASSKEY: Request(RegisterPasskeySchema, partial(own_account.register_passkey, ceremonies=ceremonies), ANY_PERSON),
        requests.LIST_USERS: Request(ListUsersSchema, accounts.list_users, administrators),
        requests.SUSPEND_USER: Request(SuspendUserSchema, partial(accounts.suspend_user, sessions=sessions), administrators),
        requests.UNLOCK_USER: Request(ManagedAccountSchema, partial(accounts.unlock_user, settings=settings, throttle=throttle), administrators),
        requests.RESET_TOTP: Request(ManagedAccountSchema, partial(accounts.reset_totp, postbox=postbox, settings=settings, sessions=sessions),
                                     administrators),
        requests.RECORD_VETTING: Request(RecordVettingSchema, accounts.record_vetting, administrators),
        requests.SUSPEND_LAPSED: Request(ScheduledSchema, partial(accounts.suspend_lapsed, settings=settings, sessions=sessions), SCHEDULED),
    })
