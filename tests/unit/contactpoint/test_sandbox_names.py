"""Which leftover databases and vhosts a run sweeps away: only runs' own, and only those long abandoned."""
from datetime import datetime, timedelta, timezone

from contactpoint.sandbox import ABANDONED_AFTER, STAMP, is_abandoned

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def run_started(ago: timedelta, prefix: str = "cp_test") -> str:
    return f"{prefix}_{NOW - ago:{STAMP}}_0a1b2c3d"


def test_a_run_started_long_ago_is_abandoned_and_a_recent_one_is_not():
    assert is_abandoned(run_started(ABANDONED_AFTER + timedelta(minutes=5)), NOW)
    assert is_abandoned(run_started(ABANDONED_AFTER + timedelta(minutes=5), prefix="cp_bench"), NOW)
    assert not is_abandoned(run_started(timedelta(minutes=30)), NOW)


def test_a_run_named_before_runs_were_stamped_is_abandoned_once_no_one_uses_its_database():
    assert is_abandoned("cp_test_0a1b2c3d4e", NOW)
    assert not is_abandoned("cp_test_0a1b2c3d4e", NOW, in_use=True)


def test_what_is_not_a_runs_own_is_never_touched():
    for name in ("postgres", "contactpoint", "/", "cp_production", "test", "cp_testing_202001010000_00"):
        assert not is_abandoned(name, NOW)
