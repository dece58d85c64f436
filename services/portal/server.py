"""Serving the portal over HTTP with waitress, until told to stop."""
from __future__ import annotations

import logging

from waitress import create_server

from services.portal.bootstrap import create_app
from shared.service import collect_for_a_long_run
from shared.settings import Settings

log = logging.getLogger(__name__)
# Each keeps one request waiting on a service's answer; with fewer threads than callers, waitress queues
# requests and logs a warning for each.
SERVING_THREADS = 32


def serving(settings: Settings, threads: int = SERVING_THREADS):
    """A waitress server for the portal, ready to ``run()``; ``close()`` stops it."""
    server = create_server(create_app(settings), host=settings.http_host, port=settings.http_port, threads=threads, ident="ContactPoint")
    log.info("portal listening on http://%s:%s/", settings.http_host, settings.http_port)
    return server


def serve_until_signalled(settings: Settings) -> None:
    import signal

    server = serving(settings)
    collect_for_a_long_run()

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        server.close()
