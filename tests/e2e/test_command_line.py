"""Every command answers bad input or an unreachable server with one line and a non-zero exit, never a traceback."""
import os
import subprocess

import pytest

from contactpoint.sandbox import free_port
from services.identity.categories import CATEGORIES
from shared.contracts.feeds import SERVICE_KINDS
from tests.e2e.conftest import COMMAND, contactpoint
from tests.support import environment_for

pytestmark = pytest.mark.e2e


def assert_one_line_refusal(finished, *words: str) -> None:
    assert finished.returncode != 0
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1, finished.stderr
    assert "Traceback" not in finished.stderr
    for word in words:
        assert word in lines[0], lines[0]


ADD_SOMEONE = ("users", "add", "--username", "someone", "--email", "someone@example.org")


@pytest.mark.parametrize("args, words", [
    (["run", "nonsense"], ["nonsense"]),
    ([*ADD_SOMEONE, "--la", "E08000035", "--category", "social_worker", "--role", "king"], ["king"]),
    ([*ADD_SOMEONE, "--la", "E08000035", "--category", "wizard", "--role", "practitioner",
      "--trained-on", "2026-01-01", "--disclosure-on", "2026-01-01"], ["category", "social_worker"]),
    ([*ADD_SOMEONE, "--la", "E08000035", "--category", "social_worker", "--role", "practitioner",
      "--trained-on", "yesterday"], ["yesterday"]),
    (["feeds", "publish", "--source", "nobody", "no-such-file.jsonl"], ["no-such-file.jsonl"]),
    (["disclose", "list", "--username", "someone", "--password", "typed-where-history-keeps-it"], ["--password"]),
    (["feeds", "publish", "--source", "nobody", "--password", "typed-where-history-keeps-it", "f.jsonl"], ["--password"]),
    (["sources", "disable", "no-such-source"], ["no-such-source"]),
    (["directory", "export", "no-such-folder/children.jsonl"], ["no-such-folder/children.jsonl"]),
    (["demo", "--children", "-5"], ["-5"]),
    (["audit", "verify", "--public-key", "not-a-key"], ["public_keys", "not a checkpoint public key"]),
])
def test_bad_input_is_refused_in_one_line(migrated, args, words):
    assert_one_line_refusal(contactpoint(*args, env=environment_for(migrated)), *words)


def test_a_practitioner_without_vetting_dates_is_refused(migrated):
    finished = contactpoint(
        "users", "add", "--username", "unvetted", "--email", "someone@example.org", "--la", "E08000035", "--category", "social_worker",
        "--role", "practitioner",
        env=environment_for(migrated),
    )
    assert_one_line_refusal(finished, "trained")


def test_a_configured_checkpoint_public_key_that_is_not_one_is_named_with_its_place_in_one_line(migrated):
    from services.audit.checkpoints import new_key, public_key_of

    env = {**environment_for(migrated), "CP_CHECKPOINT_PUBLIC_KEY": f"{public_key_of(new_key())},not-a-key"}
    assert_one_line_refusal(contactpoint("audit", "verify", env=env), "CP_CHECKPOINT_PUBLIC_KEY", "key 2 of 2")


def test_an_unreachable_database_is_named_in_one_line(migrated):
    env = {**environment_for(migrated), "CP_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/contactpoint"}
    for args in (["migrate"], ["sources", "list"], ["users", "list"]):
        assert_one_line_refusal(contactpoint(*args, env=env), "database")


def test_an_unreachable_broker_is_named_in_one_line(migrated):
    env = {**environment_for(migrated), "CP_AMQP_URL": f"amqp://guest:guest@127.0.0.1:{free_port()}//"}
    assert_one_line_refusal(contactpoint("migrate", env=env), "broker")


def test_keys_prints_a_key_file_that_gives_every_secret(migrated, tmp_path):
    from services.audit.checkpoints import public_key_of
    from shared.settings import Settings

    printed = contactpoint("keys", env=environment_for(migrated))
    key_file = tmp_path / "keys.env"
    key_file.write_text(printed.stdout)

    settings = Settings.from_env({"CP_KEY_FILE": str(key_file)}).require_secrets()
    assert printed.returncode == 0
    assert all((settings.token_key, settings.totp_key, settings.pseudonym_key, settings.checkpoint_key))
    assert settings.checkpoint_public_key == public_key_of(settings.checkpoint_key)
    assert contactpoint("keys", env=environment_for(migrated)).stdout != printed.stdout


def test_help_gives_every_commands_whole_summary_and_every_options_accepted_values():
    groups = ["", "users", "sources", "feeds", "directory", "audit", "disclose", "review"]
    for group in groups:
        shown = contactpoint(*filter(None, [group]), "--help", env={"PATH": os.environ["PATH"]})
        assert shown.returncode == 0, shown.stderr
        _usage, summaries = shown.stdout.split("\n", 1)  # the usage line's "[ARGS]..." is click's notation, not a cut
        assert "..." not in summaries and "…" not in summaries, shown.stdout

    add_user = contactpoint("users", "add", "--help", env={"PATH": os.environ["PATH"]}).stdout
    add_source = contactpoint("sources", "add", "--help", env={"PATH": os.environ["PATH"]}).stdout
    assert all(category in add_user for category in CATEGORIES)
    assert all(kind in add_source for kind in SERVICE_KINDS)


def test_a_command_run_beside_the_demo_says_the_demo_keeps_its_own_keys(tmp_path):
    (tmp_path / ".contactpoint").mkdir()
    finished = subprocess.run([*COMMAND, "users", "list"], cwd=tmp_path, env={"PATH": os.environ["PATH"]},
                              capture_output=True, text=True, timeout=60)

    assert_one_line_refusal(finished, "the demo keeps its own keys", "the demo's page", "contactpoint up")


def test_a_person_gives_their_password_and_code_on_standard_input_never_as_options(migrated):
    import json

    import pyotp

    from services.identity.bootstrap import bootstrap
    from tests.support import enrol, unique

    env = environment_for(migrated)
    created = contactpoint("users", "add", "--username", unique("typist"), "--email", "typist@example.org", "--la", "E08000035",
                           "--category", "social_worker", "--role", "practitioner", "--trained-on", "2026-01-05",
                           "--disclosure-on", "2026-01-05", "--json", env=env).json()
    identity = bootstrap(migrated)
    try:
        enrolled = enrol(created["enrolment_url"], identity.perform)
    finally:
        identity.close()
    code = pyotp.TOTP(enrolled.totp_secret).now()

    listed = contactpoint("disclose", "list", "--username", created["username"], "--password-file", "-", "--json", env=env,
                          input=f"{enrolled.password}\n{code}\n")

    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    wrong = contactpoint("disclose", "list", "--username", created["username"], "--password-file", "-", env=env,
                         input=f"not-{enrolled.password}\n{code}\n")
    assert_one_line_refusal(wrong, "not right")
