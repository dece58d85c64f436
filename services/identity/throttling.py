"""Slowing down guessing: failed sign-ins counted in Redis per account and per client address.

After a few failures each further attempt must wait, twice as long as the wait before, up to a
cap; an attempt during a wait is refused (429) without checking anything, so guessing costs
the guesser time and the service nothing. A quiet window clears the count. An address is
allowed more failures than an account, as many people may sign in from behind one office's.
Locking the account after many failures is the account's own business (its ``failed_logins``).
"""
from __future__ import annotations

import math

import redis

from shared.errors import Throttled

PREFIX = "cp:login:"
WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 15 * 60
CLIENT_ALLOWANCE = 10  # an address may fail this many times more than one account before it waits


class LoginThrottle:
    def __init__(self, store: redis.Redis, throttle_after: int):
        self._store = store
        self._allowed = {"account": throttle_after, "client": throttle_after * CLIENT_ALLOWANCE}

    def check(self, username: str, client: str) -> None:
        """Refuses (429) while either the account or the address must wait."""
        with self._store.pipeline(transaction=False) as pipe:
            for key in self._keys(username, client):
                pipe.pttl(PREFIX + "wait:" + key)
            waits_ms = pipe.execute()
        longest = max(waits_ms)
        if longest > 0:
            seconds = math.ceil(longest / 1000)
            raise Throttled(f"too many failed sign-ins: try again in {seconds} second{'s' if seconds != 1 else ''}",
                            details={"retry_after": seconds})

    def failed(self, username: str, client: str) -> None:
        """Counts a failure against the account and the address, and starts the wait each has earned."""
        keys = self._keys(username, client)
        with self._store.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(PREFIX + "failures:" + key)
                pipe.expire(PREFIX + "failures:" + key, WINDOW_SECONDS)
            counts = pipe.execute()[::2]
        with self._store.pipeline(transaction=False) as pipe:
            for key, allowed, count in zip(keys, self._allowed.values(), counts):
                wait = wait_seconds(count, allowed)
                if wait:
                    pipe.set(PREFIX + "wait:" + key, "1", ex=wait)
            pipe.execute()

    def forgive(self, username: str) -> None:
        """The account's count starts again (it signed in, or an la_admin unlocked it); its address's does not."""
        (account, _) = self._keys(username, "")
        self._store.delete(PREFIX + "failures:" + account, PREFIX + "wait:" + account)

    @staticmethod
    def _keys(username: str, client: str) -> tuple[str, str]:
        return f"account:{username}", f"client:{client}"


def wait_seconds(failures: int, allowed: int) -> int:
    """Nothing for the first ``allowed`` - 1 failures, then 1, 2, 4, 8 ... seconds, up to the cap."""
    if failures < allowed:
        return 0
    return min(MAX_WAIT_SECONDS, 2 ** min(failures - allowed, 20))
