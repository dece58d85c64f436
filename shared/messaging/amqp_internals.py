"""Every private part of py-amqp the project relies on, in this one module; ``test_amqp_internals`` fails when an upgrade moves one.

kombu and amqp are pinned in ``pyproject.toml`` to the versions those tests passed on. What is
relied on, and why:
- ``TCPTransport._setup_transport`` sets ``_quick_recv``, the one function ``_read`` takes bytes
  with, and ``_read`` keeps whatever a read returns beyond what it asked for in ``_read_buffer``.
  Reading ahead through it takes whatever has arrived, up to ``READ_AHEAD`` bytes, where py-amqp
  asks for exactly the next part of a frame (a delivery is three frames, so six reads): on a busy
  machine the system calls cost more than the Python around them.
- ``Channel._basic_publish`` is the publish that does not wait for the broker's confirm, which a
  channel of a ``confirm_publish`` connection keeps beside its ``basic_publish`` that does.
"""
from __future__ import annotations

import amqp
from amqp.transport import TCPTransport
from kombu.transport import pyamqp

# Enough for a few small messages at once; py-amqp copies what is left of its buffer on each read, so not more.
READ_AHEAD = 8192


def without_waiting_for_confirms(channel):
    """The channel, each publish returning at once instead of waiting for the broker's confirm (as a py-amqp
    channel of a ``confirm_publish`` connection does); kombu's in-memory channels never wait."""
    if hasattr(channel, "_basic_publish"):
        channel.basic_publish = channel._basic_publish
    return channel


class _ReadingAhead(TCPTransport):
    def _setup_transport(self) -> None:
        super()._setup_transport()
        recv = self.sock.recv
        self._quick_recv = lambda wanted: recv(max(wanted, READ_AHEAD))


class _AmqpConnection(pyamqp.Connection):
    # py-amqp looks on the socket for a ``connection.blocked`` notice before every publish once the broker
    # offers it. A connection that would not act on the notice does not ask for it: a blocked broker holds
    # publishes back whether or not it says so, and a publish waiting for its confirm gives up after its
    # timeout all the same. One given ``on_blocked`` (a caller that would rather refuse at once) asks.
    negotiate_capabilities = {**amqp.Connection.negotiate_capabilities, "connection.blocked": False}

    def __init__(self, *args, on_blocked=None, **kwargs):
        super().__init__(*args, on_blocked=on_blocked, **kwargs)
        if on_blocked is not None:
            self.negotiate_capabilities = {**self.negotiate_capabilities, "connection.blocked": True}

    def Transport(self, host, connect_timeout, ssl=False, read_timeout=None, write_timeout=None, socket_settings=None, **kwargs):
        if ssl:
            return super().Transport(host, connect_timeout, ssl, read_timeout, write_timeout, socket_settings, **kwargs)
        return _ReadingAhead(host, connect_timeout=connect_timeout, read_timeout=read_timeout, write_timeout=write_timeout,
                             socket_settings=socket_settings, **kwargs)


class ReadingAheadTransport(pyamqp.Transport):
    """kombu's py-amqp transport, reading ahead, and looking for ``connection.blocked`` before each publish only when told what to do with it."""

    Connection = _AmqpConnection
