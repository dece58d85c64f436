"""Broker accounts, virtual hosts and permissions, through RabbitMQ's HTTP API.

Partner systems and security teams each get a broker user of their own whose permissions
say exactly what it may publish and read. Embedded mode has no broker users.
"""
from __future__ import annotations

import secrets
from urllib.parse import quote, urlsplit

import httpx
from kombu import Connection, Queue

from shared.errors import ServerUnreachable
from shared.settings import Settings


class BrokerAdminError(ServerUnreachable):
    pass


def new_password() -> str:
    return secrets.token_urlsafe(24)


class BrokerAdmin:
    def __init__(self, admin_url: str, vhost: str, timeout: float = 10.0):
        parts = urlsplit(admin_url)
        self.url = admin_url
        self.vhost = vhost
        self._base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}/api"
        self._auth = (parts.username or "guest", parts.password or "guest")
        self._timeout = timeout

    @classmethod
    def for_settings(cls, settings: Settings) -> BrokerAdmin | EmbeddedBrokerAdmin:
        if settings.embedded:
            return EmbeddedBrokerAdmin()
        return cls(settings.amqp_admin_url, settings.vhost)

    def create_vhost(self, name: str) -> None:
        """A vhost the administrator whose credentials these are may do anything on."""
        self._call("PUT", f"/vhosts/{quote(name, safe='')}", {})
        self.grant(self._auth[0], configure=".*", write=".*", read=".*", vhost=name)

    def delete_vhost(self, name: str) -> None:
        self._call("DELETE", f"/vhosts/{quote(name, safe='')}", missing_ok=True)

    def vhosts(self) -> list[str]:
        return [vhost["name"] for vhost in self._call("GET", "/vhosts?columns=name")]

    def users_of(self, vhost: str) -> set[str]:
        """The users with permissions on the vhost."""
        return {granted["user"] for granted in self._call("GET", f"/vhosts/{quote(vhost, safe='')}/permissions", missing_ok=True) or []}

    def create_user(self, username: str, password: str, tags: str = "") -> None:
        """Creates the user, or gives an existing one this password: callers make sure the name is theirs to set."""
        self._call("PUT", f"/users/{quote(username, safe='')}", {"password": password, "tags": tags})

    def users(self) -> list[str]:
        return [user["name"] for user in self._call("GET", "/users?columns=name")]

    def read_permission(self, username: str) -> str | None:
        """The queues the user may read on this vhost, as its pattern; None where it has no permissions here."""
        granted = self._call("GET", f"/permissions/{self._vhost(None)}/{quote(username, safe='')}", missing_ok=True)
        return granted["read"] if granted else None

    def delete_user(self, username: str) -> None:
        self._call("DELETE", f"/users/{quote(username, safe='')}", missing_ok=True)

    def grant(self, username: str, *, configure: str, write: str, read: str, vhost: str | None = None) -> None:
        self._call("PUT", f"/permissions/{self._vhost(vhost)}/{quote(username, safe='')}",
                   {"configure": configure, "write": write, "read": read})

    def grant_topic(self, username: str, exchange: str, *, write: str, read: str) -> None:
        self._call("PUT", f"/topic-permissions/{self._vhost(None)}/{quote(username, safe='')}",
                   {"exchange": exchange, "write": write, "read": read})

    def user_exists(self, username: str) -> bool:
        return self._call("GET", f"/users/{quote(username, safe='')}", missing_ok=True) is not None

    def declare(self, queue: Queue) -> None:
        """Declares a durable queue and its binding (its exchange must exist)."""
        name = quote(queue.name, safe="")
        self._call("PUT", f"/queues/{self._vhost(None)}/{name}", {"durable": True, "arguments": queue.queue_arguments or {}})
        self._call("POST", f"/bindings/{self._vhost(None)}/e/{quote(queue.exchange.name, safe='')}/q/{name}",
                   {"routing_key": queue.routing_key})

    def _vhost(self, vhost: str | None) -> str:
        return quote(vhost or self.vhost, safe="")

    def _call(self, method: str, path: str, body: dict | None = None, missing_ok: bool = False):
        try:
            with httpx.Client(auth=self._auth, timeout=self._timeout) as client:
                response = client.request(method, self._base + path, json=body)
        except httpx.HTTPError as exc:
            raise BrokerAdminError(f"the RabbitMQ management API at {self._base} could not be reached ({exc})") from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise BrokerAdminError(f"RabbitMQ refused {method} {path}: {response.status_code} {response.text[:200]}")
        return response.json() if response.content else {}


class EmbeddedBrokerAdmin:
    """The in-memory broker has no users to create: partners and teams connect as the process does."""

    vhost = "/"

    def declare(self, queue: Queue) -> None:
        with Connection("memory://") as connection:
            queue(connection.default_channel).declare()

    def create_user(self, username: str, password: str, tags: str = "") -> None:
        pass

    def read_permission(self, username: str) -> str | None:
        return None

    def delete_user(self, username: str) -> None:
        pass

    def grant(self, username: str, *, configure: str, write: str, read: str, vhost: str | None = None) -> None:
        pass

    def grant_topic(self, username: str, exchange: str, *, write: str, read: str) -> None:
        pass

    def user_exists(self, username: str) -> bool:
        return False
