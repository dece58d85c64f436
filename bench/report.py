"""Printing a benchmark's figures, each beside its base (the raw server doing the same work)."""
from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit


class Report:
    def __init__(self, name: str):
        self.name = name
        print(f"\n== {name} ==", flush=True)

    def note(self, text: str) -> None:
        print(f"   {text}", flush=True)

    def rate(self, label: str, count: int, seconds: float, base: tuple[str, float] | None = None) -> float:
        """Prints ``count / seconds`` per second, and its ratio to a base rate measured in the same run."""
        per_second = count / seconds if seconds else float("inf")
        against = f"   = {per_second / base[1]:.3f} x {base[0]}" if base else ""
        print(f"   {label:<44} {per_second:>12,.0f} /s   ({count:,} in {seconds:.2f} s){against}", flush=True)
        return per_second

    def latencies(self, label: str, seconds: list[float], base: tuple[str, float] | None = None) -> dict[str, float]:
        """Prints p50, p95 and p99 in milliseconds, and p95's ratio to a base p95 (in seconds)."""
        cuts = statistics.quantiles(seconds, n=100, method="inclusive")
        figures = {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}
        against = f"   p95 = {figures['p95'] / (base[1] * 1000):.1f} x {base[0]}" if base else ""
        cut = "  ".join(f"{name} {value:8.2f} ms" for name, value in figures.items())
        print(f"   {label:<44} {cut}  (n={len(seconds):,}){against}", flush=True)
        return figures

    def spread(self, label: str, counts: list[int]) -> None:
        """Prints the mean, p95 and greatest of counts (of things each item took)."""
        p95 = statistics.quantiles(counts, n=100, method="inclusive")[94] if len(counts) > 1 else counts[0]
        print(f"   {label:<44} mean {statistics.mean(counts):8.1f}  p95 {p95:8.1f}  max {max(counts):6d}  (n={len(counts):,})", flush=True)

    def cpu_per_item(self, label: str, count: int, cpu_before: dict[str, float], cpu_after: dict[str, float]) -> float:
        """Prints each process's CPU time per item handled (unlike a rate, it holds whatever else the machine is doing);
        returns their sum, in milliseconds."""
        shares = {name: (cpu_after[name] - cpu_before[name]) / count * 1000 for name in cpu_after if name in cpu_before}
        if shares:
            every = sum(shares.values())
            # The rate these costs allow at most, were every core busy with nothing else.
            ceiling = f": at most {os.cpu_count() * 1000 / every:,.0f} /s on {os.cpu_count()} cores" if every > 0 else ""
            each = ", ".join(f"{name} {ms:.2f}" for name, ms in shares.items())
            print(f"   {label:<44} {each} ms  (all {every:.2f} ms{ceiling})", flush=True)
            return every
        return 0.0

    def close(self) -> None:
        print(flush=True)


@contextmanager
def stopwatch():
    """``with stopwatch() as elapsed: ...`` then ``elapsed()`` is the seconds taken."""
    started = time.perf_counter()
    finished: list[float] = []
    yield lambda: (finished[0] if finished else time.perf_counter()) - started
    finished.append(time.perf_counter())


# The servers' processes, by command name: their CPU is counted too, beside the services', but it includes
# whatever else uses the same servers meanwhile.
SERVERS = {"rabbitmq": "beam.smp", "postgresql": "postgres", "redis": "redis-server"}


def cpu_seconds(pids: dict[str, int], settings=None) -> dict[str, float]:
    """The CPU seconds (user and system) used so far by each named process, by each server (all of its processes)
    and by this benchmark itself, where the system tells (Linux's /proc).

    Given the run's ``settings``, the broker is the one process that listens on their AMQP port and the database server is
    the backends on their database only: what others do on the same machine's servers meanwhile is not counted.
    """
    by_command: dict[str, list[int]] = {}
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            named, _, rest = entry.read_text().rpartition(")")
        except OSError:  # the process ended meanwhile
            continue
        command, parent = named.partition("(")[2], int(rest.split()[1])
        by_command.setdefault(command, []).append(int(entry.parent.name))
        children.setdefault(parent, []).append(int(entry.parent.name))
    # A service's process with its descendants (the portal's HTTP server works in a process it forks).
    used = {name: _cpu_of(pid) for name, pid in pids.items()}
    used = {name: seconds + sum(_cpu_of(child) or 0.0 for child in _descendants(pids[name], children)) if seconds is not None else None
            for name, seconds in used.items()}
    own = _own_servers(settings) if settings is not None else {}
    for server, command in SERVERS.items():
        used[server] = sum(_cpu_of(pid) or 0.0 for pid in own.get(server, by_command.get(command, [])))
    used["bench"] = _cpu_of(os.getpid())
    return {name: seconds for name, seconds in used.items() if seconds is not None}


def _descendants(pid: int, children: dict[int, list[int]]) -> list[int]:
    found, unseen = [], list(children.get(pid, []))
    while unseen:
        found.append(child := unseen.pop())
        unseen.extend(children.get(child, []))
    return found


def _own_servers(settings) -> dict[str, list[int]]:
    import psycopg

    servers = {}
    amqp_port = urlsplit(settings.amqp_url).port or 5672
    if (listener := _listening(amqp_port)) is not None:
        servers["rabbitmq"] = [listener]
    database_url = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(database_url, autocommit=True) as connection:
        servers["postgresql"] = [pid for (pid,) in connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
    return servers


@lru_cache(maxsize=8)
def _listening(port: int) -> int | None:
    """The process listening on 127.0.0.1 (or any address) at this TCP port, found through its socket's inode."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
            inodes.add(f"socket:[{fields[9]}]")
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in inodes:
                return int(fd.parent.parent.name)
        except OSError:
            continue
    return None


def _cpu_of(pid: int) -> float | None:
    """The process's CPU seconds and those of its children that have ended: a database server's backend that ends
    during a run moves its time to the server's main process, and is still counted."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(ticks) for ticks in fields[11:15]) / os.sysconf("SC_CLK_TCK")
