"""The disclosure service's composition root: its key, its way to the directory, its handlers."""
from __future__ import annotations

import threading
from functools import partial

from services.disclosure import handlers
from services.disclosure.models import MESSAGING
from services.disclosure.pseudonyms import Pseudonymiser
from shared.messaging.connection import connect
from shared.messaging.rpc import RpcClient
from shared.service import Service, build_service
from shared.settings import Settings


class DirectoryClient:
    """Asks the directory over ``cp.rpc``; one client per thread, since a client is not thread-safe."""

    def __init__(self, settings: Settings):
        self._connect = partial(connect, settings)
        self._local = threading.local()

    def __call__(self, method: str, payload: dict):
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = RpcClient(self._connect)
        return client.call(method, payload)


def bootstrap(settings: Settings) -> Service:
    routes = handlers.routes(
        pseudonyms=Pseudonymiser(settings.pseudonym_key),
        ask_directory=DirectoryClient(settings),
        read_seconds=settings.disclosure_read_seconds,
    )
    return build_service(handlers.SERVICE, settings, MESSAGING, routes)
