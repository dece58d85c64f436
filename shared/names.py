"""How names are compared: case, spaces, hyphens and apostrophes do not tell two names apart."""
from __future__ import annotations

import re
import unicodedata


def name_key(name: str) -> str:
    """``O'Brien-Smith`` and ``obrien smith`` share the key ``obriensmith``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())
