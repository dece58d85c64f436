"""The provisioner's composition root: the broker's management API under its own administrator user, and its handlers."""
from services.provisioner import handlers
from services.provisioner.models import MESSAGING
from shared.broker_admin import BrokerAdmin
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    settings = settings.for_service(handlers.SERVICE)
    return build_service(handlers.SERVICE, settings, MESSAGING, handlers.routes(broker=BrokerAdmin.for_settings(settings), names=settings.names))
