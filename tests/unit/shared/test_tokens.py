"""Access tokens: signed claims checked without asking identity, refused once expired, idle too long or revoked."""
from __future__ import annotations

import time

import fakeredis
import jwt
import pytest

from shared import tokens
from shared.errors import NotAuthenticated
from shared.signing import new_private_key, private_key, public_half

KEY = new_private_key()
PUBLIC_KEY = public_half(KEY)
IDLE = 1800
LIMITS = tokens.SessionLimits(idle_seconds=IDLE, max_seconds=600)
OTHER_KEY = new_private_key()


def signing(key: str):
    return private_key(key, "a test key")


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def revocations():
    return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)


def issued(revocations, key: str = KEY, lifetime: int = 600, **claims) -> str:
    token, _ = tokens.issue(key, revocations, tokens.SessionLimits(IDLE, lifetime), **{
        "username": "sam.patel", "la_code": "E08000035", "role": "practitioner",
        "category": "social_worker", "sees_sensitive": True, **claims,
    })
    return token


def verify(token: str, revocations, key: str = PUBLIC_KEY) -> tokens.Actor:
    return tokens.verify(key, token, revocations, IDLE)


def test_a_token_names_the_account_its_la_role_and_what_its_category_may_see(revocations):
    actor = verify(issued(revocations), revocations)

    assert (actor.username, actor.la_code, actor.role, actor.category, actor.sees_sensitive) == (
        "sam.patel", "E08000035", "practitioner", "social_worker", True)


def test_a_token_expires_at_the_hard_limit_after_it_is_issued(revocations):
    before = int(time.time())
    token, lifetime = tokens.issue(KEY, revocations, tokens.SessionLimits(IDLE, 900), username="u", la_code="E08000035",
                                   role="auditor", category="security", sees_sensitive=False)

    actor = verify(token, revocations)

    assert lifetime == 900
    assert before + 900 <= actor.expires_at <= int(time.time()) + 900


def test_every_token_has_an_id_of_its_own(revocations):
    ids = {claims_of(issued(revocations))["jti"] for _ in range(20)}

    assert len(ids) == 20


def test_what_handlers_are_told_of_the_actor_names_the_session_but_leaves_out_the_token(revocations):
    token = issued(revocations, sees_sensitive=False)
    told = verify(token, revocations).as_dict()

    assert told == {"username": "sam.patel", "la_code": "E08000035", "role": "practitioner",
                    "category": "social_worker", "sees_sensitive": False, "token_id": claims_of(token)["jti"],
                    "created_by": None, "created_at": None}
    assert token not in told.values()


def test_a_token_signed_with_another_key_is_refused(revocations):
    with pytest.raises(NotAuthenticated, match="not valid"):
        verify(issued(revocations, key=OTHER_KEY), revocations)


def test_a_token_whose_claims_were_changed_is_refused(revocations):
    header, _, signature = issued(revocations).split(".")
    forged_claims = jwt.encode({"sub": "admin", "jti": "x", "exp": int(time.time()) + 600}, signing(OTHER_KEY), algorithm="EdDSA").split(".")[1]

    with pytest.raises(NotAuthenticated):
        verify(f"{header}.{forged_claims}.{signature}", revocations)


def test_an_expired_token_is_refused(revocations):
    token = jwt.encode({"sub": "sam.patel", "jti": "abc", "exp": int(time.time()) - 1}, signing(KEY), algorithm="EdDSA")
    revocations.set(tokens.SESSION_PREFIX + "abc", "sam.patel")

    with pytest.raises(NotAuthenticated, match="sign in again"):
        verify(token, revocations)


def test_a_token_checked_while_valid_is_refused_once_it_expires(revocations, monkeypatch):
    token = issued(revocations)
    expires_at = verify(token, revocations).expires_at  # its signature is checked now, and not again

    monkeypatch.setattr(tokens.time, "time", lambda: expires_at)

    with pytest.raises(NotAuthenticated, match="expired"):
        verify(token, revocations)


@pytest.mark.parametrize("missing", ["exp", "jti", "sub"])
def test_a_token_without_an_expiry_an_id_or_a_subject_is_refused(revocations, missing):
    claims = {"sub": "sam.patel", "la": "E08000035", "role": "practitioner", "cat": "teacher", "sens": False,
              "jti": "abc", "exp": int(time.time()) + 600}
    del claims[missing]

    with pytest.raises(NotAuthenticated):
        verify(jwt.encode(claims, signing(KEY), algorithm="EdDSA"), revocations)


def test_a_token_with_no_signature_is_refused(revocations):
    unsigned = jwt.encode({"sub": "sam.patel", "jti": "abc", "exp": int(time.time()) + 600}, None, algorithm="none")

    with pytest.raises(NotAuthenticated):
        verify(unsigned, revocations)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c"])
def test_something_that_is_not_a_token_is_refused(revocations, garbage):
    with pytest.raises(NotAuthenticated):
        verify(garbage, revocations)


def test_a_token_works_while_its_session_is_open(revocations):
    token = issued(revocations)

    assert verify(token, revocations).username == verify(token, revocations).username == "sam.patel"


def test_an_ended_session_stops_its_token_at_once(revocations):
    token = issued(revocations)

    tokens.end_session(revocations, verify(token, revocations).token_id)

    with pytest.raises(NotAuthenticated, match="session has ended"):
        verify(token, revocations)


def test_ending_one_session_leaves_the_others_working(revocations):
    first, second = issued(revocations), issued(revocations)

    tokens.end_session(revocations, verify(first, revocations).token_id)

    assert verify(second, revocations).username == "sam.patel"


def test_ending_every_session_of_an_account_stops_all_its_tokens_and_no_one_elses(revocations):
    first, second = issued(revocations), issued(revocations)
    someone_else = issued(revocations, username="jo.bloggs")

    tokens.end_sessions_of(revocations, "sam.patel")

    for token in (first, second):
        with pytest.raises(NotAuthenticated):
            verify(token, revocations)
    assert verify(someone_else, revocations).username == "jo.bloggs"
    assert verify(issued(revocations), revocations).username == "sam.patel"


def test_a_session_unused_for_the_idle_timeout_has_ended(revocations):
    token = issued(revocations)
    session = tokens.SESSION_PREFIX + claims_of(token)["jti"]
    revocations.delete(session)  # as Redis does when the key's idle timeout runs out

    with pytest.raises(NotAuthenticated, match="idle"):
        verify(token, revocations)


def test_each_check_restarts_the_idle_clock(revocations):
    token = issued(revocations)
    session = tokens.SESSION_PREFIX + claims_of(token)["jti"]
    revocations.expire(session, 5)

    verify(token, revocations)

    assert IDLE - 5 <= revocations.ttl(session) <= IDLE


def test_the_session_of_another_account_does_not_open_a_token(revocations):
    token = jwt.encode({"sub": "mallory", "la": "E08000035", "role": "la_admin", "cat": "la_contactpoint_team", "sens": True,
                        "jti": "stolen", "exp": int(time.time()) + 600}, signing(KEY), algorithm="EdDSA")
    revocations.set(tokens.SESSION_PREFIX + "stolen", "sam.patel")

    with pytest.raises(NotAuthenticated):
        verify(token, revocations)
