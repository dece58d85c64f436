"""The consumer on a real broker: handled once, acked after commit; what is bad goes to the dead-letter queue with its reason."""
import json

from tests.support import running, wait_until

from shared.messaging import topology


def test_a_message_is_handled_and_acked(probe):
    with running(probe.service):
        probe.publish({"text": "hello"})
        wait_until(lambda: probe.note_texts() == ["hello"], what="the note to be stored")

    assert probe.drain(probe.work, timeout=0.5) == []


def test_a_repeated_message_id_changes_nothing(probe):
    with running(probe.service):
        probe.publish({"text": "once"}, message_id="same-id")
        probe.publish({"text": "once"}, message_id="same-id")
        probe.publish({"text": "after"})
        wait_until(lambda: "after" in probe.note_texts(), what="the last note")

    assert probe.note_texts().count("once") == 1


def test_a_body_that_is_not_json_is_dead_lettered_with_its_reason(probe):
    with running(probe.service):
        probe.publish(b"{not json", message_id="broken")
        dead = probe.drain(topology.dead_letter_queue(probe.work))

    assert [m.properties["message_id"] for m in dead] == ["broken"]
    assert dead[0].body == b"{not json"
    assert "not JSON" in json.loads(dead[0].headers["x-reason"])["message"]


def test_an_invalid_message_is_dead_lettered_and_its_sender_told_every_fault(probe):
    with running(probe.service):
        probe.publish({"text": "fine", "case_notes": "must not be here"}, message_id="invalid")
        dead = probe.drain(topology.dead_letter_queue(probe.work))
        told = probe.drain(probe.feedback)

    reason = json.loads(dead[0].headers["x-reason"])
    assert reason["code"] == "invalid_message" and "case_notes" in reason["details"]
    assert dead[0].headers["x-original-routing-key"].endswith(".note")
    feedback = told[0].payload
    assert feedback["message_id"] == "invalid" and "case_notes" in feedback["faults"]["details"]
    assert probe.note_texts() == []


def test_what_a_handler_emits_is_sent_only_after_its_commit(probe):
    with running(probe.service):
        probe.publish({"text": "rolled back", "fail_after_emit": True})
        probe.publish({"text": "committed", "echo": True})
        echoes = probe.drain(probe.echoes)

    assert [m.payload["text"] for m in echoes] == ["committed"]
    assert probe.note_texts() == ["committed"]


def test_a_request_is_answered_and_a_refusal_comes_back_as_the_same_error(probe):
    import pytest

    from shared.errors import Conflict, InvalidRequest
    from shared.messaging.connection import connect
    from shared.messaging.rpc import RpcClient

    client = RpcClient(lambda: connect(probe.service.settings), timeout=10)
    method = f"{probe.service.name}.note"
    with running(probe.service):
        answer = client.call(method, {"text": "asked"})
        with pytest.raises(Conflict):
            client.call(method, {"text": "no", "fail_after_emit": True})
        with pytest.raises(InvalidRequest, match="text"):
            client.call(method, {})
    client.close()

    assert answer == {"noted": "asked"}
    assert probe.note_texts() == ["asked"]


def test_a_request_nobody_answers_times_out_as_unavailable(probe):
    import pytest

    from shared.errors import Unavailable
    from shared.messaging.connection import connect
    from shared.messaging.rpc import RpcClient

    client = RpcClient(lambda: connect(probe.service.settings), timeout=0.5)
    with pytest.raises(Unavailable, match="did not answer"):
        client.call(f"{probe.service.name}.note", {"text": "anyone?"})
    client.close()


def test_a_client_left_idle_past_the_brokers_heartbeat_asks_on_a_new_connection(probe):
    """An idle client sends no heartbeat, so the broker may have closed its connection: its next question must not fail on it."""
    from shared.messaging import rpc
    from shared.messaging.connection import connect

    connections = []

    def connecting():
        connections.append(connect(probe.service.settings))
        return connections[-1]

    client = rpc.RpcClient(connecting, timeout=10)
    method = f"{probe.service.name}.note"
    with running(probe.service):
        client.call(method, {"text": "first"})
        client.call(method, {"text": "at once"})
        client._used_at -= rpc.IDLE_SECONDS + 1  # as if left idle that long
        client.call(method, {"text": "after a while"})
    client.close()

    assert len(connections) == 2
    assert probe.note_texts() == ["first", "at once", "after a while"]


def test_a_client_whose_connection_the_broker_closed_asks_again_on_a_new_one(probe, migrated):
    """As after a broker restart: the broker closes every connection, and the next question must not be refused for it."""
    import httpx

    from shared.messaging import rpc
    from shared.messaging.connection import connect

    connections = []

    def connecting():
        connections.append(connect(probe.service.settings))
        return connections[-1]

    def closed_by_the_broker(connection) -> bool:
        sock = connection.connection.sock
        (client_host, client_port), (broker_host, broker_port) = sock.getsockname()[:2], sock.getpeername()[:2]
        name = f"{client_host}:{client_port} -> {broker_host}:{broker_port}"
        answer = httpx.delete(f"{migrated.amqp_admin_url}/api/connections/{name}",
                              headers={"X-Reason": "closed by a test, as a restart would"})
        return answer.status_code == 204

    client = rpc.RpcClient(connecting, timeout=10)
    method = f"{probe.service.name}.note"
    with running(probe.service):
        client.call(method, {"text": "before"})
        wait_until(lambda: closed_by_the_broker(connections[0]), what="the broker to close the client's connection")
        client.call(method, {"text": "after"})
    client.close()

    assert len(connections) == 2
    assert probe.note_texts() == ["before", "after"]


def test_a_message_whose_handling_fails_for_a_while_waits_in_the_delay_queue_and_is_then_handled(probe):
    with running(probe.service):
        probe.publish({"text": "after two failures", "fails_for_a_while": 2})
        wait_until(lambda: probe.note_texts() == ["after two failures"], what="the note to be stored after its retries")

    assert probe.drain(topology.dead_letter_queue(probe.work), timeout=0.3) == []


def test_a_message_whose_handling_never_succeeds_is_dead_lettered_with_its_reason_after_every_retry(probe):
    with running(probe.service):
        probe.publish({"text": "never", "fails_for_a_while": 100}, message_id="hopeless")
        dead = probe.drain(topology.dead_letter_queue(probe.work))

    assert [m.properties["message_id"] for m in dead] == ["hopeless"]
    reason = json.loads(dead[0].headers["x-reason"])
    assert reason["code"] == "unavailable" and "4 attempts" in reason["message"] and "lost its connection" in reason["message"]
    assert [(d["queue"], d["reason"], d["count"]) for d in dead[0].headers["x-death"]] == [(f"{probe.work.name}.delayed", "expired", 3)]
    assert dead[0].headers["x-original-routing-key"].endswith(".note")
    assert probe.note_texts() == []


def test_a_senders_own_x_death_does_not_change_how_often_its_message_is_retried(probe):
    forged = [{"queue": f"{probe.work.name}.delayed", "reason": "expired", "count": -1000}]
    with running(probe.service):
        probe.publish({"text": "never", "fails_for_a_while": 100}, message_id="forged", headers={"x-death": forged})
        dead = probe.drain(topology.dead_letter_queue(probe.work))

    assert [d["count"] for d in dead[0].headers["x-death"]] == [3]
