"""A synthetic population of children in England, with the ground truth known.

ContactPoint joins the records that schools, health services, youth offending teams and
others send about a child into one directory entry.  Whether it joins them correctly can
only be measured against children whose true identity is known, so this module makes them:
`population` yields `Child` records whose ``person_id`` is the real identity,
`feed_message` turns a child into the message a partner system would publish about them in
the ``contactpoint.feed.v1`` contract, and `with_errors` garbles a message the way data entry
does (a typo, a nickname, day and month swapped) so that records disagree while the truth
says they describe the same child.

Everything is drawn from a seeded `random.Random`: the same seed gives the same children,
and ages are reckoned on the fixed `REFERENCE_DATE`, not today.  Names are drawn in
proportion to rough frequencies among children in England, so common names collide as they
do in life.  Places come from a table of children's services authorities with their ONS
codes and postcode districts; telephone numbers come from the ranges Ofcom keeps for drama,
and e-mail addresses are at example.org, so nobody real can be reached.  NHS numbers and
Unique Pupil Numbers never repeat within one population.
"""
from __future__ import annotations

import bisect
import copy
import itertools
import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from importlib import resources
from typing import NamedTuple

from shared.contracts.sensitive import SENSITIVE_SERVICES

REFERENCE_DATE = date(2026, 11, 1)

SERVICES: tuple[str, ...] = (
    "school", "health", "youth_offending", "social_care",
    "sexual_health", "mental_health", "substance_misuse", "connexions",
)

_FEED_SCHEMA = "contactpoint.feed.v1"
_NHS_WEIGHTS = range(10, 1, -1)
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_MOBILE = "07700 900"
_EARLIEST_BIRTH = date(REFERENCE_DATE.year - 18, REFERENCE_DATE.month, REFERENCE_DATE.day).toordinal() + 1
_EARLIEST_INVOLVEMENT = date(REFERENCE_DATE.year - 5, REFERENCE_DATE.month, REFERENCE_DATE.day)

_TWIN_BIRTH_RATE = 0.005
_DOUBLE_BARRELLED_RATE = 0.015
_FORMER_FAMILY_NAME_RATE = 0.03
_FLAT_RATE = 0.12
_MOBILE_RATE = 0.6
_LEAD_PROFESSIONAL_RATE = 0.1
_CAF_COMPLETED_RATE = 0.15


def nhs_check_digit(first_nine: str) -> int | None:
    """The tenth digit of an NHS number by Modulus 11, or None when the nine digits can't start one."""
    if not re.fullmatch(r"[0-9]{9}", first_nine):
        raise ValueError(f"{first_nine!r} is not nine digits")
    check = 11 - sum(int(digit) * weight for digit, weight in zip(first_nine, _NHS_WEIGHTS)) % 11
    if check == 10:
        return None
    return 0 if check == 11 else check


def is_valid_nhs_number(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{10}", value)) and nhs_check_digit(value[:9]) == int(value[9])


def make_nhs_number(rng: random.Random) -> str:
    """A valid NHS number starting 4 to 7; unlike those in `population`, not guaranteed unique."""
    while True:
        first_nine = str(rng.randrange(400_000_000, 800_000_000))
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


@dataclass(frozen=True)
class Child:
    """The truth about one synthetic child."""

    person_id: int
    given_names: tuple[str, ...]
    family_name: str
    former_family_names: tuple[str, ...]
    date_of_birth: date
    gender: str
    address_lines: tuple[str, ...]
    town: str
    postcode: str
    la_code: str
    nhs_number: str
    upn: str
    carers: tuple[dict, ...]
    twin_of: int | None


class _Weighted:
    """Values with integer weights; `pick` draws one in proportion to its weight."""

    def __init__(self, pairs: Iterable[tuple[object, int]]):
        self.values, weights = zip(*pairs)
        self._cumulative = tuple(itertools.accumulate(weights))
        self._total = self._cumulative[-1]

    @classmethod
    def of_names(cls, table: str) -> _Weighted:
        """From ``"Olivia 3600  Amelia 3500 ..."``: each name and how many children of a year are given it."""
        words = table.split()
        return cls(zip(words[::2], map(int, words[1::2])))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self._cumulative, rng.random() * self._total)]


def _table(name: str) -> str:
    """A table of names and their weights, kept as data in ``data/<name>.txt``."""
    return (resources.files("contactpoint") / "data" / f"{name}.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class _GivenNames:
    weighted: _Weighted
    hyphenated_rate: float
    second_halves: tuple[str, ...]


class _Authority(NamedTuple):
    """A children's services authority: ``name`` for its services, ``town`` for its addresses."""

    name: str
    la_code: str
    town: str
    outward_codes: tuple[str, ...]
    dialling: str
    children: int


def _districts(area: str, numbers: Iterable[int]) -> tuple[str, ...]:
    return tuple(f"{area}{number}" for number in numbers)


_GIRLS = _GivenNames(
    _Weighted.of_names(_table("girls")),
    hyphenated_rate=0.03,
    second_halves=("Mae", "May", "Rose", "Grace", "Leigh", "Jane", "Louise", "Marie"),
)

_BOYS = _GivenNames(
    _Weighted.of_names(_table("boys")),
    hyphenated_rate=0.005,
    second_halves=("James", "Lee", "John", "Jay"),
)

_SURNAMES = _Weighted.of_names(_table("surnames"))

_ADULT_WOMEN = (
    "Sarah", "Emma", "Laura", "Claire", "Rachel", "Nicola", "Lisa", "Gemma", "Kelly", "Amy",
    "Hayley", "Stacey", "Natalie", "Joanne", "Victoria", "Helen", "Louise", "Kirsty", "Zoe",
    "Jennifer", "Fatima", "Nasreen", "Shabana", "Samina", "Rukhsana", "Parveen", "Agnieszka",
    "Katarzyna", "Chiamaka", "Funmilayo", "Abimbola", "Grace", "Sinead", "Priya", "Anita",
    "Mandeep", "Ying", "Ana", "Ioana", "Michelle",
)
_ADULT_MEN = (
    "David", "Paul", "Mark", "Andrew", "Richard", "Lee", "Darren", "Craig", "Stuart", "Gareth",
    "Christopher", "Matthew", "Daniel", "James", "Michael", "Steven", "Jason", "Wayne", "Carl",
    "Imran", "Tariq", "Asif", "Shahid", "Mohammed", "Abdul", "Piotr", "Tomasz", "Marcin",
    "Chinedu", "Olumide", "Kwabena", "Patrick", "Declan", "Sanjay", "Rajesh", "Gurpreet",
    "Wei", "Joao", "Mihai", "Anthony",
)
_ADULTS = _ADULT_WOMEN + _ADULT_MEN

_STREETS = (
    "High Street", "Church Lane", "Station Road", "Victoria Road", "Park Road", "Church Street",
    "Mill Lane", "Green Lane", "Manor Road", "Queens Road", "Kings Road", "New Road", "School Lane",
    "The Crescent", "Grange Road", "Albert Road", "Springfield Road", "Alexandra Road", "York Road",
    "Richmond Road", "Windsor Road", "Chester Road", "Stanley Road", "North Street", "South Street",
    "Broadway", "Elm Grove", "Oak Avenue", "Beech Avenue", "Cedar Close", "Meadow View",
    "Orchard Way", "Hillside Road", "Westfield Road", "Highfield Road", "Clarence Street",
    "Jubilee Close", "Nelson Street", "Wellington Road", "Brook Street", "Canal Street",
    "Moorland Road", "Ash Grove", "Willow Drive", "Chapel Street", "Market Street", "Water Lane",
    "Tennyson Road", "Coronation Street", "Cromwell Road", "St John's Road", "Lime Street",
)

_SCHOOL_NAMES = (
    "Roundhay", "St Mary's", "St Joseph's Catholic", "Holy Trinity", "Oakfield", "Parkside",
    "Hillcrest", "Meadowbank", "Westfield", "Brookside", "Highfield", "Kingsway", "Greenfields",
    "Church Lane", "Fairfield", "Moorside", "Ashton", "Riverside", "Queensbridge", "Al-Hijrah",
    "Springwood", "Valley", "Northgate", "Heathfield",
)
_SECONDARY_KINDS = ("Academy", "High School", "School")

_ORGANISATIONS = {
    "health": "{} Community Health",
    "youth_offending": "{} YOT",
    "social_care": "{} Children's Social Care",
    "sexual_health": "{} Sexual Health Service",
    "mental_health": "{} CAMHS",
    "substance_misuse": "{} Young People's Drug and Alcohol Service",
    "connexions": "Connexions {}",
}

_AUTHORITIES = _Weighted((authority, authority.children) for authority in (
    _Authority("Birmingham", "E08000025", "Birmingham", _districts("B", range(1, 39)), "0121 496 0", 290),
    _Authority("Leeds", "E08000035", "Leeds", _districts("LS", range(1, 30)), "0113 496 0", 180),
    _Authority("Bradford", "E08000032", "Bradford", _districts("BD", range(1, 16)), "01632 960", 140),
    _Authority("Manchester", "E08000003", "Manchester", _districts("M", (*range(1, 24), 40)), "0161 496 0", 130),
    _Authority("Sheffield", "E08000019", "Sheffield", _districts("S", range(1, 15)), "0114 496 0", 115),
    _Authority("Liverpool", "E08000012", "Liverpool", _districts("L", range(1, 28)), "0151 496 0", 100),
    _Authority("Bristol", "E06000023", "Bristol", _districts("BS", (*range(1, 12), *range(13, 17))), "0117 496 0", 95),
    _Authority("Croydon", "E09000008", "Croydon", _districts("CR", (0, 2, 7, 8)), "020 7946 0", 95),
    _Authority("Leicester", "E06000016", "Leicester", _districts("LE", range(1, 6)), "0116 496 0", 85),
    _Authority("Coventry", "E08000026", "Coventry", _districts("CV", range(1, 7)), "01632 960", 75),
    _Authority("Tower Hamlets", "E09000030", "London", _districts("E", (1, 2, 3, 14)), "020 7946 0", 70),
    _Authority("Nottingham", "E06000018", "Nottingham", _districts("NG", range(1, 12)), "0115 496 0", 65),
    _Authority("Newcastle", "E08000021", "Newcastle upon Tyne", _districts("NE", (*range(1, 8), 12, 13, 15)),
               "0191 498 0", 60),
    _Authority("Hull", "E06000010", "Hull", _districts("HU", range(1, 10)), "01632 960", 60),
    _Authority("Hackney", "E09000012", "London", _districts("E", (5, 8, 9)) + _districts("N", (1, 16)),
               "020 7946 0", 60),
    _Authority("Derby", "E06000015", "Derby", _districts("DE", (1, 3, 21, 22, 23, 24)), "01632 960", 60),
    _Authority("Lambeth", "E09000022", "London", _districts("SW", (2, 4, 8, 9, 16)) + _districts("SE", (11, 27)),
               "020 7946 0", 55),
    _Authority("Stoke-on-Trent", "E06000021", "Stoke-on-Trent", _districts("ST", range(1, 7)), "01632 960", 55),
    _Authority("Luton", "E06000032", "Luton", _districts("LU", range(1, 5)), "01632 960", 55),
    _Authority("Plymouth", "E06000026", "Plymouth", _districts("PL", range(1, 8)), "01632 960", 50),
    _Authority("Southampton", "E06000045", "Southampton", _districts("SO", range(14, 20)), "01632 960", 50),
    _Authority("Brighton and Hove", "E06000043", "Brighton", _districts("BN", (1, 2, 3, 41)), "01632 960", 50),
    _Authority("Westminster", "E09000033", "London",
               _districts("W", (1, 2, 9)) + _districts("SW", (1,)) + _districts("NW", (8,)) + ("WC2",),
               "020 7946 0", 35),
    _Authority("York", "E06000014", "York", _districts("YO", (1, 10, 23, 24, 26, 30, 31, 32)), "01632 960", 35),
    _Authority("Middlesbrough", "E06000002", "Middlesbrough", _districts("TS", range(1, 9)), "01632 960", 35),
))
_AUTHORITY_BY_CODE = {authority.la_code: authority for authority in _AUTHORITIES.values}

_GENDERS = _Weighted((("female", 488), ("male", 508), ("other", 2), ("unknown", 2)))
_GIVEN_NAME_COUNTS = _Weighted(((1, 30), (2, 62), (3, 8)))
_HOUSEHOLDS = _Weighted((
    (("mother", "father"), 55),
    (("mother",), 25),
    (("mother", "stepfather"), 5),
    (("father",), 3),
    (("grandmother",), 3),
    (("foster carer",), 3),
    (("grandmother", "grandfather"), 2),
    (("foster carer", "foster carer"), 2),
    (("special guardian",), 1),
    (("aunt",), 1),
))
_WOMEN_CARERS = frozenset({"mother", "grandmother", "aunt"})
_MEN_CARERS = frozenset({"father", "stepfather", "grandfather"})
_SHARES_CHILDS_FAMILY_NAME = {
    "father": 1.0, "mother": 0.7, "grandmother": 0.6, "grandfather": 0.6, "aunt": 0.4, "special guardian": 0.3,
}
_PARENTAL_RESPONSIBILITY = {"mother": 1.0, "special guardian": 1.0, "father": 0.9}

_NAME_VARIANTS = {
    "Muhammad": ("Mohammed", "Mohammad", "Mohamed"), "Mohammed": ("Muhammad", "Mohammad", "Mohamed"),
    "Mohammad": ("Muhammad", "Mohammed"), "Alexander": ("Alex", "Alexandre"), "Alexandra": ("Alex", "Lexi"),
    "William": ("Will", "Billy"), "Thomas": ("Tom", "Tommy"), "James": ("Jamie", "Jim"), "Joseph": ("Joe",),
    "Samuel": ("Sam", "Sammy"), "Benjamin": ("Ben",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Jacob": ("Jake", "Jakob"), "Jakub": ("Jacob", "Kuba"), "Oliver": ("Ollie", "Olly"), "Joshua": ("Josh",),
    "Theodore": ("Theo", "Teddy"), "Edward": ("Eddie", "Ted"), "Zachary": ("Zac", "Zack"),
    "Nathan": ("Nate",), "Michael": ("Mike", "Mikey"), "Harrison": ("Harry",), "Frankie": ("Frank",),
    "Sean": ("Shaun", "Shawn"), "Connor": ("Conor",), "Jayden": ("Jaden", "Jaydon"), "Kacper": ("Kasper",),
    "Aleksander": ("Alex", "Alexander"), "Oluwaseun": ("Seun",), "Oluwatobi": ("Tobi",),
    "Chukwuemeka": ("Emeka",), "Yusuf": ("Yousef", "Yusef"), "Hussain": ("Hussein", "Husain"),
    "Zakariya": ("Zakaria", "Zachariah"), "Eesa": ("Isa", "Esa"), "Ayaan": ("Ayan",), "Zayn": ("Zain",),
    "Olivia": ("Livvy", "Liv"), "Amelia": ("Millie", "Amelie"), "Sophia": ("Sofia", "Sophie"),
    "Sophie": ("Sophia", "Sophy"), "Isabella": ("Bella", "Izzy"), "Isabelle": ("Isabel", "Isobel"),
    "Charlotte": ("Lottie", "Charlie"), "Elizabeth": ("Beth", "Lizzie"), "Eleanor": ("Ellie", "Elinor"),
    "Abigail": ("Abbie", "Abi"), "Jessica": ("Jess",), "Rebecca": ("Becky", "Becca"), "Victoria": ("Tori",),
    "Florence": ("Flo", "Florrie"), "Matilda": ("Tilly",), "Grace": ("Gracie",), "Evie": ("Eve",),
    "Ava": ("Eva",), "Lily": ("Lilly", "Lillie"), "Layla": ("Leila", "Laila"), "Leila": ("Layla",),
    "Aisha": ("Ayesha", "Aishah"), "Ayesha": ("Aisha",), "Zainab": ("Zaynab",), "Fatima": ("Fatimah",),
    "Maryam": ("Mariam", "Miriam"), "Aaliyah": ("Aliyah",), "Chloe": ("Khloe",), "Hannah": ("Hanna",),
    "Zuzanna": ("Zuza", "Susanna"), "Oliwia": ("Olivia",), "Natalia": ("Natalie",), "Maisie": ("Maisy",),
    "Katie": ("Kate", "Katy"), "Darcie": ("Darcy", "Darcey"), "Lexi": ("Lexie",), "Temitope": ("Tope",),
}


def population(n: int, seed: int = 2007) -> Iterator[Child]:
    """``n`` children with person ids 0 to n-1; the same seed always gives the same children."""
    rng = random.Random(seed)
    nhs_numbers = _unique_nhs_numbers(rng)
    upn_serials = _unique_upn_serials(rng)
    person_id = 0
    while person_id < n:
        child = _new_child(person_id, rng, nhs_numbers, upn_serials)
        if person_id + 1 < n and rng.random() < _TWIN_BIRTH_RATE:
            twin = _twin_of(child, rng, nhs_numbers, upn_serials)
            yield replace(child, twin_of=twin.person_id)
            yield twin
            person_id += 2
        else:
            yield child
            person_id += 1


def involvement(child: Child, service: str, rng: random.Random) -> dict:
    """One service's work with the child, as the ``involvement`` of a feed message."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    authority = _AUTHORITY_BY_CODE[child.la_code]
    given_name, family_name = rng.choice(_ADULTS), _SURNAMES.pick(rng)
    started_on = date.fromordinal(rng.randint(
        max(child.date_of_birth, _EARLIEST_INVOLVEMENT).toordinal(), REFERENCE_DATE.toordinal()))
    return {
        "service": service,
        "organisation": _organisation(service, child, authority, rng),
        "practitioner": {
            "name": f"{given_name} {family_name}",
            "phone": f"{authority.dialling}{rng.randrange(1000):03d}",
            "email": f"{_mailbox_part(given_name)}.{_mailbox_part(family_name)}@example.org",
        },
        "lead_professional": rng.random() < _LEAD_PROFESSIONAL_RATE,
        "caf_completed": rng.random() < _CAF_COMPLETED_RATE,
        "sensitive": service in SENSITIVE_SERVICES,
        "started_on": started_on.isoformat(),
        "ended_on": None,
    }


def feed_message(child: Child, *, source_record_id: str, sequence: int, service: str, rng: random.Random,
                 identifiers: tuple[str, ...] = ("nhs_number", "upn")) -> dict:
    """What the partner system running ``service`` publishes about the child, in ``contactpoint.feed.v1``."""
    known_identifiers = {"nhs_number": child.nhs_number, "upn": child.upn}
    return {
        "schema": _FEED_SCHEMA,
        "source_record_id": source_record_id,
        "sequence": sequence,
        "action": "upsert",
        "child": {
            "family_name": child.family_name,
            "given_names": list(child.given_names),
            "former_family_names": list(child.former_family_names),
            "date_of_birth": child.date_of_birth.isoformat(),
            "gender": child.gender,
            "address": {"lines": list(child.address_lines), "town": child.town, "postcode": child.postcode},
            "identifiers": {name: known_identifiers[name] for name in identifiers},
        },
        "carers": [dict(carer) for carer in child.carers],
        "involvement": involvement(child, service, rng),
        "consent": {"retain_to_25": False},
    }


def merged_snapshot(child: Child, rng: random.Random, services: tuple[str, ...] = ("school",)) -> dict:
    """The child as the directory holds them once merged (``feeds.child.merged``, in its JSON form), for loading a directory directly."""
    messages = [feed_message(child, source_record_id=f"{service}-{child.person_id}", sequence=1, service=service, rng=rng) for service in services]
    return {
        "contactpoint_id": f"CP-{child.person_id:010d}",
        "version": 1,
        "la_code": child.la_code,
        "active": True,
        "shielded": False,
        "retain_to_25": False,
        "demographics": messages[0]["child"],
        "carers": messages[0]["carers"],
        "involvements": [{**message["involvement"], "source_id": service} for service, message in zip(services, messages)],
        "source_records": [[service, message["source_record_id"]] for service, message in zip(services, messages)],
    }


def with_errors(message: dict, rng: random.Random, rate: float = 0.3) -> dict:
    """A copy of a feed message that, with probability ``rate``, carries one data-entry error.

    The error only ever changes details already there: it adds no field, and an NHS number is
    either kept as it was or left out, never mistyped.
    """
    garbled = copy.deepcopy(message)
    if rng.random() < rate:
        for slip in rng.sample(_SLIPS, len(_SLIPS)):
            if slip(garbled["child"], rng):
                break
    return garbled


def _unique_nhs_numbers(rng: random.Random) -> Iterator[str]:
    """Every valid NHS number starting 4 to 7, each once, in an order keyed by ``rng``."""
    stem_at = _keyed_permutation(20_000, rng)
    for index in range(20_000 ** 2):
        first_nine = str(400_000_000 + stem_at(index))
        check = nhs_check_digit(first_nine)
        if check is not None:
            yield first_nine + str(check)


def _unique_upn_serials(rng: random.Random) -> Iterator[str]:
    """The twelve digits after a UPN's letter, each once, in an order keyed by ``rng``."""
    serial_at = _keyed_permutation(1_000_000, rng)
    return (f"{serial_at(index):012d}" for index in range(1_000_000 ** 2))


def _keyed_permutation(half: int, rng: random.Random) -> Callable[[int], int]:
    """A shuffle of ``range(half * half)``: four Feistel rounds keyed by ``rng``.

    Counting through it gives numbers that look drawn at random yet never repeat, without
    remembering the ones already given.
    """
    keys = tuple(rng.randrange(1 << 32) for _ in range(4))

    def permute(index: int) -> int:
        left, right = divmod(index, half)
        for key in keys:
            left, right = right, (left + ((right ^ key) * 0x9E3779B1 >> 13)) % half
        return left * half + right

    return permute


def _new_child(person_id: int, rng: random.Random, nhs_numbers: Iterator[str], upn_serials: Iterator[str]) -> Child:
    authority = _AUTHORITIES.pick(rng)
    gender = _GENDERS.pick(rng)
    family_name = _family_name(rng)
    former_family_names = (
        (_other_family_name(family_name, rng),) if rng.random() < _FORMER_FAMILY_NAME_RATE else ()
    )
    return Child(
        person_id=person_id,
        given_names=_given_names(gender, rng),
        family_name=family_name,
        former_family_names=former_family_names,
        date_of_birth=date.fromordinal(rng.randint(_EARLIEST_BIRTH, REFERENCE_DATE.toordinal())),
        gender=gender,
        address_lines=_address_lines(rng),
        town=authority.town,
        postcode=_postcode(authority, rng),
        la_code=authority.la_code,
        nhs_number=next(nhs_numbers),
        upn=rng.choice(_UPN_LETTERS) + next(upn_serials),
        carers=_carers(family_name, authority, rng),
        twin_of=None,
    )


def _twin_of(child: Child, rng: random.Random, nhs_numbers: Iterator[str], upn_serials: Iterator[str]) -> Child:
    """Born the same day into the same home as ``child``, and named differently."""
    gender = _GENDERS.pick(rng)
    given_names = _given_names(gender, rng)
    while given_names[0] == child.given_names[0]:
        given_names = _given_names(gender, rng)
    return replace(
        child,
        person_id=child.person_id + 1,
        given_names=given_names,
        gender=gender,
        nhs_number=next(nhs_numbers),
        upn=rng.choice(_UPN_LETTERS) + next(upn_serials),
        twin_of=child.person_id,
    )


def _family_name(rng: random.Random) -> str:
    family_name = _SURNAMES.pick(rng)
    if rng.random() < _DOUBLE_BARRELLED_RATE:
        return f"{family_name}-{_other_family_name(family_name, rng)}"
    return family_name


def _other_family_name(than: str, rng: random.Random) -> str:
    while True:
        family_name = _SURNAMES.pick(rng)
        if family_name != than:
            return family_name


def _given_names(gender: str, rng: random.Random) -> tuple[str, ...]:
    names = _GIRLS if gender == "female" else _BOYS if gender == "male" else rng.choice((_GIRLS, _BOYS))
    first = names.weighted.pick(rng)
    if rng.random() < names.hyphenated_rate:
        first = f"{first}-{rng.choice(names.second_halves)}"
    chosen = [first]
    used = set(first.split("-"))
    for _ in range(_GIVEN_NAME_COUNTS.pick(rng) - 1):
        middle = names.weighted.pick(rng)
        while middle in used:
            middle = names.weighted.pick(rng)
        chosen.append(middle)
        used.add(middle)
    return tuple(chosen)


def _address_lines(rng: random.Random) -> tuple[str, ...]:
    street = f"{rng.randint(1, 180)} {rng.choice(_STREETS)}"
    if rng.random() < _FLAT_RATE:
        return (f"Flat {rng.randint(1, 40)}", street)
    return (street,)


def _postcode(authority: _Authority, rng: random.Random) -> str:
    first_letter, second_letter = rng.choices(_INWARD_LETTERS, k=2)
    return f"{rng.choice(authority.outward_codes)} {rng.randrange(10)}{first_letter}{second_letter}"


def _carers(family_name: str, authority: _Authority, rng: random.Random) -> tuple[dict, ...]:
    return tuple(
        {
            "name": f"{_carer_given_name(relationship, rng)} {_carer_family_name(relationship, family_name, rng)}",
            "relationship": relationship,
            "parental_responsibility": rng.random() < _PARENTAL_RESPONSIBILITY.get(relationship, 0.0),
            "phone": _carer_phone(authority, rng),
        }
        for relationship in _HOUSEHOLDS.pick(rng)
    )


def _carer_given_name(relationship: str, rng: random.Random) -> str:
    if relationship in _WOMEN_CARERS:
        return rng.choice(_ADULT_WOMEN)
    if relationship in _MEN_CARERS:
        return rng.choice(_ADULT_MEN)
    return rng.choice(_ADULTS)


def _carer_family_name(relationship: str, childs_family_name: str, rng: random.Random) -> str:
    if rng.random() < _SHARES_CHILDS_FAMILY_NAME.get(relationship, 0.0):
        return childs_family_name
    return _other_family_name(childs_family_name, rng)


def _carer_phone(authority: _Authority, rng: random.Random) -> str:
    prefix = _MOBILE if rng.random() < _MOBILE_RATE else authority.dialling
    return f"{prefix}{rng.randrange(1000):03d}"


def _organisation(service: str, child: Child, authority: _Authority, rng: random.Random) -> str:
    if service != "school":
        return _ORGANISATIONS[service].format(authority.name)
    age = _age_on(REFERENCE_DATE, child.date_of_birth)
    if age < 4:
        phase = "Nursery"
    elif age < 11:
        phase = "Primary School"
    else:
        phase = rng.choice(_SECONDARY_KINDS)
    return f"{rng.choice(_SCHOOL_NAMES)} {phase}"


def _age_on(day: date, born: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _mailbox_part(name: str) -> str:
    return re.sub(r"[^a-z-]", "", name.lower())


def _misspell_family_name(child: dict, rng: random.Random) -> bool:
    """One keying slip after the initial: a letter substituted, dropped, or swapped with the next."""
    name = child["family_name"]
    if len(name) < 2:
        return False
    typed = name
    while typed == name:
        at = rng.randrange(1, len(name))
        typed = rng.choice((
            name[:at] + rng.choice("abcdefghijklmnopqrstuvwxyz") + name[at + 1:],
            name[:at] + name[at + 1:],
            name[:at] + name[at + 1:at + 2] + name[at] + name[at + 2:],
        ))
    child["family_name"] = typed
    return True


def _muddle_given_names(child: dict, rng: random.Random) -> bool:
    names = child["given_names"]
    if len(names) < 2:
        return False
    if names[0] != names[1] and rng.random() < 0.5:
        names[0], names[1] = names[1], names[0]
    else:
        del names[1:]
    return True


def _use_name_variant(child: dict, rng: random.Random) -> bool:
    names = child["given_names"]
    varied = [at for at, name in enumerate(names) if name in _NAME_VARIANTS]
    if not varied:
        return False
    at = rng.choice(varied)
    names[at] = rng.choice(_NAME_VARIANTS[names[at]])
    return True


def _swap_day_and_month(child: dict, rng: random.Random) -> bool:
    born = date.fromisoformat(child["date_of_birth"])
    if born.day > 12 or born.day == born.month:
        return False
    child["date_of_birth"] = born.replace(month=born.day, day=born.month).isoformat()
    return True


def _change_family_name(child: dict, rng: random.Random) -> bool:
    child["former_family_names"].append(child["family_name"])
    child["family_name"] = _other_family_name(child["family_name"], rng)
    return True


def _misformat_postcode(child: dict, rng: random.Random) -> bool:
    postcode = child["address"]["postcode"]
    misformatted = sorted({postcode.replace(" ", ""), postcode.lower()} - {postcode})
    if not misformatted:
        return False
    child["address"]["postcode"] = rng.choice(misformatted)
    return True


def _drop_identifier(child: dict, rng: random.Random) -> bool:
    identifiers = child["identifiers"]
    if not identifiers:
        return False
    del identifiers[rng.choice(list(identifiers))]
    return True


_SLIPS: tuple[Callable[[dict, random.Random], bool], ...] = (
    _misspell_family_name, _muddle_given_names, _use_name_variant, _swap_day_and_month,
    _change_family_name, _misformat_postcode, _drop_identifier,
)
