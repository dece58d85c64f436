"""The directory's composition root."""
from services.directory import handlers
from services.directory.models import MESSAGING
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    return build_service(handlers.SERVICE, settings, MESSAGING, handlers.routes())
