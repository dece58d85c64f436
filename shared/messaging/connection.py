"""Broker connections: the real RabbitMQ with publisher confirms, or kombu's in-memory broker when embedded.

Connections to RabbitMQ use py-amqp, as kombu does, with two changes that save system calls,
which on a busy machine cost more than the Python around them:
- a read from the socket takes whatever has arrived, up to ``READ_AHEAD`` bytes, where py-amqp
  asks for exactly the next part of a frame (a delivery is three frames, so six reads);
- a publish does not first look on the socket for a ``connection.blocked`` notice, which
  py-amqp does before every publish once the broker offers that notice. Nothing here acts on
  the notice; a blocked broker holds publishes back whether or not it says so, and a publish
  waiting for its confirm gives up after its timeout all the same.
"""
from __future__ import annotations

import amqp
from amqp.transport import TCPTransport
from kombu import Connection
from kombu.transport import pyamqp

from shared.settings import Settings

# Confirms make a publish return only once the broker holds the message.
BROKER_OPTIONS = {"confirm_publish": True}
# The in-memory broker is polled; a short interval keeps embedded answers quick.
EMBEDDED_OPTIONS = {"polling_interval": 0.005}
# Enough for a few small messages at once; py-amqp copies what is left of its buffer on each read, so not more.
READ_AHEAD = 8192
HEARTBEAT_SECONDS = 30


def connect(settings: Settings) -> Connection:
    if settings.embedded:
        # The in-memory broker checks no one; the process still names itself on what it publishes, as on RabbitMQ.
        return Connection("memory://localhost//", userid=settings.names.broker_user(settings.service or "operator"),
                          transport_options=EMBEDDED_OPTIONS)
    return Connection(settings.amqp_url, transport=_Transport, transport_options=BROKER_OPTIONS, heartbeat=HEARTBEAT_SECONDS, connect_timeout=15)


class _ReadingAhead(TCPTransport):
    def _setup_transport(self) -> None:
        super()._setup_transport()
        recv = self.sock.recv
        # py-amqp keeps what a read returns beyond what it asked for in its buffer, and takes the next frame from there.
        self._quick_recv = lambda wanted: recv(max(wanted, READ_AHEAD))


class _AmqpConnection(pyamqp.Connection):
    negotiate_capabilities = {**amqp.Connection.negotiate_capabilities, "connection.blocked": False}

    def Transport(self, host, connect_timeout, ssl=False, read_timeout=None, write_timeout=None, socket_settings=None, **kwargs):
        if ssl:
            return super().Transport(host, connect_timeout, ssl, read_timeout, write_timeout, socket_settings, **kwargs)
        return _ReadingAhead(host, connect_timeout=connect_timeout, read_timeout=read_timeout, write_timeout=write_timeout,
                             socket_settings=socket_settings, **kwargs)


class _Transport(pyamqp.Transport):
    Connection = _AmqpConnection
