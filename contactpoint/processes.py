"""``contactpoint up``: every service as its own OS process, watched, and stopped together.

Each process is started with its own part of the settings alone (``Settings.for_service``): its
own users on the servers and only the secrets its job needs. It is not given the key file, nor
any other process's password, nor the administrator's credentials the supervisor was given.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable

from shared.principals import PROCESSES as SERVICES
from shared.settings import Settings

# A service that stops more often than this keeps stopping: something is wrong that starting it again will not mend.
RESTART_LIMIT = 5
RESTART_WINDOW_SECONDS = 60
STOP_SECONDS = 15


class Restarts:
    """When a service that stopped is started again: at most ``limit`` times within any ``window`` seconds. A service
    that stops now and then over a long life (killed, or out of memory once a week) is started again each time."""

    def __init__(self, limit: int = RESTART_LIMIT, window: float = RESTART_WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._limit, self._window, self._clock = limit, window, clock
        self._recent: deque[float] = deque()

    def allow(self) -> bool:
        """Whether to start it again now; counted as a restart if so."""
        now = self._clock()
        while self._recent and now - self._recent[0] >= self._window:
            self._recent.popleft()
        if len(self._recent) >= self._limit:
            return False
        self._recent.append(now)
        return True


def supervise(settings: Settings, services: tuple[str, ...] = SERVICES, say=print) -> int:
    """Starts each service, restarts one that dies (unless it keeps dying), and stops them all on SIGTERM or Ctrl-C."""
    stopping = gave_up = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running = {name: _start(name, settings) for name in services}
    restarts = {name: Restarts() for name in services}
    say(f"ContactPoint is up: {', '.join(services)} (Ctrl-C stops)")
    while not stopping:
        time.sleep(0.2)
        for name, process in list(running.items()):
            if process.poll() is None or stopping:
                continue
            if not restarts[name].allow():
                say(f"{name} keeps stopping (exit {process.returncode}, {RESTART_LIMIT} restarts within {RESTART_WINDOW_SECONDS}s); "
                    "stopping everything")
                stopping = gave_up = True
                break
            say(f"{name} stopped (exit {process.returncode}); starting it again")
            running[name] = _start(name, settings)
    _stop_all(running)
    say("ContactPoint stopped")
    return 1 if gave_up else 0


def _start(name: str, settings: Settings) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "contactpoint", "run", name], env=environment_for(name, settings))


def environment_for(name: str, settings: Settings) -> dict[str, str]:
    """This process's environment without any CP_* variable, then the process's own settings alone."""
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("CP_")}
    own = {key: value for key, value in settings.for_service(name).as_environment().items() if value}
    return {**inherited, **own, **({"CP_LOG_LEVEL": os.environ["CP_LOG_LEVEL"]} if "CP_LOG_LEVEL" in os.environ else {})}


def _stop_all(running: dict[str, subprocess.Popen]) -> None:
    for process in running.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in running.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
