"""A population of children fed by two sources, with the errors real feeds carry, for measuring how well records are linked.

The children come from `contactpoint.synthetic`; around them this module adds the people a
matcher must keep apart (twins, triplets, siblings, namesakes, cousins born the same day) and
sends each child as a health record (with the NHS number) and, for most, a school record (with
the UPN), so that most true pairs share no identifier and are found by their details alone.
Each record may carry errors of the kinds in `ERRORS`, the ones data entry and life make; the
truth (who each record is about, and which children were born together) is kept beside it.

`link` feeds the records, in order, through the feeds service's matcher, exactly as the
service compares a new record with those held, and `Linkage` gives the figures.
"""
from __future__ import annotations

import itertools
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone

from jellyfish import jaro_winkler_similarity, metaphone
from marshmallow import ValidationError

from contactpoint import synthetic
from services.feeds import matching
from services.feeds.linkage_model import DEFAULT, LinkageModel
from services.feeds.models import SourceRecord
from services.feeds.schemas import AcceptedFeedMessageSchema

SOURCES = ("health", "school")
# The share of children a school also sends: the others are too young, or at a school not yet feeding.
AT_SCHOOL = 0.85
# The share of school records that carry the NHS number too, and of health records that leave it out.
SCHOOL_KNOWS_NHS_NUMBER = 0.1
HEALTH_LEAVES_OUT_NHS_NUMBER = 0.05
# How often a record carries errors: the school's are keyed again from paper, the health service's are checked.
ERROR_RATE = {"health": 0.15, "school": 0.5}
# Of a record with errors, how often it has two.
TWO_ERRORS = 0.15


@dataclass(frozen=True)
class Sent:
    """One record a source sent: the feed message, who it is about, and the errors it carries."""

    source: str
    message: dict
    person_id: int
    errors: tuple[str, ...]


@dataclass(frozen=True)
class Population:
    children: list[synthetic.Child]
    # Children born together (twins, triplets): the person ids of each birth.
    births: list[tuple[int, ...]]
    records: list[Sent]


def population(children: int, seed: int = 16) -> Population:
    """About ``children`` children, a tenth of them born with another or looking like another, and their records."""
    rng = random.Random(seed)
    base = list(synthetic.population(int(children / 1.12), seed=seed))
    names = _Names(base)
    made = _People(rng, names, next_id=len(base))
    people: list[synthetic.Child] = []
    births: list[tuple[int, ...]] = [(child.twin_of, child.person_id) for child in base
                                     if child.twin_of is not None and child.twin_of < child.person_id]
    for child in base:
        child = made.double_barrelled(child) if rng.random() < 0.04 else child
        people.append(child)
        roll = rng.random()
        if roll < 0.02:
            born_with = made.born_with(child, 1)
        elif roll < 0.025:
            born_with = made.born_with(child, 2)
        else:
            born_with = []
            if roll < 0.06:
                people.append(made.sibling(child))
            elif roll < 0.08:
                people.append(made.namesake(child))
            elif roll < 0.10:
                people.append(made.cousin_born_the_same_day(child))
        if born_with:
            people.extend(born_with)
            births.append((child.person_id, *(other.person_id for other in born_with)))
    records = []
    for source in SOURCES:
        for child in people:
            if source == "school" and rng.random() >= AT_SCHOOL:
                continue
            message = synthetic.feed_message(child, source_record_id=f"{source}-{child.person_id}", sequence=1, service=source, rng=rng,
                                             identifiers=_identifiers(source, rng))
            errors = _garble(message["child"], names, rng) if rng.random() < ERROR_RATE[source] else ()
            records.append(Sent(source, message, child.person_id, errors))
    return Population(people, births, records)


def _identifiers(source: str, rng: random.Random) -> tuple[str, ...]:
    if source == "health":
        return () if rng.random() < HEALTH_LEAVES_OUT_NHS_NUMBER else ("nhs_number",)
    return ("upn", "nhs_number") if rng.random() < SCHOOL_KNOWS_NHS_NUMBER else ("upn",)


class _Names:
    """The given and family names of the base population, to draw others from."""

    def __init__(self, children: list[synthetic.Child]):
        self.given = {gender: sorted({name for child in children if child.gender == gender for name in child.given_names})
                      for gender in {child.gender for child in children}}
        self.family = sorted({child.family_name for child in children if "-" not in child.family_name})
        self.postcodes = sorted({child.postcode for child in children})

    def other_given(self, gender: str, than: tuple[str, ...], rng: random.Random) -> str:
        while (name := rng.choice(self.given[gender])) in than or any(_one_name(name, other) for other in than):
            pass
        return name

    def other_family(self, than: str, rng: random.Random) -> str:
        while (name := rng.choice(self.family)) in than:
            pass
        return name


def _one_name(one: str, other: str) -> bool:
    """Names a person would take for one name: a twin is never named so close to their sibling."""
    one, other = one.lower(), other.lower()
    return (one[:3] == other[:3] or jaro_winkler_similarity(one, other) >= 0.85 or metaphone(one) == metaphone(other)
            or other in NICKNAMES.get(one.title(), ()) or one in NICKNAMES.get(other.title(), ()))


class _People:
    """Children made beside one of the base population: born with them, or looking like them."""

    def __init__(self, rng: random.Random, names: _Names, next_id: int):
        self.rng, self.names = rng, names
        self._ids = itertools.count(next_id)
        self._nhs_numbers: set[str] = set()

    def born_with(self, child: synthetic.Child, others: int) -> list[synthetic.Child]:
        """Twins or triplets: one day, one family, one home; each their own given names, often a gender of their own."""
        made: list[synthetic.Child] = []
        for _ in range(others):
            gender = child.gender if self.rng.random() < 0.5 else self.rng.choice(("female", "male"))
            taken = tuple(name for sibling in (child, *made) for name in sibling.given_names)
            made.append(self._other(child, gender=gender, given_names=self._given_names(gender, taken)))
        return made

    def sibling(self, child: synthetic.Child) -> synthetic.Child:
        """Same family and home, born a year or more apart."""
        gender = self.rng.choice(("female", "male"))
        born = _shifted(child.date_of_birth, days=self.rng.choice((-1, 1)) * self.rng.randint(365, 6 * 365))
        return self._other(child, gender=gender, given_names=self._given_names(gender, child.given_names), date_of_birth=born)

    def namesake(self, child: synthetic.Child) -> synthetic.Child:
        """The same names, born on another day and living elsewhere."""
        born = _shifted(child.date_of_birth, days=self.rng.choice((-1, 1)) * self.rng.randint(30, 5 * 365))
        return self._other(child, date_of_birth=born, postcode=self.rng.choice(self.names.postcodes))

    def cousin_born_the_same_day(self, child: synthetic.Child) -> synthetic.Child:
        """The same family name and birthday, another child and another home."""
        gender = self.rng.choice(("female", "male"))
        return self._other(child, gender=gender, given_names=self._given_names(gender, child.given_names),
                           postcode=self.rng.choice(self.names.postcodes))

    def double_barrelled(self, child: synthetic.Child) -> synthetic.Child:
        if "-" in child.family_name:
            return child
        return replace(child, family_name=f"{child.family_name}-{self.names.other_family(child.family_name, self.rng)}")

    def _given_names(self, gender: str, taken: tuple[str, ...]) -> tuple[str, ...]:
        first = self.names.other_given(gender, taken, self.rng)
        if self.rng.random() < 0.6:
            return first, self.names.other_given(gender, (*taken, first), self.rng)
        return (first,)

    def _other(self, child: synthetic.Child, **changes) -> synthetic.Child:
        while (nhs_number := synthetic.make_nhs_number(self.rng)) in self._nhs_numbers:
            pass
        self._nhs_numbers.add(nhs_number)
        upn = self.rng.choice("ABCDEFGHJKLMNPQRTUVWXYZ") + f"{self.rng.randrange(10 ** 12):012d}"
        return replace(child, person_id=next(self._ids), nhs_number=nhs_number, upn=upn, twin_of=None, **changes)


def _shifted(born: date, days: int) -> date:
    shifted = date.fromordinal(born.toordinal() + days)
    return shifted if shifted <= synthetic.REFERENCE_DATE else date.fromordinal(born.toordinal() - abs(days))


# Nicknames and short forms a child is known by.
NICKNAMES = {
    "William": ("Billy", "Will", "Liam"), "Thomas": ("Tom", "Tommy"), "James": ("Jim", "Jimmy", "Jamie"), "Joseph": ("Joe", "Joey"),
    "Samuel": ("Sam", "Sammy"), "Benjamin": ("Ben", "Benny"), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Oliver": ("Ollie", "Olly"), "Joshua": ("Josh",), "Theodore": ("Theo", "Teddy", "Ted"), "Edward": ("Ed", "Eddie", "Ted", "Ned"),
    "Alexander": ("Alex", "Sandy", "Xander"), "Zachary": ("Zac", "Zack"), "Michael": ("Mike", "Mikey", "Mick"), "Henry": ("Harry", "Hal"),
    "Frederick": ("Freddie", "Fred"), "Alfred": ("Alfie", "Alf"), "Charles": ("Charlie",), "Nathan": ("Nate",), "Jacob": ("Jake",),
    "Harrison": ("Harry",), "Robert": ("Rob", "Bob", "Bobby"), "Richard": ("Rich", "Dick", "Ricky"), "Anthony": ("Tony",),
    "Amelia": ("Millie", "Milly"), "Olivia": ("Liv", "Livvy"), "Isabella": ("Izzy", "Bella"), "Isabelle": ("Izzy",),
    "Charlotte": ("Lottie", "Charlie"), "Elizabeth": ("Beth", "Lizzie", "Libby", "Betty"), "Eleanor": ("Ellie", "Nell"),
    "Abigail": ("Abbie", "Abi"), "Jessica": ("Jess",), "Rebecca": ("Becky", "Becca"), "Victoria": ("Tori", "Vicky"),
    "Florence": ("Flo", "Florrie"), "Matilda": ("Tilly",), "Katherine": ("Kate", "Katie", "Kitty"), "Margaret": ("Maggie", "Peggy"),
    "Alexandra": ("Alex", "Lexi"), "Penelope": ("Penny",), "Jennifer": ("Jenny",), "Gabriela": ("Gabby",), "Evelyn": ("Evie",),
    "Imogen": ("Immy",), "Harriet": ("Hattie",), "Georgia": ("George",), "Josephine": ("Josie",), "Natalia": ("Natalie",),
    "Muhammad": ("Mo",), "Mohammed": ("Mo",), "Ibrahim": ("Ibby",), "Oluwaseun": ("Seun",), "Oluwatobi": ("Tobi",),
    "Chukwuemeka": ("Emeka",), "Temitope": ("Tope",), "Sebastian": ("Seb",), "Gabriel": ("Gabe",), "Frankie": ("Frank",),
}
# The English form a child of another country is sometimes entered under.
ANGLICISED = {
    "Jakub": "Jacob", "Kacper": "Casper", "Szymon": "Simon", "Mateusz": "Matthew", "Aleksander": "Alexander", "Antoni": "Anthony",
    "Filip": "Philip", "Oskar": "Oscar", "Andrei": "Andrew", "Matei": "Matthew", "Stefan": "Stephen", "Zuzanna": "Susan",
    "Oliwia": "Olivia", "Natalia": "Natalie", "Maja": "Maya", "Ioana": "Joanna", "Andreea": "Andrea", "Hanna": "Hannah",
    "Yusuf": "Joseph", "Ibrahim": "Abraham", "Musa": "Moses", "Maryam": "Mary", "Mariam": "Mary", "Yahya": "John", "Ismail": "Ishmael",
    "Ilyas": "Elias", "Eesa": "Jesus", "Dawud": "David", "Sofia": "Sophie", "Sara": "Sarah", "Ines": "Agnes", "Elena": "Helen",
    "Oisin": "Ossian", "Cian": "Kian", "Aoife": "Eva", "Siobhan": "Joan", "Niamh": "Neve", "Ciaran": "Kieran", "Sean": "John",
}


def _typo(name: str, rng: random.Random) -> str:
    """One keying slip after the initial: a letter substituted, dropped, doubled, or swapped with the next."""
    while True:
        at = rng.randrange(1, len(name))
        typed = rng.choice((
            name[:at] + rng.choice("abcdefghijklmnopqrstuvwxyz") + name[at + 1:],
            name[:at] + name[at + 1:],
            name[:at] + name[at] + name[at:],
            name[:at] + name[at + 1:at + 2] + name[at] + name[at + 2:],
        ))
        if typed != name and re.fullmatch(r"[A-Za-z][A-Za-z'\- ]*", typed):
            return typed


def _family_typo(child: dict, names: _Names, rng: random.Random) -> bool:
    if len(child["family_name"]) < 4:
        return False
    child["family_name"] = _typo(child["family_name"], rng)
    return True


def _given_typo(child: dict, names: _Names, rng: random.Random) -> bool:
    if len(child["given_names"][0]) < 4:
        return False
    child["given_names"][0] = _typo(child["given_names"][0], rng)
    return True


def _names_swapped(child: dict, names: _Names, rng: random.Random) -> bool:
    child["family_name"], child["given_names"][0] = child["given_names"][0], child["family_name"]
    return True


def _middle_name_as_given(child: dict, names: _Names, rng: random.Random) -> bool:
    """Known by their middle name: entered with it alone."""
    if len(child["given_names"]) < 2:
        return False
    del child["given_names"][0]
    return True


def _anglicised(child: dict, names: _Names, rng: random.Random) -> bool:
    if child["given_names"][0] not in ANGLICISED:
        return False
    child["given_names"][0] = ANGLICISED[child["given_names"][0]]
    return True


def _other_given_name(child: dict, names: _Names, rng: random.Random) -> bool:
    """Known by a name that is none of theirs on the other record (a name chosen in care, a new family's name)."""
    child["given_names"][0] = names.other_given(child["gender"] if child["gender"] in names.given else "female", tuple(child["given_names"]), rng)
    return True


def _nickname(child: dict, names: _Names, rng: random.Random) -> bool:
    if child["given_names"][0] not in NICKNAMES:
        return False
    child["given_names"][0] = rng.choice(NICKNAMES[child["given_names"][0]])
    return True


def _family_part_dropped(child: dict, names: _Names, rng: random.Random) -> bool:
    """A hyphenated or double-barrelled family name entered as one of its parts."""
    parts = re.split(r"[- ]", child["family_name"])
    if len(parts) < 2:
        return False
    child["family_name"] = rng.choice(parts)
    return True


def _family_changed_former_kept(child: dict, names: _Names, rng: random.Random) -> bool:
    child["former_family_names"].append(child["family_name"])
    child["family_name"] = names.other_family(child["family_name"], rng)
    return True


def _family_changed_former_lost(child: dict, names: _Names, rng: random.Random) -> bool:
    child["family_name"] = names.other_family(child["family_name"], rng)
    return True


def _day_month_swapped(child: dict, names: _Names, rng: random.Random) -> bool:
    born = date.fromisoformat(child["date_of_birth"])
    if born.day > 12 or born.day == born.month:
        return False
    child["date_of_birth"] = born.replace(month=born.day, day=born.month).isoformat()
    return True


def _date_digit_wrong(child: dict, names: _Names, rng: random.Random) -> bool:
    """One digit of the birth date keyed wrong (never the century), leaving a date that can be."""
    written = child["date_of_birth"]
    for _ in range(20):
        at = rng.choice((2, 3, 5, 6, 8, 9))
        typed = written[:at] + rng.choice("0123456789".replace(written[at], "")) + written[at + 1:]
        try:
            born = date.fromisoformat(typed)
        except ValueError:
            continue
        if born <= synthetic.REFERENCE_DATE:
            child["date_of_birth"] = typed
            return True
    return False


def _moved_house(child: dict, names: _Names, rng: random.Random) -> bool:
    """A new home: in the same district as often as not, otherwise anywhere."""
    postcode = child["address"].get("postcode")
    if postcode is None:
        return False
    if rng.random() < 0.5:
        district = postcode.split(" ")[0]
        moved = f"{district} {rng.randrange(10)}{''.join(rng.choices('ABDEFGHJLNPQRSTUWXYZ', k=2))}"
    else:
        moved = rng.choice(names.postcodes)
    if moved == postcode:
        return False
    child["address"] = {"lines": [f"{rng.randint(1, 180)} New Street"], "town": child["address"]["town"], "postcode": moved}
    return True


def _postcode_missing(child: dict, names: _Names, rng: random.Random) -> bool:
    """Left out, or sent as null: the contract allows both (chosen by the name, so that the draws of the population stay as they were)."""
    if len(child["family_name"]) % 2:
        del child["address"]["postcode"]
    else:
        child["address"]["postcode"] = None
    return True


def _case(child: dict, names: _Names, rng: random.Random) -> bool:
    change = rng.choice((str.upper, str.lower))
    child["family_name"] = change(child["family_name"])
    child["given_names"] = [change(name) for name in child["given_names"]]
    return True


# Each kind of error, with how often it is drawn beside the others.
ERRORS: dict[str, tuple[Callable[[dict, _Names, random.Random], bool], int]] = {
    "family_typo": (_family_typo, 12), "given_typo": (_given_typo, 10), "names_swapped": (_names_swapped, 4),
    "middle_name_as_given": (_middle_name_as_given, 6), "anglicised": (_anglicised, 3), "other_given_name": (_other_given_name, 1),
    "nickname": (_nickname, 8), "family_part_dropped": (_family_part_dropped, 4), "family_changed_former_kept": (_family_changed_former_kept, 3),
    "family_changed_former_lost": (_family_changed_former_lost, 3), "day_month_swapped": (_day_month_swapped, 5),
    "date_digit_wrong": (_date_digit_wrong, 5), "moved_house": (_moved_house, 12), "postcode_missing": (_postcode_missing, 4),
    "case": (_case, 8),
}


def _garble(child: dict, names: _Names, rng: random.Random) -> tuple[str, ...]:
    """One error, sometimes two, each of a kind that applies to this child; the kinds made."""
    kinds, weights = zip(*((kind, weight) for kind, (_, weight) in ERRORS.items()))
    made: list[str] = []
    wanted = 2 if rng.random() < TWO_ERRORS else 1
    for _ in range(50):
        kind = rng.choices(kinds, weights)[0]
        if kind not in made and ERRORS[kind][0](child, names, rng):
            made.append(kind)
            if len(made) == wanted:
                break
    return tuple(made)


@dataclass(frozen=True)
class Linkage:
    """How a population's records were linked, against the truth."""

    records: int
    refused: dict[str, int]
    true_pairs: int
    linked_pairs: int
    right_pairs: int
    reviews: int
    twins_merged: int
    pairs_sharing_no_key: int
    missed_by_error: dict[str, int]
    seconds: float

    @property
    def precision(self) -> float:
        return self.right_pairs / self.linked_pairs if self.linked_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.right_pairs / self.true_pairs

    @property
    def f1(self) -> float:
        return 2 * self.precision * self.recall / (self.precision + self.recall)

    @property
    def review_rate(self) -> float:
        return self.reviews / self.records

    @property
    def blocking_loss(self) -> float:
        return self.pairs_sharing_no_key / self.true_pairs

    def summary(self) -> str:
        refused = ", ".join(f"{count} {problem}" for problem, count in sorted(self.refused.items())) or "none"
        return (f"{self.records} records: precision {self.precision:.4f}, recall {self.recall:.4f}, F1 {self.f1:.4f}, "
                f"review {self.review_rate:.2%} ({self.reviews}), twins merged {self.twins_merged}, "
                f"true pairs sharing no blocking key {self.blocking_loss:.2%} ({self.pairs_sharing_no_key} of {self.true_pairs}), "
                f"{self.seconds:.1f} s; refused: {refused}")

    def misses(self) -> str:
        return ", ".join(f"{kind} {count}" for kind, count in sorted(self.missed_by_error.items(), key=lambda item: -item[1]))


HELD_SINCE = datetime(2026, 1, 1, tzinfo=timezone.utc)


def link(people: Population, model: LinkageModel = DEFAULT) -> Linkage:
    """Feeds each record, in order, through the matcher as the feeds service does: validated, compared with those held that
    share a blocking key, then held itself; and scores the children it made against the truth."""
    schema = AcceptedFeedMessageSchema()
    nearby = matching.Nearby([])
    refused: dict[str, int] = defaultdict(int)
    placed: dict[int, tuple[Sent, str, matching.Described, SourceRecord]] = {}
    reviews = 0
    started = time.perf_counter()
    for at, sent in enumerate(people.records):
        try:
            child = schema.load(sent.message)["child"]
        except ValidationError as refusal:
            refused[_first_field(refusal.messages)] += 1
            continue
        described = matching.Described.of(child)
        match = matching.find_child(None, described, nearby, model)
        reviews += match.decision == "review"
        contactpoint_id = match.contactpoint_id if match.decision == "link" else matching.new_contactpoint_id()
        record = SourceRecord(source_id=sent.source, source_record_id=sent.message["source_record_id"], contactpoint_id=contactpoint_id,
                              sequence=1, held=True, message=sent.message, received_at=HELD_SINCE, **matching.blocking_keys(described))
        nearby.hold(record)
        placed[at] = (sent, contactpoint_id, described, record)
    seconds = time.perf_counter() - started
    true_pairs, linked_pairs = pairs_of({at: (sent.person_id, contactpoint_id) for at, (sent, contactpoint_id, _, _) in placed.items()})
    missed = defaultdict(int)
    for one, other in true_pairs - linked_pairs:
        for kind in placed[one][0].errors + placed[other][0].errors or ("none",):
            missed[kind] += 1
    person_of = {at: placed[at][0].person_id for at in placed}
    born_together = {frozenset(pair) for birth in people.births for pair in itertools.combinations(birth, 2)}
    return Linkage(
        records=len(placed), refused=dict(refused), true_pairs=len(true_pairs), linked_pairs=len(linked_pairs),
        right_pairs=len(true_pairs & linked_pairs), reviews=reviews,
        twins_merged=len({frozenset((person_of[one], person_of[other])) for one, other in linked_pairs - true_pairs}
                         & born_together),
        pairs_sharing_no_key=sum(not matching.Nearby([placed[other][3]]).sharing_a_key(placed[one][2]) for one, other in true_pairs),
        missed_by_error=dict(missed), seconds=seconds,
    )


def described_records(people: Population) -> list[matching.Described]:
    """The records the feeds service would hold once all were sent, as matching describes them: what a model is trained on."""
    return [described for _, described in accepted_records(people)]


def accepted_records(people: Population) -> list[tuple[Sent, matching.Described]]:
    """Each record the feed intake accepts, beside its description."""
    schema = AcceptedFeedMessageSchema()
    accepted = []
    for sent in people.records:
        try:
            accepted.append((sent, matching.Described.of(schema.load(sent.message)["child"])))
        except ValidationError:
            continue
    return accepted


def with_term_frequencies(people: Population, model: LinkageModel = DEFAULT) -> LinkageModel:
    """The model with how common each name and postcode is among the population's records, as refreshed from those held."""
    return model.with_term_frequencies(matching.term_values(described_records(people)))


def pairs_of(placed: dict[int, tuple[int, str]]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """For records numbered and placed as ``{record: (person, child)}``: the pairs of one person, and the pairs of one child."""
    by_person, by_child = defaultdict(list), defaultdict(list)
    for record, (person_id, child) in placed.items():
        by_person[person_id].append(record)
        by_child[child].append(record)
    return _pairs(by_person.values()), _pairs(by_child.values())


def _pairs(groups) -> set[tuple[int, int]]:
    return {pair for members in groups for pair in itertools.combinations(sorted(members), 2)}


def _first_field(messages, path: str = "") -> str:
    """Which field a refusal names first, as ``child.address.postcode``."""
    if isinstance(messages, dict):
        name, inner = next(iter(messages.items()))
        return _first_field(inner, f"{path}.{name}" if path else str(name))
    return path
