"""Serving the portal over HTTP: on its own (``contactpoint run portal``) with granian, in the demo's one process with waitress.

granian parses HTTP and keeps connections in Rust, calling the Flask app on a thread of its own
for each request: waitress's event loop, task queue and response headers, all Python, cost the
portal about a third of its CPU a search. Its worker is a process forked from the one started,
which makes the app after the fork (its broker and Redis connections are the worker's own) and
dies with it, even when it is killed outright. The demo runs every service in one process, where
a forked worker would hold a copy of them all: there waitress serves.
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys

from services.portal.bootstrap import create_app
from shared.service import collect_for_a_long_run
from shared.settings import Settings

log = logging.getLogger(__name__)
# Each keeps one request waiting on a service's answer; with fewer threads than callers, requests wait their turn.
SERVING_THREADS = 32
PR_SET_PDEATHSIG = 1  # Linux's prctl option: a signal this process is sent when the one that forked it dies


def serving(settings: Settings, threads: int = SERVING_THREADS):
    """A waitress server for the portal in a process of other services (the demo), ready to ``run()``; ``close()`` stops it."""
    from waitress import create_server

    server = create_server(create_app(settings), host=settings.http_host, port=settings.http_port, threads=threads, ident="ContactPoint")
    log.info("portal listening on http://%s:%s/", settings.http_host, settings.http_port)
    return server


def serve_until_signalled(settings: Settings, threads: int = SERVING_THREADS) -> None:
    """Serves the portal with granian until SIGTERM or Ctrl-C, on which granian stops its worker and returns."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    started_by = os.getpid()

    def app_of_the_worker(_target):
        dies_with(started_by)
        app = create_app(settings)
        collect_for_a_long_run()
        return app

    server = Granian("contactpoint-portal", address=settings.http_host, port=settings.http_port, interface=Interfaces.WSGI,
                     workers=1, blocking_threads=threads, log_access=False, log_level=LogLevels.warning)
    log.info("portal listening on http://%s:%s/", settings.http_host, settings.http_port)
    server.serve(target_loader=app_of_the_worker)


def dies_with(parent: int) -> None:
    """Granian stops its worker when told to stop; killed outright it cannot, and the worker would go on serving the port
    beside the portal started in its place. On Linux the kernel kills the worker when the process that forked it dies."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the kernel could be asked
        os._exit(1)
