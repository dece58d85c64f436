"""The disclosure service's composition root: its key, its way to the directory, its handlers."""
from __future__ import annotations

from functools import partial

from services.disclosure import handlers
from services.disclosure.models import MESSAGING
from services.disclosure.pseudonyms import Pseudonymiser
from shared.messaging.connection import connect
from shared.messaging.rpc import RpcClient
from shared.service import Service, build_service
from shared.settings import Settings


class DirectoryClient:
    """Asks the directory over ``cp.rpc``: a connection per question, as questions are rare (one per approved disclosure)."""

    def __init__(self, settings: Settings):
        self._connect = partial(connect, settings)

    def __call__(self, method: str, payload: dict, token: str | None):
        client = RpcClient(self._connect)
        try:
            return client.call(method, payload, token)
        finally:
            client.close()


def bootstrap(settings: Settings) -> Service:
    settings = settings.for_service(handlers.SERVICE).require_secrets("pseudonym_key", "grant_key", "token_public_key")
    routes = handlers.routes(
        pseudonyms=Pseudonymiser(settings.pseudonym_key),
        ask_directory=DirectoryClient(settings),
        read_seconds=settings.disclosure_read_seconds,
        grant_key=settings.grant_key,
    )
    return build_service(handlers.SERVICE, settings, MESSAGING, routes)
