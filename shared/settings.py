"""Configuration, read once at the edge of a process into a frozen object.

Secrets (token signing, TOTP encryption) come from the environment, or from a key file
named by ``CP_KEY_FILE`` holding ``NAME=value`` lines; never from the repository. The key
file may also hold the checkpoint public key, which ``contactpoint keys`` writes beside the
private one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from shared.errors import ConfigurationError

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/contactpoint"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_HTTP_ADDR = "127.0.0.1:8000"

SECRET_NAMES = ("CP_TOKEN_KEY", "CP_TOTP_KEY", "CP_PSEUDONYM_KEY", "CP_CHECKPOINT_KEY")
# What a key file may give: the secrets, and the public key that checks checkpoints (no secret, but made with them).
KEY_FILE_NAMES = (*SECRET_NAMES, "CP_CHECKPOINT_PUBLIC_KEY")
# Identity's rules that an operator may change, by the variable that sets each.
IDENTITY_NUMBERS = {
    "CP_SESSION_IDLE_SECONDS": "token_lifetime_seconds", "CP_SESSION_MAX_SECONDS": "session_max_seconds",
    "CP_LOGIN_THROTTLE_AFTER": "login_throttle_after", "CP_LOGIN_LOCKOUT_AFTER": "login_lockout_after",
    "CP_TRAINING_VALID_YEARS": "training_valid_years", "CP_DISCLOSURE_VALID_YEARS": "disclosure_valid_years",
}


@dataclass(frozen=True)
class Settings:
    amqp_url: str = DEFAULT_AMQP_URL
    amqp_admin_url: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL
    http_addr: str = DEFAULT_HTTP_ADDR
    token_key: str = ""
    totp_key: str = ""
    checkpoint_key: str = ""  # signs checkpoints of the audit chain (Ed25519, 32 bytes in base64)
    checkpoint_public_key: str = ""  # public keys, comma-separated, that check their signatures beside checkpoint_key's own half
    pseudonym_key: str = ""  # keys the pseudonyms of bulk disclosure
    disclosure_read_seconds: int = 24 * 60 * 60  # how long an approved single-record disclosure may be read
    token_lifetime_seconds: int = 30 * 60  # a session ends this long after its last use (idle timeout)
    session_max_seconds: int = 12 * 60 * 60  # and this long after sign-in, however busy
    login_throttle_after: int = 3  # failures before each further attempt must wait, longer each time
    login_lockout_after: int = 10  # failures before the account is locked until an la_admin unlocks it
    training_valid_years: int = 3
    disclosure_valid_years: int = 3

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        keys = _keys(env)
        amqp_url = env.get("CP_AMQP_URL", DEFAULT_AMQP_URL)
        return cls(
            amqp_url=amqp_url,
            amqp_admin_url=env.get("CP_AMQP_ADMIN_URL") or management_url_for(amqp_url),
            database_url=env.get("CP_DATABASE_URL", DEFAULT_DATABASE_URL),
            redis_url=env.get("CP_REDIS_URL", DEFAULT_REDIS_URL),
            http_addr=env.get("CP_HTTP_ADDR", DEFAULT_HTTP_ADDR),
            token_key=keys.get("CP_TOKEN_KEY", ""),
            totp_key=keys.get("CP_TOTP_KEY", ""),
            checkpoint_key=keys.get("CP_CHECKPOINT_KEY", ""),
            checkpoint_public_key=keys.get("CP_CHECKPOINT_PUBLIC_KEY", ""),
            pseudonym_key=keys.get("CP_PSEUDONYM_KEY", ""),
            disclosure_read_seconds=_seconds(env, "CP_DISCLOSURE_READ_SECONDS", cls.disclosure_read_seconds),
            **_whole_numbers(env, IDENTITY_NUMBERS),
        )

    @property
    def embedded(self) -> bool:
        return self.amqp_url.startswith("memory://")

    @property
    def vhost(self) -> str:
        path = urlsplit(self.amqp_url).path
        return "/" if path in ("", "/", "//") else unquote(path[1:])

    @property
    def http_host(self) -> str:
        return self.http_addr.rsplit(":", 1)[0]

    @property
    def http_port(self) -> int:
        return int(self.http_addr.rsplit(":", 1)[1])

    def require_secrets(self) -> Settings:
        missing = [name for name, value in zip(SECRET_NAMES, (self.token_key, self.totp_key)) if not value]
        if missing:
            raise ConfigurationError(
                f"{', '.join(missing)} not set: give them in the environment or in the file named by CP_KEY_FILE"
            )
        return self

    def as_environment(self) -> dict[str, str]:
        """The CP_* variables that give a child process these settings."""
        return {
            "CP_AMQP_URL": self.amqp_url, "CP_AMQP_ADMIN_URL": self.amqp_admin_url, "CP_DATABASE_URL": self.database_url,
            "CP_REDIS_URL": self.redis_url, "CP_HTTP_ADDR": self.http_addr, "CP_TOKEN_KEY": self.token_key, "CP_TOTP_KEY": self.totp_key,
            "CP_CHECKPOINT_KEY": self.checkpoint_key, "CP_CHECKPOINT_PUBLIC_KEY": self.checkpoint_public_key,
            "CP_PSEUDONYM_KEY": self.pseudonym_key, "CP_DISCLOSURE_READ_SECONDS": str(self.disclosure_read_seconds),
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
