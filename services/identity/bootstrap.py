"""Identity's composition root."""
from services.identity import handlers
from services.identity.credentials import TotpVault
from services.identity.models import MESSAGING
from shared.cache import make_redis
from shared.service import Service, build_service
from shared.settings import Settings


def bootstrap(settings: Settings) -> Service:
    settings = settings.for_service(handlers.SERVICE).require_secrets("token_key", "token_public_key", "totp_key")
    routes = handlers.routes(vault=TotpVault(settings.totp_key), settings=settings, sessions=make_redis(settings))
    return build_service(handlers.SERVICE, settings, MESSAGING, routes)
