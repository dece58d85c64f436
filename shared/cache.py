"""The Redis client: the real server, or an in-process stand-in when embedded."""
from __future__ import annotations

import functools

import redis

from shared.settings import Settings


def make_redis(settings: Settings) -> redis.Redis:
    if settings.embedded:
        import fakeredis

        return fakeredis.FakeRedis(server=_embedded_server(), decode_responses=True)
    return redis.Redis.from_url(settings.redis_url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5)


@functools.cache
def _embedded_server():
    import fakeredis

    return fakeredis.FakeServer()
