"""The directory's composition root."""
from services.directory import handlers
from services.directory.models import MESSAGING
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    settings = settings.for_service(handlers.SERVICE)
    return build_service(handlers.SERVICE, settings, MESSAGING, handlers.routes(grant_public_key=settings.grant_public_key))
