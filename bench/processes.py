"""The services a benchmark measures, each run as its own process, as in production."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from contactpoint.processes import environment_for
from shared.settings import Settings


class Running(dict[str, subprocess.Popen]):
    """The services' processes, by name."""

    @property
    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.items()}

    def any_stopped(self) -> bool:
        return any(process.poll() is not None for process in self.values())


@contextmanager
def services(settings: Settings, *names: str) -> Iterator[Running]:
    """Starts each named service (``contactpoint run NAME``) with its own part of these settings, as ``up`` does; stops them all on leaving."""
    running = Running({name: subprocess.Popen([sys.executable, "-m", "contactpoint", "run", name], env=environment_for(name, settings))
                       for name in names})
    try:
        yield running
    finally:
        for process in running.values():
            process.terminate()
        for process in running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # still working through a backlog an overload left: nothing it does now is measured
                process.kill()
                process.wait()
