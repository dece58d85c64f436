"""What "sensitive" means, once, for every service that holds involvements.

An involvement is sensitive when its source flags it so, or when its service is one whose mere
presence says something about the child's health or life (sexual health, mental health,
substance misuse), flagged or not. The directory withholds a sensitive involvement from readers
whose category may not see it; bulk disclosure never releases one.
"""
from __future__ import annotations

from collections.abc import Mapping

SENSITIVE_SERVICES = frozenset({"sexual_health", "mental_health", "substance_misuse"})


def is_sensitive(involvement: Mapping) -> bool:
    return bool(involvement.get("sensitive")) or involvement.get("service") in SENSITIVE_SERVICES
