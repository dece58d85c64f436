"""``python -m bench faults`` (``make faults``): every fault scenario against the cluster of ``make cluster``.

Each scenario feeds ``CP_BENCH_FAULT_MESSAGES`` children (10,000 by default) with a search load going,
breaks the system part-way, and prints its line of the table once the checker has held the history
against the stores. Scenario 7 of the issue (one RabbitMQ node cut off from the others) is not run:
see ``NOT_RUN``.
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

from bench.faults import scenarios
from bench.faults.scenarios import Scenario
from bench.faults.system import System
from contactpoint.nodes import Cluster, default_base
from contactpoint.sandbox import LOCAL, Servers

NOT_RUN = {
    "a RabbitMQ node cut off from the other two": "the cluster's nodes share the loopback interface here; cutting one off takes "
    "each node in a network namespace of its own with its own address, which deploy/cluster.sh does not set up yet",
}


SETTLE_SECONDS = 1800  # a feed of 10,000 on quorum queues of three nodes, sharing two cores with the whole system


def cluster() -> Cluster:
    return Cluster(default_base())


def servers() -> Servers:
    first = cluster().rabbits[0]
    return Servers(cluster().primary.url, "127.0.0.1", first.port, first.management_port, LOCAL.redis_host, LOCAL.redis_port)


def on_cluster(settings):
    """The run's settings with every node of the cluster, and the standby for the directory's reads."""
    nodes = ";".join(f"amqp://guest:guest@127.0.0.1:{node.port}/{settings.vhost}" for node in cluster().rabbits)
    database = settings.database_url.rsplit("/", 1)[1]
    replica = f"postgresql+psycopg://postgres@127.0.0.1:{cluster().standby.port}/{database}"
    return settings.but(amqp_url=nodes, database_replica_url=replica)


def together(*steps) -> None:
    threads = [threading.Thread(target=step) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def every_scenario(audit_down_seconds: float) -> list[Scenario]:
    rabbits, primary = cluster().rabbits, cluster().primary
    one = rabbits[1]

    def whole_broker(stop: bool):
        return lambda: together(*((node.stop_app if stop else node.start_app) for node in rabbits))

    def restart_primary(system):
        primary.stop()
        time.sleep(5)
        primary.start()

    def alarm(system):
        together(*(lambda n=node: n.ctl("set_disk_free_limit", str(10**15)) for node in rabbits))  # far above the free disk
        time.sleep(15)
        together(*(lambda n=node: n.ctl("set_disk_free_limit", "50MB") for node in rabbits))

    return [
        scenarios.kill_each_service(),
        scenarios.broker_restarted(one.stop_app, one.start_app, seconds=15).named("one RabbitMQ node of three stopped"),
        scenarios.broker_restarted(whole_broker(True), whole_broker(False)),
        scenarios.audit_down(audit_down_seconds),
        Scenario("PostgreSQL primary restarted", restart_primary),
        Scenario("broker disk alarm for 15s", alarm),
    ]


def run(settings, report) -> None:
    messages = int(os.environ.get("CP_BENCH_FAULT_MESSAGES", "10000"))
    audit_down_seconds = float(os.environ.get("CP_BENCH_AUDIT_DOWN_SECONDS", "300"))
    only = set(filter(None, os.environ.get("CP_BENCH_FAULT_SCENARIOS", "").split(",")))
    rows = []
    with System(on_cluster(settings), Path(tempfile.mkdtemp(prefix="cp-faults-"))) as system:
        for n, scenario in enumerate(every_scenario(audit_down_seconds), start=1):
            if only and str(n) not in only:
                continue
            try:
                tally = scenarios.run(system, scenario, messages, seed=1000 + n, mid_feed=0.2, settle_seconds=SETTLE_SECONDS)
            except Exception as exc:  # one scenario that does not recover is a line of the table, not the end of the suite
                report.note(f"{scenario.name}: did not recover: {exc}")
                continue
            rows.append((scenario.name, tally))
            report.note(f"{scenario.name}: {'clean' if tally.clean else '; '.join(tally.faults)}")
            # Each line as its scenario ends, too: the whole suite takes an hour or more, and a run cut short keeps what it found.
            print(scenarios.table([(scenario.name, tally)]), flush=True)
    print(scenarios.table(rows), flush=True)
    for name, why in NOT_RUN.items():
        report.note(f"not run: {name}: {why}")
