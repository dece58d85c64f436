"""Slowing down guessing without locking anyone out: failed sign-ins counted in Redis, with growing waits.

Failures are counted three ways, each with its own allowance before waits begin:

- one address guessing one account: a few failures, then each further attempt waits twice as
  long as the one before, up to ``max_wait_seconds`` — this stops the guesser;
- one address guessing many accounts: many more failures (an office's people sign in from
  behind one address), then the same growing waits;
- one account guessed from many addresses: as many failures, then waits that never pass
  ``account_max_wait_seconds`` — short enough that the holder, from their own address, is kept
  out for a minute at most, whoever is guessing and from however many addresses.

An attempt during a wait is refused (429, saying how long to wait) without checking anything
and without being counted, so guessing costs the guesser time and the service nothing, and no
number of refused attempts makes the holder's own wait longer. A quiet ``window_seconds``
clears a count. Nothing here locks an account: identity does that only when the right password
comes with a wrong second factor, again and again (``LoginRules.lockout_after``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import redis

from shared.errors import Throttled
from shared.settings import Settings

PREFIX = "cp:login:"
CLIENT_ALLOWANCE = 10  # an address, or an account across addresses, may fail this many times more than one pair


@dataclass(frozen=True)
class LoginRules:
    throttle_after: int = 3
    max_wait_seconds: int = 15 * 60
    account_max_wait_seconds: int = 60
    window_seconds: int = 15 * 60
    lockout_after: int = 10

    @classmethod
    def of(cls, settings: Settings) -> LoginRules:
        return cls(throttle_after=settings.login_throttle_after, max_wait_seconds=settings.login_max_wait_seconds,
                   account_max_wait_seconds=settings.login_account_max_wait_seconds,
                   window_seconds=settings.login_window_seconds, lockout_after=settings.login_lockout_after)


@dataclass(frozen=True)
class _Count:
    key: str
    allowed: int
    max_wait: int


class LoginThrottle:
    def __init__(self, store: redis.Redis, rules: LoginRules):
        self._store = store
        self._rules = rules

    def check(self, username: str, client: str) -> None:
        """Refuses (429) while the pair, the address or the account must wait."""
        with self._store.pipeline(transaction=False) as pipe:
            for count in self._counts(username, client):
                pipe.pttl(PREFIX + "wait:" + count.key)
            waits_ms = pipe.execute()
        longest = max(waits_ms)
        if longest > 0:
            seconds = math.ceil(longest / 1000)
            raise Throttled(f"too many failed sign-ins: try again in {seconds} second{'s' if seconds != 1 else ''}",
                            details={"retry_after": seconds})

    def failed(self, username: str, client: str) -> None:
        """Counts a failure three ways, and starts the wait each count has earned."""
        counts = self._counts(username, client)
        with self._store.pipeline(transaction=False) as pipe:
            for count in counts:
                pipe.incr(PREFIX + "failures:" + count.key)
                pipe.expire(PREFIX + "failures:" + count.key, self._rules.window_seconds)
            failures = pipe.execute()[::2]
        with self._store.pipeline(transaction=False) as pipe:
            for count, failed in zip(counts, failures):
                if wait := wait_seconds(failed, count.allowed, count.max_wait):
                    pipe.set(PREFIX + "wait:" + count.key, "1", ex=wait)
            pipe.execute()

    def forgive(self, username: str, client: str = "") -> None:
        """The account's counts start again (it signed in, or an la_admin unlocked it); its addresses' do not."""
        pair, _, account = self._counts(username, client)
        self._store.delete(*(PREFIX + kind + count.key for count in (pair, account) for kind in ("failures:", "wait:")))

    def _counts(self, username: str, client: str) -> tuple[_Count, _Count, _Count]:
        rules, many = self._rules, self._rules.throttle_after * CLIENT_ALLOWANCE
        return (_Count(f"pair:{client}:{username}", rules.throttle_after, rules.max_wait_seconds),
                _Count(f"client:{client}", many, rules.max_wait_seconds),
                _Count(f"account:{username}", many, rules.account_max_wait_seconds))


def wait_seconds(failures: int, allowed: int, max_wait: int) -> int:
    """Nothing for the first ``allowed`` - 1 failures, then 1, 2, 4, 8 ... seconds, up to ``max_wait``."""
    if failures < allowed:
        return 0
    return min(max_wait, 2 ** min(failures - allowed, 20))
