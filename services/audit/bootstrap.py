"""The audit service's composition root."""
from services.audit import handlers
from services.audit.models import MESSAGING
from shared.messaging.rpc import Asker
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    settings = settings.for_service(handlers.SERVICE)
    # Events wait durably in the queue until they are stored, so the audit service yields the CPU to searches under load.
    return build_service(handlers.SERVICE, settings, MESSAGING, handlers.routes(settings=settings, ask_provisioner=Asker(settings)),
                         background=True)
