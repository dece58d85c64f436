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

from shared.principals import PROCESSES as SERVICES
from shared.settings import Settings
RESTART_LIMIT = 5
STOP_SECONDS = 15


def supervise(settings: Settings, services: tuple[str, ...] = SERVICES, say=print) -> int:
    """Starts each service, restarts one that dies (up to a limit), and stops them all on SIGTERM or Ctrl-C."""
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running = {name: _start(name, settings) for name in services}
    restarts = dict.fromkeys(services, 0)
    say(f"ContactPoint is up: {', '.join(services)} (Ctrl-C stops)")
    while not stopping:
        time.sleep(0.2)
        for name, process in list(running.items()):
            if process.poll() is None or stopping:
                continue
            if restarts[name] >= RESTART_LIMIT:
                say(f"{name} keeps stopping (exit {process.returncode}); stopping everything")
                stopping = True
                break
            restarts[name] += 1
            say(f"{name} stopped (exit {process.returncode}); starting it again")
            running[name] = _start(name, settings)
    _stop_all(running)
    say("ContactPoint stopped")
    return 0 if all(restarts[name] < RESTART_LIMIT for name in services) else 1


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
