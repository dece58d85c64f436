"""The feeds service's composition root."""
from services.feeds import handlers
from services.feeds.models import MESSAGING
from shared.broker_admin import BrokerAdmin
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    settings = settings.for_service(handlers.SERVICE)
    routes = handlers.routes(broker=BrokerAdmin.for_settings(settings), names=settings.names)
    return build_service(handlers.SERVICE, settings, MESSAGING, routes)
