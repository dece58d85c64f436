"""Settings are read once from the environment (and a key file) into a frozen object."""
from __future__ import annotations

import dataclasses

import pytest

from shared.errors import ConfigurationError
from shared.settings import (
    DEFAULT_AMQP_URL,
    DEFAULT_DATABASE_URL,
    DEFAULT_HTTP_ADDR,
    DEFAULT_REDIS_URL,
    Settings,
    management_url_for,
)

TOKEN_KEY = "token-key-from-the-environment-0123456789"
TOTP_KEY = "dG90cC1rZXktZnJvbS10aGUtZW52aXJvbm1lbnQtMDE="
CHECKPOINT_PUBLIC_KEY = "hYQFcEyPxTSZ2Arm9YP8L2yjjfIPzZ0TSnAVA0WbXog="


@pytest.fixture
def key_file(tmp_path):
    def write(text: str):
        path = tmp_path / "contactpoint.keys"
        path.write_text(text)
        return str(path)

    return write


def test_with_nothing_set_every_server_is_the_local_default():
    settings = Settings.from_env({})

    assert settings.amqp_url == DEFAULT_AMQP_URL
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.redis_url == DEFAULT_REDIS_URL
    assert settings.http_addr == DEFAULT_HTTP_ADDR
    assert settings.amqp_admin_url == "http://guest:guest@127.0.0.1:15672"
    assert (settings.token_key, settings.totp_key) == ("", "")
    assert not settings.embedded


def test_the_defaults_are_those_of_the_contract():
    assert DEFAULT_AMQP_URL == "amqp://guest:guest@127.0.0.1:5672//"
    assert DEFAULT_DATABASE_URL == "postgresql+psycopg://postgres@127.0.0.1:5432/contactpoint"
    assert DEFAULT_REDIS_URL == "redis://127.0.0.1:6379/0"
    assert DEFAULT_HTTP_ADDR == "127.0.0.1:8000"


def test_each_server_is_named_by_its_variable():
    settings = Settings.from_env({
        "CP_AMQP_URL": "amqp://cp:secret@broker:5672/cp",
        "CP_DATABASE_URL": "postgresql+psycopg://cp@db/cp",
        "CP_REDIS_URL": "redis://cache:6379/2",
        "CP_HTTP_ADDR": "0.0.0.0:9000",
        "CP_TOKEN_KEY": TOKEN_KEY,
        "CP_TOTP_KEY": TOTP_KEY,
    })

    assert settings.amqp_url == "amqp://cp:secret@broker:5672/cp"
    assert settings.database_url == "postgresql+psycopg://cp@db/cp"
    assert settings.redis_url == "redis://cache:6379/2"
    assert (settings.http_host, settings.http_port) == ("0.0.0.0", 9000)
    assert (settings.token_key, settings.totp_key) == (TOKEN_KEY, TOTP_KEY)


def test_the_process_environment_is_read_when_none_is_given(monkeypatch):
    monkeypatch.setenv("CP_HTTP_ADDR", "127.0.0.1:8123")

    assert Settings.from_env().http_port == 8123


def test_the_broker_admin_api_sits_beside_the_broker_with_the_same_credentials():
    assert Settings.from_env({"CP_AMQP_URL": "amqp://cp:secret@broker:5672/cp"}).amqp_admin_url == "http://cp:secret@broker:15672"


def test_an_admin_url_given_outright_is_used_as_it_is():
    settings = Settings.from_env({"CP_AMQP_URL": "amqp://cp:secret@broker/", "CP_AMQP_ADMIN_URL": "https://admin.example:443"})

    assert settings.amqp_admin_url == "https://admin.example:443"


def test_an_in_memory_broker_means_embedded_mode():
    settings = Settings.from_env({"CP_AMQP_URL": "memory://"})

    assert settings.embedded
    assert settings.amqp_admin_url == ""


# What a broker URL says besides where the broker is: the management API beside it (made only for RabbitMQ) and the
# virtual host, as the broker sees it.
@pytest.mark.parametrize("amqp_url, admin_url, vhost", [
    ("amqp://guest:guest@127.0.0.1:5672//", "http://guest:guest@127.0.0.1:15672", "/"),
    ("amqp://guest:guest@127.0.0.1:5672/", "http://guest:guest@127.0.0.1:15672", "/"),
    ("amqp://guest:guest@127.0.0.1:5672", "http://guest:guest@127.0.0.1:15672", "/"),
    ("amqp://guest:guest@127.0.0.1:5672/contactpoint", "http://guest:guest@127.0.0.1:15672", "contactpoint"),
    ("amqp://guest:guest@broker:5672/%2F", "http://guest:guest@broker:15672", "/"),
    ("amqp://guest:guest@broker:5672/team%20a", "http://guest:guest@broker:15672", "team a"),
    ("amqps://cp:secret@broker:5671/", "https://cp:secret@broker:15672", "/"),
    ("pyamqp://broker", "http://guest:guest@broker:15672", "/"),
    ("amqp://", "http://guest:guest@127.0.0.1:15672", "/"),
    ("memory://", "", "/"),
    ("redis://broker", "", "/"),
])
def test_a_broker_url_gives_its_management_api_and_its_virtual_host(amqp_url, admin_url, vhost):
    assert (management_url_for(amqp_url), Settings(amqp_url=amqp_url).vhost) == (admin_url, vhost)


def test_secrets_may_come_from_a_key_file(key_file):
    path = key_file(f"CP_TOKEN_KEY={TOKEN_KEY}\nCP_TOTP_KEY = {TOTP_KEY}\n")

    settings = Settings.from_env({"CP_KEY_FILE": path})

    assert (settings.token_key, settings.totp_key) == (TOKEN_KEY, TOTP_KEY)


def test_a_secret_keeps_the_equals_signs_that_end_it(key_file):
    assert Settings.from_env({"CP_KEY_FILE": key_file(f"CP_TOTP_KEY={TOTP_KEY}")}).totp_key.endswith("=")


def test_a_key_file_gives_only_the_secrets_and_skips_what_it_does_not_know(key_file):
    path = key_file(f"# keys for test\n\nCP_AMQP_URL=memory://\nSOMETHING_ELSE=1\nnot a setting\nCP_TOKEN_KEY={TOKEN_KEY}\n")

    settings = Settings.from_env({"CP_KEY_FILE": path})

    assert settings.token_key == TOKEN_KEY
    assert settings.amqp_url == DEFAULT_AMQP_URL


def test_a_secret_in_the_environment_wins_over_the_key_file(key_file):
    path = key_file(f"CP_TOKEN_KEY=from-the-file\nCP_TOTP_KEY={TOTP_KEY}\n")

    settings = Settings.from_env({"CP_KEY_FILE": path, "CP_TOKEN_KEY": TOKEN_KEY, "CP_TOTP_KEY": ""})

    assert settings.token_key == TOKEN_KEY
    assert settings.totp_key == TOTP_KEY


def test_the_checkpoint_public_key_comes_from_the_environment_or_the_key_file_and_goes_to_child_processes(key_file):
    from_file = Settings.from_env({"CP_KEY_FILE": key_file(f"CP_CHECKPOINT_PUBLIC_KEY={CHECKPOINT_PUBLIC_KEY}\n")})
    from_environment = Settings.from_env({"CP_CHECKPOINT_PUBLIC_KEY": CHECKPOINT_PUBLIC_KEY})

    assert from_file.checkpoint_public_key == from_environment.checkpoint_public_key == CHECKPOINT_PUBLIC_KEY
    assert Settings.from_env(from_environment.as_environment()) == from_environment
    assert Settings.from_env({}).checkpoint_public_key == ""


def test_a_key_file_that_is_not_there_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="CP_KEY_FILE"):
        Settings.from_env({"CP_KEY_FILE": str(tmp_path / "missing.keys")})


def test_a_key_file_that_is_a_folder_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="not a readable file"):
        Settings.from_env({"CP_KEY_FILE": str(tmp_path)})


def test_requiring_secrets_names_each_one_missing():
    with pytest.raises(ConfigurationError, match=r"CP_TOKEN_KEY, CP_TOTP_KEY not set"):
        Settings.from_env({}).require_secrets("token_key", "totp_key")
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({"CP_TOKEN_KEY": TOKEN_KEY}).require_secrets("token_key", "totp_key")
    assert "CP_TOTP_KEY" in str(refused.value) and "CP_TOKEN_KEY" not in str(refused.value)


def test_requiring_secrets_that_are_present_gives_the_same_settings():
    settings = Settings.from_env({"CP_TOKEN_KEY": TOKEN_KEY, "CP_TOTP_KEY": TOTP_KEY})

    assert settings.require_secrets("token_key", "totp_key") is settings


def test_settings_cannot_be_changed_in_place_only_copied_with_changes():
    settings = Settings.from_env({})

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.http_addr = "0.0.0.0:1"
    changed = settings.but(http_addr="0.0.0.0:1")

    assert changed.http_port == 1
    assert settings.http_addr == DEFAULT_HTTP_ADDR


def test_tokens_last_half_an_hour_unless_told_otherwise():
    assert Settings.from_env({}).token_lifetime_seconds == 30 * 60


def test_several_broker_addresses_are_nodes_of_one_cluster_each_with_the_process_own_login():
    nodes = "amqp://guest:guest@10.0.0.1:5672/cp;amqp://guest:guest@10.0.0.2:5672/cp"
    settings = Settings.from_env({"CP_AMQP_URL": nodes, "CP_BROKER_PASSWORD_DIRECTORY": "pw"})

    directory = settings.for_service("directory")

    assert settings.vhost == "cp" and len(settings.amqp_urls) == 2
    assert settings.amqp_admin_url == "http://guest:guest@10.0.0.1:15672"
    assert directory.amqp_urls == ["amqp://cp-directory:pw@10.0.0.1:5672/cp", "amqp://cp-directory:pw@10.0.0.2:5672/cp"]


def test_only_the_directory_reads_from_a_replica_and_as_its_own_role():
    settings = Settings.from_env({"CP_DATABASE_REPLICA_URL": "postgresql+psycopg://postgres@standby:5432/cp", "CP_DB_PASSWORD_DIRECTORY": "pw"})

    assert settings.for_service("directory").database_replica_url == "postgresql+psycopg://cp_directory:pw@standby:5432/cp"
    assert settings.for_service("feeds").database_replica_url == ""
