"""``python -m bench faults`` (``make faults``): every fault scenario against the cluster of ``make cluster``.

Each scenario feeds ``CP_BENCH_FAULT_MESSAGES`` children (10,000 by default) with a search load going,
breaks the system part-way, and prints its line of the table once the checker has held the history
against the stores. One node is cut off from the other two only where the cluster's nodes each have
a network namespace (``deploy/cluster.sh`` gives them one where the machine allows); elsewhere that
scenario's line says why it did not run.
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

from bench.faults import scenarios
from bench.faults.scenarios import Scenario
from bench.faults.system import System, wait_until
from contactpoint.nodes import Cluster, RabbitNode, default_base
from contactpoint.sandbox import LOCAL, Servers

SETTLE_SECONDS = 1800  # a feed of 10,000 on quorum queues of three nodes, sharing two cores with the whole system


def cluster() -> Cluster:
    return Cluster(default_base())


def servers() -> Servers:
    first = cluster().rabbits[0]
    return Servers(cluster().primary.url, first.address, first.port, first.management_port, LOCAL.redis_host, LOCAL.redis_port)


def on_cluster(settings):
    """The run's settings with every node of the cluster, and the standby for the directory's reads."""
    nodes = ";".join(f"amqp://guest:guest@{node.address}:{node.port}/{settings.vhost}" for node in cluster().rabbits)
    database = settings.database_url.rsplit("/", 1)[1]
    replica = f"postgresql+psycopg://postgres@127.0.0.1:{cluster().standby.port}/{database}"
    return settings.but(amqp_url=nodes, database_replica_url=replica)


def together(*steps) -> None:
    threads = [threading.Thread(target=step) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def cut_off(node: RabbitNode, others: list[RabbitNode], seconds: float) -> Scenario:
    """The node loses the other two (its clients still reach it) and finds them again: paused while in the minority
    (``pause_minority``), it takes no message it cannot replicate, and once healed the cluster is one again, no partition left."""
    def fault(system) -> None:
        node.namespace.cut()
        time.sleep(seconds)
        node.namespace.heal()
        wait_until(lambda: all(one_cluster(n.cluster_status()) for n in (node, *others)), timeout=300,
                   what=f"{node.node} to rejoin, each node seeing all three running and no partition")
    return Scenario("one RabbitMQ node cut off from the other two, healed", fault)


def one_cluster(status: dict) -> bool:
    return len(status.get("running_nodes") or []) == 3 and not status.get("partitions")


def every_scenario(audit_down_seconds: float) -> list[Scenario | str]:
    """Each scenario, or why it cannot run here."""
    rabbits, primary = cluster().rabbits, cluster().primary
    # The node each service connects to first, where migrate declared the classic request and delay queues.
    first, *others = rabbits

    def whole_broker(stop: bool):
        return lambda: together(*((node.stop_app if stop else node.start_app) for node in rabbits))

    def restart_primary(system):
        primary.stop()
        time.sleep(5)
        primary.start()

    return [
        scenarios.kill_each_service(),
        scenarios.broker_restarted(first.stop_app, first.start_app, seconds=15).named("the first RabbitMQ node of three stopped"),
        scenarios.broker_restarted(whole_broker(True), whole_broker(False)),
        scenarios.audit_down(audit_down_seconds),
        Scenario("PostgreSQL primary restarted", restart_primary),
        scenarios.disk_alarm(rabbits, seconds=30),
        cluster().why_not_partitionable() and f"a RabbitMQ node cut off from the other two: {cluster().why_not_partitionable()}"
        or cut_off(first, others, seconds=60),
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
            if isinstance(scenario, str):
                report.note(f"not run: {scenario}")
                print(f"not run: {scenario}", flush=True)
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
