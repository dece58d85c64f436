"""The practitioner categories eligible for access, and what each may see.

Kept as data: a new category is a new row. ``sees_sensitive`` says whether the category may
see involvements of sensitive services (sexual health, mental health, substance misuse); a
category sees none unless its row says it does.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.principals import READERS


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    sees_sensitive: bool = False


CATEGORIES = {
    category.code: category
    for category in (
        Category("social_worker", "Social worker", sees_sensitive=True),
        Category("emergency_duty_team", "Emergency duty team (out-of-hours social work)", sees_sensitive=True),
        Category("teacher", "Teacher or school staff"),
        Category("health_visitor", "Health visitor", sees_sensitive=True),
        Category("school_nurse", "School nurse", sees_sensitive=True),
        Category("gp", "General practitioner", sees_sensitive=True),
        Category("youth_offending", "Youth offending team member"),
        Category("police", "Police officer"),
        Category("secure_training_centre", "Secure training centre staff"),
        Category("connexions", "Connexions or youth support adviser"),
        Category("early_years", "Early years practitioner"),
        Category("la_contactpoint_team", "LA ContactPoint team", sees_sensitive=True),
        Category("security", "Security and audit team"),
    )
}

# Roles whose holders read child records, and so must be trained and vetted.
ROLES_SEEING_CHILDREN = READERS
