"""Access tokens: signed claims checked without asking identity, refused once expired or revoked."""
from __future__ import annotations

import time

import fakeredis
import jwt
import pytest

from shared import tokens
from shared.errors import NotAuthenticated

KEY = "a-signing-key-long-enough-for-hs256-0123456789"
OTHER_KEY = "another-signing-key-long-enough-for-hs256-987"


@pytest.fixture
def revocations():
    return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)


def issued(key: str = KEY, lifetime: int = 600, **claims) -> str:
    token, _ = tokens.issue(key, **{
        "username": "sam.patel", "la_code": "E08000035", "role": "practitioner",
        "category": "social_worker", "sees_sensitive": True, "lifetime": lifetime, **claims,
    })
    return token


def test_a_token_names_the_account_its_la_role_and_what_its_category_may_see(revocations):
    actor = tokens.verify(KEY, issued(), revocations)

    assert (actor.username, actor.la_code, actor.role, actor.category, actor.sees_sensitive) == (
        "sam.patel", "E08000035", "practitioner", "social_worker", True)


def test_a_token_expires_its_lifetime_after_it_is_issued(revocations):
    before = int(time.time())
    token, lifetime = tokens.issue(KEY, username="u", la_code="E08000035", role="auditor", category="security",
                                   sees_sensitive=False, lifetime=900)

    actor = tokens.verify(KEY, token, revocations)

    assert lifetime == 900
    assert before + 900 <= actor.expires_at <= int(time.time()) + 900


def test_every_token_has_an_id_of_its_own():
    ids = {jwt.decode(issued(), KEY, algorithms=["HS256"])["jti"] for _ in range(20)}

    assert len(ids) == 20


def test_what_services_are_told_of_the_actor_leaves_out_the_token(revocations):
    told = tokens.verify(KEY, issued(sees_sensitive=False), revocations).as_dict()

    assert told == {"username": "sam.patel", "la_code": "E08000035", "role": "practitioner",
                    "category": "social_worker", "sees_sensitive": False}


def test_a_token_signed_with_another_key_is_refused(revocations):
    with pytest.raises(NotAuthenticated, match="not valid"):
        tokens.verify(KEY, issued(key=OTHER_KEY), revocations)


def test_a_token_whose_claims_were_changed_is_refused(revocations):
    header, _, signature = issued().split(".")
    forged_claims = jwt.encode({"sub": "admin", "jti": "x", "exp": int(time.time()) + 600}, OTHER_KEY, algorithm="HS256").split(".")[1]

    with pytest.raises(NotAuthenticated):
        tokens.verify(KEY, f"{header}.{forged_claims}.{signature}", revocations)


def test_an_expired_token_is_refused(revocations):
    with pytest.raises(NotAuthenticated, match="sign in again"):
        tokens.verify(KEY, issued(lifetime=-1), revocations)


@pytest.mark.parametrize("missing", ["exp", "jti", "sub"])
def test_a_token_without_an_expiry_an_id_or_a_subject_is_refused(revocations, missing):
    claims = {"sub": "sam.patel", "la": "E08000035", "role": "practitioner", "cat": "teacher", "sens": False,
              "jti": "abc", "exp": int(time.time()) + 600}
    del claims[missing]

    with pytest.raises(NotAuthenticated):
        tokens.verify(KEY, jwt.encode(claims, KEY, algorithm="HS256"), revocations)


def test_a_token_with_no_signature_is_refused(revocations):
    unsigned = jwt.encode({"sub": "sam.patel", "jti": "abc", "exp": int(time.time()) + 600}, None, algorithm="none")

    with pytest.raises(NotAuthenticated):
        tokens.verify(KEY, unsigned, revocations)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c"])
def test_something_that_is_not_a_token_is_refused(revocations, garbage):
    with pytest.raises(NotAuthenticated):
        tokens.verify(KEY, garbage, revocations)


def test_a_revoked_token_stops_working_at_once(revocations):
    token = issued()
    actor = tokens.verify(KEY, token, revocations)

    tokens.revoke(revocations, actor.token_id, actor.expires_at)

    with pytest.raises(NotAuthenticated, match="revoked"):
        tokens.verify(KEY, token, revocations)


def test_revoking_one_token_leaves_the_others_working(revocations):
    first, second = issued(), issued()
    tokens.revoke(revocations, tokens.verify(KEY, first, revocations).token_id, int(time.time()) + 600)

    assert tokens.verify(KEY, second, revocations).username == "sam.patel"


def test_a_revocation_is_kept_only_as_long_as_the_token_would_have_lived(revocations):
    tokens.revoke(revocations, "jti-1", int(time.time()) + 600)

    assert 500 <= revocations.ttl(tokens.REVOKED_PREFIX + "jti-1") <= 600


def test_a_revocation_of_a_token_already_expired_still_expires_itself(revocations):
    tokens.revoke(revocations, "jti-old", int(time.time()) - 100)

    assert 0 < revocations.ttl(tokens.REVOKED_PREFIX + "jti-old") <= 1
