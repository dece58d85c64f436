"""Configuration, read once at the edge of a process into a frozen object.

Secrets (token signing, TOTP encryption, each service's passwords) come from the environment,
or from a key file named by ``CP_KEY_FILE`` holding ``NAME=value`` lines; never from the
repository. The key file also holds the public keys, which ``contactpoint keys`` writes beside
the private ones.

The URLs name the servers with an administrator's credentials, as ``migrate`` uses them. A
service takes only its own part (``for_service``): the same servers under its own users, and
only the secrets its own job needs.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from shared import principals
from shared.errors import ConfigurationError

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/contactpoint"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_HTTP_ADDR = "127.0.0.1:8000"

SECRET_NAMES = ("CP_TOKEN_KEY", "CP_TOTP_KEY", "CP_PSEUDONYM_KEY", "CP_CHECKPOINT_KEY", "CP_GRANT_KEY")
PUBLIC_KEY_NAMES = ("CP_TOKEN_PUBLIC_KEY", "CP_CHECKPOINT_PUBLIC_KEY", "CP_GRANT_PUBLIC_KEY")
# Each process's own password on each server it uses, e.g. ``CP_BROKER_PASSWORD_DIRECTORY``.
PASSWORD_NAMES = (
    *(f"CP_BROKER_PASSWORD_{process.upper()}" for process in principals.PROCESSES),
    *(f"CP_DB_PASSWORD_{process.upper()}" for process in principals.WITH_DATA),
    *(f"CP_REDIS_PASSWORD_{process.upper()}" for process in principals.WITH_SESSIONS),
)
# What a key file may give: the secrets, the passwords, and the public keys (no secret, but made with them).
KEY_FILE_NAMES = (*SECRET_NAMES, *PUBLIC_KEY_NAMES, *PASSWORD_NAMES)
# Which process needs which secret; every other process is never given it.
SECRET_HOLDERS = {
    "token_key": "identity", "totp_key": "identity", "pseudonym_key": "disclosure", "checkpoint_key": "audit", "grant_key": "disclosure",
    "smtp_url": "identity",
}
# The processes whose read-only queries may go to a replica: CONTRACT.md says what a reader may then see late.
READS_FROM_REPLICA = ("directory",)
# Identity's rules that an operator may change, by the variable that sets each.
IDENTITY_NUMBERS = {
    "CP_SESSION_IDLE_SECONDS": "token_lifetime_seconds", "CP_SESSION_MAX_SECONDS": "session_max_seconds",
    "CP_LOGIN_THROTTLE_AFTER": "login_throttle_after", "CP_LOGIN_LOCKOUT_AFTER": "login_lockout_after",
    "CP_LOGIN_MAX_WAIT_SECONDS": "login_max_wait_seconds", "CP_LOGIN_ACCOUNT_MAX_WAIT_SECONDS": "login_account_max_wait_seconds",
    "CP_LOGIN_WINDOW_SECONDS": "login_window_seconds",
    "CP_TRAINING_VALID_YEARS": "training_valid_years", "CP_DISCLOSURE_VALID_YEARS": "disclosure_valid_years",
}


@dataclass(frozen=True)
class Settings:
    amqp_url: str = DEFAULT_AMQP_URL
    amqp_admin_url: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    database_replica_url: str = ""  # a hot standby for the directory's read-only queries (READS_FROM_REPLICA); empty, the primary
    redis_url: str = DEFAULT_REDIS_URL
    http_addr: str = DEFAULT_HTTP_ADDR
    token_key: str = ""  # signs access tokens (Ed25519, 32 bytes in base64): identity's alone
    token_public_key: str = ""  # checks them: every service's
    totp_key: str = ""
    checkpoint_key: str = ""  # signs checkpoints of the audit chain (Ed25519, 32 bytes in base64)
    checkpoint_public_key: str = ""  # public keys, comma-separated, that check their signatures beside checkpoint_key's own half
    pseudonym_key: str = ""  # keys the pseudonyms of bulk disclosure
    grant_key: str = ""  # signs single-record disclosure grants when a second person approves (Ed25519): disclosure's alone
    grant_public_key: str = ""  # checks them: the directory's
    smtp_url: str = ""  # where identity sends mail to account holders (enrolment links, warnings); may hold a password
    mail_from: str = "ContactPoint <no-reply@contactpoint.invalid>"
    public_url: str = ""  # where people reach the portal (behind its proxy), for links in mail; empty: http://<http_addr>
    name_prefix: str = ""  # before every broker user, database role and Redis user this deployment makes
    service: str = ""  # the process these settings are narrowed to (``for_service``); empty for the operator's
    passwords: tuple[tuple[str, str], ...] = ()  # (CP_*_PASSWORD_* variable, password) pairs
    disclosure_read_seconds: int = 24 * 60 * 60  # how long an approved single-record disclosure may be read
    token_lifetime_seconds: int = 30 * 60  # a session ends this long after its last use (idle timeout)
    session_max_seconds: int = 12 * 60 * 60  # and this long after sign-in, however busy
    login_throttle_after: int = 3  # failures from one address at one account before each further attempt waits, longer each time
    login_max_wait_seconds: int = 15 * 60  # the longest an address waits
    login_account_max_wait_seconds: int = 60  # the longest an account guessed from many addresses waits: its holder too
    login_window_seconds: int = 15 * 60  # a count of failures is forgotten after this long without one
    login_lockout_after: int = 10  # right passwords with a wrong second factor before the account is locked
    webauthn_rp_id: str = "localhost"  # the relying party id passkeys are made for: the portal's host or a suffix of it
    webauthn_origin: str = "http://localhost:8000"  # the origin the page is served from, which every passkey answer must name
    trusted_proxies: str = ""  # addresses or networks (comma-separated) whose X-Forwarded-For the portal believes
    training_valid_years: int = 3
    disclosure_valid_years: int = 3

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        keys = _keys(env)
        amqp_url = env.get("CP_AMQP_URL", DEFAULT_AMQP_URL)
        return cls(
            amqp_url=amqp_url,
            amqp_admin_url=env.get("CP_AMQP_ADMIN_URL") or management_url_for(amqp_url.split(";")[0]),
            database_url=env.get("CP_DATABASE_URL", DEFAULT_DATABASE_URL),
            database_replica_url=env.get("CP_DATABASE_REPLICA_URL", ""),
            redis_url=env.get("CP_REDIS_URL", DEFAULT_REDIS_URL),
            http_addr=env.get("CP_HTTP_ADDR", DEFAULT_HTTP_ADDR),
            token_key=keys.get("CP_TOKEN_KEY", ""),
            token_public_key=keys.get("CP_TOKEN_PUBLIC_KEY", ""),
            totp_key=keys.get("CP_TOTP_KEY", ""),
            checkpoint_key=keys.get("CP_CHECKPOINT_KEY", ""),
            checkpoint_public_key=keys.get("CP_CHECKPOINT_PUBLIC_KEY", ""),
            pseudonym_key=keys.get("CP_PSEUDONYM_KEY", ""),
            grant_key=keys.get("CP_GRANT_KEY", ""),
            grant_public_key=keys.get("CP_GRANT_PUBLIC_KEY", ""),
            smtp_url=env.get("CP_SMTP_URL", ""),
            mail_from=env.get("CP_MAIL_FROM", cls.mail_from),
            public_url=env.get("CP_PUBLIC_URL", ""),
            trusted_proxies=env.get("CP_TRUSTED_PROXIES", ""),
            webauthn_rp_id=env.get("CP_WEBAUTHN_RP_ID", cls.webauthn_rp_id),
            webauthn_origin=env.get("CP_WEBAUTHN_ORIGIN", cls.webauthn_origin),
            name_prefix=env.get("CP_NAME_PREFIX", ""),
            service=env.get("CP_SERVICE", ""),
            passwords=tuple((name, keys[name]) for name in PASSWORD_NAMES if keys.get(name)),
            disclosure_read_seconds=_seconds(env, "CP_DISCLOSURE_READ_SECONDS", cls.disclosure_read_seconds),
            **_whole_numbers(env, IDENTITY_NUMBERS),
        )

    @property
    def embedded(self) -> bool:
        return self.amqp_url.startswith("memory://")

    @property
    def amqp_urls(self) -> list[str]:
        """The broker's addresses: one, or several ``;``-separated (nodes of one cluster, tried in turn as kombu does)."""
        return self.amqp_url.split(";")

    @property
    def vhost(self) -> str:
        path = urlsplit(self.amqp_urls[0]).path
        return "/" if path in ("", "/", "//") else unquote(path[1:])

    @property
    def http_host(self) -> str:
        return self.http_addr.rsplit(":", 1)[0]

    @property
    def http_port(self) -> int:
        return int(self.http_addr.rsplit(":", 1)[1])

    @property
    def portal_url(self) -> str:
        """The portal's address as people reach it, without a trailing slash."""
        return (self.public_url or f"http://{self.http_addr}").rstrip("/")

    @property
    def names(self) -> principals.Names:
        return principals.Names(self.name_prefix)

    def password(self, server: str, process: str) -> str:
        """The process's own password on a server (``BROKER``, ``DB`` or ``REDIS``), or '' where none is given."""
        return dict(self.passwords).get(f"CP_{server}_PASSWORD_{process.upper()}", "")

    def for_service(self, process: str) -> Settings:
        """These settings as ``process`` alone may have them: the servers under its own users, only the secrets it needs.

        Where the process's own password is not given (a development set-up, or settings already
        narrowed by whoever started the process), the server's URL stays as it is.
        """
        if self.service == process:
            return self
        names = self.names
        own = tuple((name, value) for name, value in self.passwords if name.endswith(f"_PASSWORD_{process.upper()}"))
        narrowed = replace(self, service=process, passwords=own,
                           amqp_admin_url=self.amqp_admin_url if process in principals.WITH_BROKER_ADMINISTRATION else "",
                           **{field: getattr(self, field) if holder == process else "" for field, holder in SECRET_HOLDERS.items()})
        if self.embedded:
            return narrowed
        return replace(
            narrowed,
            amqp_url=_logged_in(self.amqp_url, names.broker_user(process), self.password("BROKER", process)),
            amqp_admin_url=_logged_in(narrowed.amqp_admin_url, names.broker_user(process), self.password("BROKER", process)),
            database_url="" if _known_without(process, principals.WITH_DATA)
            else _logged_in(self.database_url, names.database_role(process), self.password("DB", process)),
            database_replica_url=_logged_in(self.database_replica_url, names.database_role(process), self.password("DB", process))
            if process in READS_FROM_REPLICA else "",
            redis_url="" if _known_without(process, principals.WITH_SESSIONS)
            else _logged_in(self.redis_url, names.redis_user(process), self.password("REDIS", process)),
        )

    def require_secrets(self, *fields: str) -> Settings:
        """Refuses to go on without the named secrets or keys (fields of these settings)."""
        missing = [f"CP_{field.upper()}" for field in fields if not getattr(self, field)]
        if missing:
            raise ConfigurationError(
                f"{', '.join(missing)} not set: give them in the environment or in the file named by CP_KEY_FILE"
            )
        return self

    def as_environment(self) -> dict[str, str]:
        """The CP_* variables that give a child process these settings."""
        return {
            "CP_AMQP_URL": self.amqp_url, "CP_AMQP_ADMIN_URL": self.amqp_admin_url, "CP_DATABASE_URL": self.database_url,
            "CP_DATABASE_REPLICA_URL": self.database_replica_url,
            "CP_REDIS_URL": self.redis_url, "CP_HTTP_ADDR": self.http_addr, "CP_TOKEN_KEY": self.token_key,
            "CP_TOKEN_PUBLIC_KEY": self.token_public_key, "CP_TOTP_KEY": self.totp_key,
            "CP_CHECKPOINT_KEY": self.checkpoint_key, "CP_CHECKPOINT_PUBLIC_KEY": self.checkpoint_public_key,
            "CP_PSEUDONYM_KEY": self.pseudonym_key, "CP_GRANT_KEY": self.grant_key, "CP_GRANT_PUBLIC_KEY": self.grant_public_key,
            "CP_SMTP_URL": self.smtp_url, "CP_MAIL_FROM": self.mail_from, "CP_PUBLIC_URL": self.public_url,
            "CP_TRUSTED_PROXIES": self.trusted_proxies, "CP_WEBAUTHN_RP_ID": self.webauthn_rp_id,
            "CP_WEBAUTHN_ORIGIN": self.webauthn_origin, "CP_NAME_PREFIX": self.name_prefix, "CP_SERVICE": self.service,
            "CP_DISCLOSURE_READ_SECONDS": str(self.disclosure_read_seconds),
            **dict(self.passwords),
            **{name: str(getattr(self, field)) for name, field in IDENTITY_NUMBERS.items()},
        }

    def but(self, **changes) -> Settings:
        return replace(self, **changes)


def management_url_for(amqp_url: str) -> str:
    """The RabbitMQ HTTP API that sits beside a broker, with the same credentials."""
    parts = urlsplit(amqp_url)
    if parts.scheme not in ("amqp", "amqps", "pyamqp"):
        return ""
    scheme = "https" if parts.scheme == "amqps" else "http"
    credentials = f"{parts.username or 'guest'}:{parts.password or 'guest'}@"
    return f"{scheme}://{credentials}{parts.hostname or '127.0.0.1'}:15672"


def _known_without(process: str, having: tuple[str, ...]) -> bool:
    """Whether ``process`` is one of ContactPoint's own that does without this server (a process of another name keeps it)."""
    return process in principals.PROCESSES and process not in having


def _logged_in(url: str, username: str, password: str) -> str:
    """``url`` (or each of several, ``;``-separated) with this login in place of the one it names; unchanged without a password."""
    if not password or not url:
        return url
    return ";".join(with_login(one, username, password) for one in url.split(";"))


def with_login(url: str, username: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{quote(username, safe='')}:{quote(password, safe='')}@{host}").geturl()


def _keys(env: dict[str, str]) -> dict[str, str]:
    """The keys the key file gives, each overridden by its variable in the environment."""
    found: dict[str, str] = {}
    key_file = env.get("CP_KEY_FILE")
    if key_file:
        path = Path(key_file)
        if not path.is_file():
            raise ConfigurationError(f"CP_KEY_FILE names {key_file}, which is not a readable file")
        for line in path.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and name.strip() in KEY_FILE_NAMES:
                found[name.strip()] = value.strip()
    found.update({name: env[name] for name in KEY_FILE_NAMES if env.get(name)})
    return found


def _seconds(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigurationError(f"{name} must be a whole number of seconds, not {value!r}")
    return int(value)


def _whole_numbers(env: dict[str, str], names: dict[str, str]) -> dict[str, int]:
    """The settings given as positive whole numbers; a variable set to anything else is a configuration error."""
    found = {}
    for name, field in names.items():
        value = env.get(name, "").strip()
        if not value:
            continue
        if not value.isdigit() or int(value) < 1:
            raise ConfigurationError(f"{name} must be a whole number above 0, not {value!r}")
        found[field] = int(value)
    return found
