"""The feeds service's composition root."""
from services.feeds import handlers
from services.feeds.models import MESSAGING
from shared.broker_admin import BrokerAdmin
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    return build_service(handlers.SERVICE, settings, MESSAGING, handlers.routes(broker=BrokerAdmin.for_settings(settings)))
