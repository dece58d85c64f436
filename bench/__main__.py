"""``python -m bench [NAME ...]``: runs the named benchmarks (all by default), each on its own database and vhost.

A benchmark is a module ``bench/<name>.py`` with ``run(settings, report)``; the settings are
a fresh, migrated sandbox on the local servers (``CP_BENCH_*`` variables size the work).
"""
from __future__ import annotations

import argparse
import logging
import pkgutil
import sys
from importlib import import_module
from pathlib import Path

from bench.report import Report
from contactpoint.commands.system import migrate_all
from contactpoint.sandbox import LOCAL, isolated

NOT_BENCHMARKS = {"report", "processes", "__main__"}
# Run only when named: ``faults`` needs the cluster of ``make cluster`` and takes long.
ONLY_WHEN_NAMED = {"faults"}


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name not in NOT_BENCHMARKS)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*available(), []], help="benchmarks to run (default: all)")
    names = parser.parse_args(argv).names or [name for name in available() if name not in ONLY_WHEN_NAMED]
    logging.basicConfig(level=logging.WARNING)
    for name in names:
        report = Report(name)
        benchmark = import_module(f"bench.{name}")
        # A benchmark may name servers of its own (``servers()``); the machine's local ones otherwise.
        with isolated(getattr(benchmark, "servers", lambda: LOCAL)(), prefix="cp_bench") as settings:
            migrate_all(settings)
            benchmark.run(settings, report)
        report.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
