"""Printing a benchmark's figures, each beside its base (the raw server doing the same work)."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager


class Report:
    def __init__(self, name: str):
        self.name = name
        print(f"\n== {name} ==", flush=True)

    def note(self, text: str) -> None:
        print(f"   {text}", flush=True)

    def rate(self, label: str, count: int, seconds: float, base: tuple[str, float] | None = None) -> float:
        """Prints ``count / seconds`` per second, and its ratio to a base rate measured in the same run."""
        per_second = count / seconds if seconds else float("inf")
        line = f"   {label:<44} {per_second:>12,.0f} /s   ({count:,} in {seconds:.2f} s)"
        if base:
            base_label, base_rate = base
            line += f"   = {per_second / base_rate:.3f} x {base_label}"
        print(line, flush=True)
        return per_second

    def latencies(self, label: str, seconds: list[float], base: tuple[str, float] | None = None) -> dict[str, float]:
        """Prints p50, p95 and p99 in milliseconds, and p95's ratio to a base p95 (in seconds)."""
        cuts = statistics.quantiles(seconds, n=100, method="inclusive")
        figures = {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}
        line = f"   {label:<44} p50 {figures['p50']:8.2f} ms  p95 {figures['p95']:8.2f} ms  p99 {figures['p99']:8.2f} ms  (n={len(seconds):,})"
        if base:
            base_label, base_p95 = base
            line += f"   p95 = {figures['p95'] / (base_p95 * 1000):.1f} x {base_label}"
        print(line, flush=True)
        return figures

    def close(self) -> None:
        print(flush=True)


@contextmanager
def stopwatch():
    """``with stopwatch() as elapsed: ...`` then ``elapsed()`` is the seconds taken."""
    started = time.perf_counter()
    finished: list[float] = []
    yield lambda: (finished[0] if finished else time.perf_counter()) - started
    finished.append(time.perf_counter())
