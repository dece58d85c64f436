"""Short fault scenarios: services killed, the whole broker restarted, the audit service down, each mid-feed under a search load.

The system runs as an operator runs it (``contactpoint up``) on a RabbitMQ node of this module's
own, so that the broker can be restarted without touching the machine's shared one; the checker
(``bench/faults/history.py``) then holds what clients were told against what the stores hold.
``make faults`` runs the full scenarios on a cluster.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from bench.faults import scenarios
from bench.faults.system import System
from contactpoint.commands.system import migrate_all
from contactpoint.nodes import RABBITMQ_BIN, RabbitNode
from contactpoint.sandbox import LOCAL, Servers, free_port, isolated
from shared.messaging.rpc import ANSWER_SECONDS

# The first test starts a RabbitMQ node and the whole system before its scenario: slow on a busy machine.
pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(900),
              pytest.mark.skipif(not RABBITMQ_BIN.exists(), reason=f"no RabbitMQ installed in {RABBITMQ_BIN} to start a node of its own")]

MESSAGES = 200


@pytest.fixture(scope="module")
def broker() -> RabbitNode:
    base = Path(tempfile.mkdtemp(prefix="cp-faults-"))
    node = RabbitNode(base, f"cp-faults-{base.name[-8:].lower()}", free_port(), free_port(), free_port())
    node.start()
    try:
        yield node
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def system(broker, tmp_path_factory):
    servers = Servers(LOCAL.postgres, "127.0.0.1", broker.port, broker.management_port, LOCAL.redis_host, LOCAL.redis_port)
    with isolated(servers) as settings:
        migrate_all(settings)
        with System(settings, tmp_path_factory.mktemp("faults")) as running:
            yield running


def assert_nothing_lost(scenario, tally):
    print(f"\n{scenarios.table([(scenario.name, tally)])}")
    assert tally.faults == []
    assert (tally.lost, tally.duplicated, tally.audit_missing, tally.audit_extra) == (0, 0, 0, 0)
    assert tally.confirmed == MESSAGES and tally.accepted + tally.rejected == MESSAGES
    assert tally.searches_answered > 0 and tally.audit_verified


def test_each_service_killed_mid_feed_loses_and_duplicates_nothing(system):
    scenario = scenarios.kill_each_service(pause=1)
    assert_nothing_lost(scenario, scenarios.run(system, scenario, MESSAGES, seed=101))


def test_the_whole_broker_restarted_mid_feed_loses_and_duplicates_nothing(system, broker):
    """The issue's outage: every connection of every service goes at once, and comes back 8 seconds later."""
    scenario = scenarios.broker_restarted(broker.stop_app, broker.start_app)
    assert_nothing_lost(scenario, scenarios.run(system, scenario, MESSAGES, seed=202))
    assert system.supervisors_running()


def test_audit_down_under_search_load_keeps_every_event_waiting_until_it_is_back(system):
    scenario = scenarios.audit_down(seconds=15)
    assert_nothing_lost(scenario, scenarios.run(system, scenario, MESSAGES, seed=303))


def test_a_broker_resource_alarm_refuses_searches_at_once_and_everything_resumes_when_it_clears(system, broker):
    """Publishers blocked, searches refused with 503 while the alarm lasts (fail closed, and at once rather than after
    the timeout a request waits for its answer), nothing crashed, and nothing lost once it clears."""
    scenario = scenarios.disk_alarm([broker], seconds=15)
    tally = scenarios.run(system, scenario, MESSAGES, seed=404)
    assert_nothing_lost(scenario, tally)
    assert set(tally.refusals) == {"503"} and tally.searches_refused >= 3
    # The one search in flight as the alarm began may wait its timeout: the directory cannot publish its answer, and the
    # broker tells only a connection that publishes that it is blocked. Every later one is refused at once.
    assert len([seconds for seconds in tally.refusal_seconds if seconds >= ANSWER_SECONDS / 2]) <= 1
    assert system.supervisors_running()
