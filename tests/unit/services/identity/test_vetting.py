"""Vetting lasts a set number of years from training and from the enhanced disclosure, for roles that read child records."""
from datetime import date

import pytest

from services.identity.vetting import lapse, possibly_lapsed_before, years_after
from shared.settings import Settings

TODAY = date(2026, 11, 25)
SETTINGS = Settings()


def test_vetting_done_within_three_years_is_current():
    assert lapse("practitioner", date(2024, 1, 1), date(2023, 11, 26), TODAY, SETTINGS) is None


@pytest.mark.parametrize("trained_on, disclosure_on, what", [
    (date(2023, 11, 25), date(2025, 1, 1), "training"),
    (date(2025, 1, 1), date(2020, 6, 1), "enhanced disclosure"),
])
def test_training_or_disclosure_three_years_old_has_lapsed_and_says_which_and_when(trained_on, disclosure_on, what):
    why = lapse("approver", trained_on, disclosure_on, TODAY, SETTINGS)

    assert why.startswith("vetting lapsed") and what in why
    assert years_after(trained_on if what == "training" else disclosure_on, 3).isoformat() in why


def test_a_missing_date_is_incomplete_vetting():
    assert "no training date" in lapse("practitioner", None, date(2025, 1, 1), TODAY, SETTINGS)


@pytest.mark.parametrize("role", ["la_admin", "auditor"])
def test_roles_that_see_no_child_records_need_no_vetting(role):
    assert lapse(role, None, date(2001, 1, 1), TODAY, SETTINGS) is None


def test_the_validity_of_each_is_configurable():
    shorter = Settings(training_valid_years=1)

    assert "training" in lapse("practitioner", date(2025, 11, 1), date(2025, 11, 1), TODAY, shorter)
    assert lapse("practitioner", date(2025, 11, 1), date(2025, 11, 1), TODAY, SETTINGS) is None


def test_a_29th_of_february_lapses_on_the_28th_in_a_year_without_one():
    assert years_after(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert years_after(date(2024, 2, 29), 4) == date(2028, 2, 29)


@pytest.mark.parametrize("done_on", [date(2023, 11, 25), date(2023, 11, 24), date(2021, 2, 28)])
def test_every_date_that_has_lapsed_is_among_those_the_scheduled_sweep_looks_at(done_on):
    assert lapse("practitioner", done_on, done_on, TODAY, SETTINGS)
    assert done_on <= possibly_lapsed_before(TODAY, 3)


def test_settings_read_the_validity_and_limits_from_the_environment():
    read = Settings.from_env({"CP_TRAINING_VALID_YEARS": "2", "CP_LOGIN_LOCKOUT_AFTER": "5", "CP_SESSION_IDLE_SECONDS": "600"})

    assert (read.training_valid_years, read.disclosure_valid_years) == (2, 3)
    assert (read.login_lockout_after, read.token_lifetime_seconds, read.session_max_seconds) == (5, 600, 12 * 60 * 60)


@pytest.mark.parametrize("value", ["0", "-1", "three", "1.5"])
def test_a_limit_that_is_not_a_whole_number_above_zero_is_a_configuration_error(value):
    from shared.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="CP_LOGIN_LOCKOUT_AFTER"):
        Settings.from_env({"CP_LOGIN_LOCKOUT_AFTER": value})
