"""The practitioner categories and roles, kept as data."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services.identity.categories import CATEGORIES, ROLES_SEEING_CHILDREN
from services.identity.schemas import AddUserSchema
from shared.principals import ROLES


def test_each_category_is_filed_under_its_own_code():
    assert all(code == category.code for code, category in CATEGORIES.items())
    assert all(category.label for category in CATEGORIES.values())


@pytest.mark.parametrize("code", ["social_worker", "health_visitor", "school_nurse", "gp", "la_contactpoint_team"])
def test_social_care_health_and_the_la_team_see_sensitive_services(code):
    assert CATEGORIES[code].sees_sensitive


@pytest.mark.parametrize("code", ["teacher", "youth_offending", "police", "secure_training_centre", "connexions", "early_years", "security"])
def test_other_categories_do_not_see_sensitive_services(code):
    assert not CATEGORIES[code].sees_sensitive


def test_the_roles_are_those_of_the_contract():
    assert set(ROLES) == {"practitioner", "la_admin", "auditor", "approver"}


def test_practitioners_and_approvers_read_child_records_and_auditors_and_admins_do_not():
    assert set(ROLES_SEEING_CHILDREN) == {"practitioner", "approver"}
    assert set(ROLES_SEEING_CHILDREN) <= set(ROLES)


def test_an_account_is_accepted_only_in_a_known_category_and_role():
    account = {"username": "sam.patel", "email": "sam.patel@example.org", "la_code": "E08000035", "category": "teacher", "role": "practitioner"}

    assert AddUserSchema().load(account)["category"] == "teacher"
    with pytest.raises(ValidationError, match="category"):
        AddUserSchema().load({**account, "category": "bailiff"})
    with pytest.raises(ValidationError, match="role"):
        AddUserSchema().load({**account, "role": "superuser"})
