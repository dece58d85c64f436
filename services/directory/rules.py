"""The directory's rules, as data in one place: what makes a search specific enough, for what purpose, and what a reader may see.

A search must name one child, not trawl: each row of ``SUFFICIENT_CRITERIA`` is a set of
criteria that together are enough. A name alone, a postcode alone, wildcards and fragments of
names are never enough, and a refusal says what to add. Only identifying details are
criteria: there is no search by service or involvement, and no list of children.

What a reader sees is the record less what each row of ``WITHHOLDING`` takes away. A reader
whose own local authority has a service working with the child is involved with them, and a read
says so, for the audit to tell ordinary use from a look at a stranger's child.
A child leaves the directory at ``ADULT_AGE`` (``CONSENTED_AGE`` with consent), is archived,
and the archive is deleted after ``RETENTION``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from shared.contracts.sensitive import is_sensitive
from shared.contracts.validators import POSTCODE
from shared.errors import InvalidRequest
from shared.names import name_key

PURPOSES = ("safeguarding", "wellbeing")
CRITERIA = ("family_name", "given_name", "date_of_birth", "postcode", "identifier")
SUFFICIENT_CRITERIA = (
    frozenset({"identifier"}),
    frozenset({"family_name", "date_of_birth"}),
    frozenset({"given_name", "date_of_birth", "postcode"}),
    frozenset({"family_name", "given_name", "postcode"}),
)
NAMES = ("family_name", "given_name")
MIN_NAME_LENGTH = 2
WILDCARDS = re.compile(r"[*%_?]")
MAX_RESULTS = 20
# The most children one search reads: a search that could mean more is asked to be refined.
MAX_READ = 500
REFINE_NOTICE = f"More than {MAX_RESULTS} children match: refine your search (add a given name, date of birth or postcode)."
SHIELDED_NOTICE = ("This record is shielded: the child's address and postcode, carers' contact details, the organisations working "
                   "with the child and their practitioners are held by the LA ContactPoint team. Contact them: {team}.")

ADULT_AGE = 18
CONSENTED_AGE = 25
RETENTION_YEARS = 6

SAID = {
    "family_name": "family name", "given_name": "given name", "date_of_birth": "date of birth",
    "postcode": "full postcode", "identifier": "NHS number or UPN",
}


def require_purpose(purpose: str | None) -> str:
    if purpose not in PURPOSES:
        raise InvalidRequest(
            f"purpose must be one of {', '.join(PURPOSES)}: ContactPoint is not used for enforcement or crime",
            code="purpose_not_allowed",
        )
    return purpose


def require_identifying(criteria: dict) -> dict:
    """Returns the criteria that were given, or refuses them as too weak to find one child, saying what more is needed."""
    given = {name: value for name, value in criteria.items() if value not in (None, "")}
    for name in NAMES:
        value = given.get(name)
        if value is not None and (WILDCARDS.search(value) or len(name_key(value)) < MIN_NAME_LENGTH):
            raise InvalidRequest(
                f"{name} must be a whole name of at least {MIN_NAME_LENGTH} letters, without wildcards",
                code="criteria_too_weak",
            )
    if "postcode" in given and not POSTCODE.match(given["postcode"]):
        raise InvalidRequest("postcode must be a whole UK postcode, such as LS1 4AP", code="criteria_too_weak")
    if not any(rule <= given.keys() for rule in SUFFICIENT_CRITERIA):
        raise InvalidRequest(
            f"these details are not enough to identify one child: {what_more_is_needed(given.keys())}",
            code="criteria_too_weak",
        )
    return given


def what_more_is_needed(given) -> str:
    """``add date of birth, or NHS number or UPN, or given name and full postcode``: the smallest additions, fewest first."""
    additions = {frozenset(rule - given) for rule in SUFFICIENT_CRITERIA}
    smallest = [missing for missing in additions if not any(other < missing for other in additions)]
    in_order = [sorted(missing, key=CRITERIA.index) for missing in smallest]
    in_order.sort(key=lambda missing: (len(missing), [CRITERIA.index(name) for name in missing]))
    return "add " + ", or ".join(" and ".join(SAID[name] for name in missing) for missing in in_order)


# Withholding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    sees_sensitive: bool


@dataclass(frozen=True)
class Withholding:
    """A rule that takes part of a record away from a reader: ``applies`` decides, ``withhold`` takes, and says what it took."""

    name: str
    applies: Callable[[dict, Reader], bool]
    withhold: Callable[[dict], tuple[dict, list[dict]]]


def withheld(kind: str, count: int, said: str) -> list[dict]:
    """What a record does not show, by kind and count, told to the reader (``1 involvement with a sensitive service ...``); none when none."""
    return [{"kind": kind, "count": count, "message": said}] if count else []


def _of(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _without_sensitive_services(record: dict) -> tuple[dict, list[dict]]:
    hidden = sum(1 for i in record["involvements"] if is_sensitive(i))
    return ({**record, "involvements": [i for i in record["involvements"] if not is_sensitive(i)]},
            withheld("sensitive_involvement", hidden,
                     f"{_of(hidden, 'involvement with a sensitive service is', 'involvements with sensitive services are')} not shown to your role"))


def _without_what_locates(record: dict) -> tuple[dict, list[dict]]:
    """A shielded child's record: nothing that says where they are, or who near them to ask; their LA team's contact instead.

    An organisation (a school, a surgery) locates a child as well as an address does, and so does its practitioner.
    """
    team = said_team(record["la_team"])
    addresses = 1 if record["demographics"].get("address") else 0
    phones = sum(1 for carer in record["carers"] if carer.get("phone"))
    organisations = sum(1 for i in record["involvements"] if i.get("organisation"))
    practitioners = sum(1 for i in record["involvements"] if i.get("practitioner"))
    shielded = "the record is shielded"
    return {
        **record,
        "demographics": {**record["demographics"], "address": None},
        "carers": [{**carer, "phone": None} for carer in record["carers"]],
        "involvements": [{**i, "organisation": None, "practitioner": None} for i in record["involvements"]],
        "notice": SHIELDED_NOTICE.format(team=team),
    }, [
        *withheld("address", addresses, f"the address and postcode are not shown: {shielded}"),
        *withheld("carer_contact", phones, f"{_of(phones, 'carer phone number is', 'carer phone numbers are')} not shown: {shielded}"),
        *withheld("organisation", organisations, f"{_of(organisations, 'organisation is', 'organisations are')} not shown: {shielded}"),
        *withheld("practitioner", practitioners,
                  f"{_of(practitioners, 'practitioner and their contact details are', 'practitioners and their contact details are')} "
                  f"not shown: {shielded}"),
    ]


def said_team(team: dict) -> str:
    """``Leeds ContactPoint team, 0113 496 0999, cp@leeds.example.org``; the LA alone when its team has given no contact."""
    if not team["name"]:
        return f"the ContactPoint team of local authority {team['la_code']}"
    return ", ".join(part for part in (team["name"], team.get("phone"), team.get("email")) if part)


WITHHOLDING = (
    Withholding("sensitive services, from categories that may not see them",
                applies=lambda record, reader: not reader.sees_sensitive, withhold=_without_sensitive_services),
    Withholding("address and contact details of a shielded child",
                applies=lambda record, reader: record["shielded"], withhold=_without_what_locates),
)


def withhold(record: dict, *, shielded: bool, sees_sensitive: bool, la_code: str | None = None, la_team: dict | None = None) -> dict:
    """The record as this reader may see it: every rule of ``WITHHOLDING`` that applies, applied, and ``withheld`` listing
    what each took, by kind and count, so that nothing is withheld without a word (``[]`` when nothing was).

    A shielded child's record carries how to reach the ContactPoint team of the child's LA (``la_code``), who hold the rest.
    """
    seen = {**record, "shielded": shielded}
    if shielded:
        seen["la_team"] = la_team or {"la_code": la_code, "name": None, "phone": None, "email": None}
    reader = Reader(sees_sensitive=sees_sensitive)
    taken: list[dict] = []
    for rule in WITHHOLDING:
        if rule.applies(seen, reader):
            seen, told = rule.withhold(seen)
            taken.extend(told)
    return {**seen, "withheld": taken}


# Involvement ---------------------------------------------------------------------------------


def la_involved(record: dict, la_code: str) -> bool:
    """Whether any service of this local authority works with the child (an involvement its source reported)."""
    return any(involvement.get("la_code") == la_code for involvement in record["involvements"])


# Age -----------------------------------------------------------------------------------------


def leaves_directory_on(born: date, retain_to_25: bool) -> date:
    """The day a child leaves the directory: their 18th birthday, or their 25th with consent."""
    years = born.year + (CONSENTED_AGE if retain_to_25 else ADULT_AGE)
    # Born on 29 February: of age on 1 March in a year that has no 29 February.
    return born.replace(year=years) if _is_a_day(years, born) else date(years, 3, 1)


def latest_birth_date_gone(today: date, retain_to_25: bool) -> date:
    """A child born on or before this day has left the directory by ``today``."""
    return _years_before(today, CONSENTED_AGE if retain_to_25 else ADULT_AGE)


def archive_deleted_before(today: date) -> date:
    """Archived records older than this are past the retention period."""
    return _years_before(today, RETENTION_YEARS)


def _years_before(today: date, years: int) -> date:
    year = today.year - years
    return today.replace(year=year) if _is_a_day(year, today) else date(year, 2, 28)


def _is_a_day(year: int, like: date) -> bool:
    return not (like.month == 2 and like.day == 29) or (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
