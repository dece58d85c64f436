"""`contactpoint audit keygen` prints a signing key with its public half; `audit verify` says whether signatures were checked."""
from __future__ import annotations

import json

from click.testing import CliRunner

from contactpoint.commands.audit import _verdict_lines, audit
from services.audit.checkpoints import checking_key, key_id, public_key_of, signing_key


def keygen(*args: str):
    made = CliRunner().invoke(audit, ["keygen", *args])
    assert made.exit_code == 0, made.output
    return made.output


def test_keygen_prints_the_public_key_of_the_key_it_makes():
    made = json.loads(keygen("--json"))

    public = checking_key(made["checkpoint_public_key"])

    assert made["checkpoint_public_key"] == public_key_of(made["checkpoint_key"])
    assert key_id(public) == key_id(signing_key(made["checkpoint_key"]).public_key()) == made["key_id"]


def test_keygen_prints_both_keys_as_the_variables_that_give_them():
    lines = dict(line.split("=", 1) for line in keygen().splitlines() if not line.startswith("#"))

    assert set(lines) == {"CP_CHECKPOINT_KEY", "CP_CHECKPOINT_PUBLIC_KEY"}
    assert lines["CP_CHECKPOINT_PUBLIC_KEY"] == public_key_of(lines["CP_CHECKPOINT_KEY"])


def a_verdict(**facts) -> dict:
    return {"intact": True, "events": 5, "first_bad_seq": None, "checkpoints": 2, "signatures_checked": True,
            "key_ids": ["0123456789abcdef"], "faults": [], **facts}


def test_a_verdict_names_the_key_that_checked_the_signatures():
    assert "checkpoint signatures checked with key 0123456789abcdef" in "\n".join(_verdict_lines(a_verdict()))


def test_a_verdict_names_every_key_it_checked_signatures_with():
    lines = _verdict_lines(a_verdict(key_ids=["0123456789abcdef", "fedcba9876543210"]))

    assert "checkpoint signatures checked with keys 0123456789abcdef, fedcba9876543210" in "\n".join(lines)


def test_a_verdict_without_a_key_says_plainly_that_signatures_were_not_checked():
    for checkpoints in (2, 0):
        lines = _verdict_lines(a_verdict(checkpoints=checkpoints, signatures_checked=False, key_ids=[]))

        assert lines[0].startswith("intact")
        assert any("signatures not checked" in line and "--public-key" in line for line in lines)


def test_public_key_prints_the_public_half_of_the_signing_key_in_use():
    made = json.loads(keygen("--json"))

    shown = CliRunner().invoke(audit, ["public-key", "--json"], env={"CP_CHECKPOINT_KEY": made["checkpoint_key"]})

    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output) == {"checkpoint_public_key": made["checkpoint_public_key"], "key_id": made["key_id"]}
