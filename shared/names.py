"""How names are compared: case, spaces, hyphens, apostrophes and accents do not tell two names apart; letters do.

A name in another script is first written in Latin letters (``Иванова`` -> ``ivanova``), so it
keeps letters of its own: two different names never share an empty key.
"""
from __future__ import annotations

import re

from anyascii import anyascii

NOT_A_LETTER = re.compile(r"[^a-z]")
PART_SEPARATORS = re.compile(r"[\s\-]+")


def name_key(name: str) -> str:
    """``O'Brien-Smith`` and ``obrien smith`` share the key ``obriensmith``."""
    return NOT_A_LETTER.sub("", anyascii(name).lower())


def name_parts(name: str) -> list[str]:
    """The keys of each part of a hyphenated or many-word name: ``Amy-Louise`` gives ``amy`` and ``louise``."""
    return [key for part in PART_SEPARATORS.split(anyascii(name)) if (key := name_key(part))]
