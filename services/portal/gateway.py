"""The portal's way to the services: requests over the broker, one client per serving thread."""
from __future__ import annotations

import threading
from functools import partial

from shared.messaging.connection import connect
from shared.messaging.rpc import ANSWER_SECONDS, RpcClient
from shared.settings import Settings


class Gateway:
    def __init__(self, settings: Settings, timeout: float = ANSWER_SECONDS):
        self._connect = partial(connect, settings)
        self._timeout = timeout
        self._local = threading.local()

    def ask(self, method: str, payload: dict, token: str | None = None):
        """The answer to a request, made for the person whose token this is (or for no one: signing in)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = RpcClient(self._connect, self._timeout)
        return client.call(method, payload, token)

    def close(self) -> None:
        """Closes this thread's client, if it made one."""
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()
            self._local.client = None
