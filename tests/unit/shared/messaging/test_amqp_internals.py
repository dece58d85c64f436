"""The private parts of py-amqp that ``shared.messaging.amqp_internals`` relies on are still there and still do the same.

Each test names one; an upgrade of amqp or kombu that moves it fails here before it changes how
the services read or publish.
"""
import inspect
import socket

import amqp
import pytest
from amqp.channel import Channel
from amqp.transport import TCPTransport, _AbstractTransport

from shared.messaging.amqp_internals import READ_AHEAD, ReadingAheadTransport, _ReadingAhead, without_waiting_for_confirms


class Pipe:
    """One end of a socket pair, counting the reads made of it."""

    def __init__(self):
        self.sock, self.peer = socket.socketpair()
        self.reads = 0
        self.sendall = self.sock.sendall

    def recv(self, wanted: int) -> bytes:
        self.reads += 1
        return self.sock.recv(wanted)


@pytest.fixture
def pipe():
    made = Pipe()
    with made.sock, made.peer:
        yield made


def reading_ahead_over(pipe: Pipe) -> _ReadingAhead:
    transport = _ReadingAhead.__new__(_ReadingAhead)
    transport.sock = pipe
    transport.raise_on_initial_eintr = True
    transport._setup_transport()
    return transport


def test_the_tcp_transport_sets_up_its_reading_function_when_it_connects():
    assert "self._setup_transport()" in inspect.getsource(_AbstractTransport._init_socket)
    assert "self._quick_recv = self.sock.recv" in inspect.getsource(TCPTransport._setup_transport)


def test_reading_ahead_takes_many_frames_in_one_read_and_hands_out_exactly_what_is_asked(pipe):
    transport = reading_ahead_over(pipe)
    pipe.peer.sendall(b"abcdefgh" * 4)

    parts = [transport._read(n) for n in (3, 5, 8, 16)]

    assert parts == [b"abc", b"defgh", b"abcdefgh", b"abcdefgh" * 2]
    assert pipe.reads == 1


def test_a_frame_larger_than_a_read_ahead_arrives_whole(pipe):
    transport = reading_ahead_over(pipe)
    frame = bytes(range(256)) * (3 * READ_AHEAD // 256)
    pipe.peer.sendall(frame)

    assert transport._read(len(frame)) == frame


def test_a_confirming_channel_keeps_the_publish_that_does_not_wait_beside_the_one_that_does():
    assert Channel.basic_publish is Channel._basic_publish
    assert "self.basic_publish = self.basic_publish_confirm" in inspect.getsource(Channel.__init__)
    assert "self._basic_publish(" in inspect.getsource(Channel.basic_publish_confirm)

    class ConfirmingChannel:
        _basic_publish = "publishes at once"
        basic_publish = "waits for the confirm"

    assert without_waiting_for_confirms(ConfirmingChannel()).basic_publish == "publishes at once"


def test_the_connection_makes_its_transport_and_negotiates_the_blocked_notice_as_assumed():
    assert list(inspect.signature(amqp.Connection.Transport).parameters) == [
        "self", "host", "connect_timeout", "ssl", "read_timeout", "write_timeout", "socket_settings", "kwargs"]
    assert "connection.blocked" in amqp.Connection.negotiate_capabilities
    assert ReadingAheadTransport.Connection.negotiate_capabilities["connection.blocked"] is False
