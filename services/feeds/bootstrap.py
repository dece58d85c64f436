"""The feeds service's composition root."""
from services.feeds import handlers
from services.feeds.models import MESSAGING
from shared.messaging.rpc import Asker
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    settings = settings.for_service(handlers.SERVICE)
    routes = handlers.routes(ask_provisioner=Asker(settings))
    return build_service(handlers.SERVICE, settings, MESSAGING, routes)
