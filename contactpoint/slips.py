"""The slips people make typing a child's details: the matching test set, and the bench's searches, are made of them.

Each search starts from one child's true details and carries one slip: a mistyped family or
given name, given names in the wrong order, a family name since changed, or day and month swapped.
"""
from __future__ import annotations

import random
import string
from datetime import date

FORMS = (("family_name", "given_name", "date_of_birth"), ("family_name", "given_name", "postcode"), ("given_name", "date_of_birth", "postcode"))
SLIPS = ("family_typo", "given_typo", "other_given_name", "swapped_date", "changed_family_name")
NEW_FAMILY_NAMES = ("Okafor", "Kowalski", "Brathwaite", "Nguyen", "Horvath")


def mistype(name: str, rng: random.Random) -> str:
    """One keying slip after the initial: a letter substituted, dropped, or swapped with the next."""
    if len(name) < 3:
        return name
    at = rng.randrange(1, len(name) - 1)
    return rng.choice((
        name[:at] + rng.choice(string.ascii_lowercase) + name[at + 1:],
        name[:at] + name[at + 1:],
        name[:at] + name[at + 1] + name[at] + name[at + 2:],
    ))


def swap_day_and_month(born: date) -> date:
    return born.replace(month=born.day, day=born.month) if born.day <= 12 else born


def change_family_name(snapshot: dict, rng: random.Random) -> None:
    """The child is now known by another family name; the one the searcher knows is a former one."""
    demographics = snapshot["demographics"]
    demographics["former_family_names"] = [demographics["family_name"]]
    demographics["family_name"] = rng.choice(NEW_FAMILY_NAMES)


def searched_for(truth: dict, rng: random.Random, forms=FORMS) -> tuple[str, dict]:
    """Criteria a practitioner types for this child (``family_name``, ``given_names``, ``date_of_birth`` as ISO text and
    ``postcode``, as known to the searcher), with one slip, and the name of the slip."""
    form = rng.choice(forms)
    criteria = {
        "family_name": truth["family_name"], "given_name": truth["given_names"][0],
        "date_of_birth": date.fromisoformat(truth["date_of_birth"]), "postcode": truth["postcode"],
    }
    slip = rng.choice(SLIPS)
    if slip == "family_typo":
        criteria["family_name"] = mistype(criteria["family_name"], rng)
    elif slip == "given_typo":
        criteria["given_name"] = mistype(criteria["given_name"], rng)
    elif slip == "other_given_name" and len(truth["given_names"]) > 1:
        criteria["given_name"] = truth["given_names"][1]
    elif slip == "swapped_date":
        criteria["date_of_birth"] = swap_day_and_month(criteria["date_of_birth"])
    return slip, {name: criteria[name] for name in form}
