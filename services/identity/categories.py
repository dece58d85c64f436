"""The practitioner categories eligible for access, and what each may see.

Kept as data: a new category is a new row. ``sees_sensitive`` says whether the category may
see involvements of sensitive services (sexual health, mental health, substance misuse).
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.principals import READERS


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    sees_sensitive: bool


CATEGORIES = {
    category.code: category
    for category in (
        Category("social_worker", "Social worker", True),
        Category("emergency_duty_team", "Emergency duty team (out-of-hours social work)", True),
        Category("teacher", "Teacher or school staff", False),
        Category("health_visitor", "Health visitor", True),
        Category("school_nurse", "School nurse", True),
        Category("gp", "General practitioner", True),
        Category("youth_offending", "Youth offending team member", False),
        Category("police", "Police officer", False),
        Category("secure_training_centre", "Secure training centre staff", False),
        Category("connexions", "Connexions or youth support adviser", False),
        Category("early_years", "Early years practitioner", False),
        Category("la_contactpoint_team", "LA ContactPoint team", True),
        Category("security", "Security and audit team", False),
    )
}

# Roles whose holders read child records, and so must be trained and vetted.
ROLES_SEEING_CHILDREN = READERS
