"""Vetting: an account that reads child records needs current training and a current enhanced disclosure.

Each lasts a configurable number of years (three by default) from the date it was done.
"""
from __future__ import annotations

from datetime import date, timedelta

from services.identity.categories import ROLES_SEEING_CHILDREN
from shared.settings import Settings


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def lapse(role: str, trained_on: date | None, disclosure_on: date | None, today: date, settings: Settings) -> str | None:
    """Why this account's vetting is not current, or None when it is (or its role needs none)."""
    if role not in ROLES_SEEING_CHILDREN:
        return None
    for what, done_on, years in (
        ("training", trained_on, settings.training_valid_years),
        ("enhanced disclosure", disclosure_on, settings.disclosure_valid_years),
    ):
        if done_on is None:
            return f"vetting incomplete: no {what} date is recorded"
        if years_after(done_on, years) <= today:
            return f"vetting lapsed: the {what} of {done_on.isoformat()} expired on {years_after(done_on, years).isoformat()}"
    return None


def possibly_lapsed_before(today: date, years: int) -> date:
    """Dates on or before this may have lapsed by ``today`` (a day's slack for 29 February); ``lapse`` decides."""
    return years_after(today, -years) + timedelta(days=1)
