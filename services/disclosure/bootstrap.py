"""The disclosure service's composition root: its key, its way to the directory, its handlers."""
from __future__ import annotations

from services.disclosure import handlers
from services.disclosure.models import MESSAGING
from services.disclosure.pseudonyms import Pseudonymiser
from shared.messaging.rpc import Asker
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    settings = settings.for_service(handlers.SERVICE).require_secrets("pseudonym_key", "grant_key", "token_public_key")
    routes = handlers.routes(
        pseudonyms=Pseudonymiser(settings.pseudonym_key),
        ask_directory=Asker(settings),
        read_seconds=settings.disclosure_read_seconds,
        grant_key=settings.grant_key,
    )
    return build_service(handlers.SERVICE, settings, MESSAGING, routes)
