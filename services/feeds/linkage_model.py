"""The weights matching scores with: for each comparison, the ``m`` and ``u`` of each level, two thresholds, and how common each
name and postcode is among the children held.

A level's ``m`` is how often two records of one child agree so, its ``u`` how often two different
children do; its weight is ``log2(m / u)``. An exact agreement on a family name, a given name or a
postcode is weighed by how common that value is (Splink's term-frequency adjustment): two records
agreeing on "Smith" are weaker evidence than two agreeing on "Hebblethwaite", so ``u`` is then the
value's share of the records held, where it is known.

The hand-set `DEFAULT` is the model of an empty directory. `contactpoint feeds train` estimates one
from the records held and writes it as a versioned JSON file (`dumps`, `loads`).
"""
from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

FORMAT = "contactpoint.linkage-model.v1"
# The comparisons whose exact agreement is weighed by how common the value is.
TERM_FREQUENCY_COMPARISONS = ("family_name", "given_name", "postcode")
# The rarest a value is taken to be: a name held once in a small population is not rarer than one child in a hundred thousand.
RAREST = 1e-5


@dataclass(frozen=True)
class Level:
    """A level of agreement of one comparison: how often two records of one child agree so (``m``), and how often two
    records of different children do (``u``)."""

    m: float
    u: float

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class LinkageModel:
    version: str
    levels: dict[str, dict[str, Level]]
    link_at: float
    review_from: float
    term_frequencies: dict[str, dict[str, float]] = field(default_factory=dict)
    trained_by: str | None = None
    trained_on: int = 0
    trained_at: str | None = None

    def weight(self, comparison: str, level: str, value: str | None = None) -> float:
        """The level's weight; for an exact agreement on a value whose frequency is known, by that frequency."""
        chosen = self.levels[comparison][level]
        frequency = self.term_frequencies.get(comparison, {}).get(value) if level == "exact" and value else None
        return math.log2(chosen.m / max(frequency, RAREST)) if frequency is not None else chosen.weight

    def with_term_frequencies(self, values: dict[str, Iterable[str]]) -> LinkageModel:
        """This model, weighing exact agreements by how common each value is among ``values`` (per comparison)."""
        return replace(self, term_frequencies={comparison: frequencies(found) for comparison, found in values.items()})

    def describe(self) -> dict:
        return {"version": self.version, "trained_by": self.trained_by, "trained_on": self.trained_on, "trained_at": self.trained_at,
                "link_at": self.link_at, "review_from": self.review_from,
                "weights": {comparison: {name: round(level.weight, 2) for name, level in levels.items()}
                            for comparison, levels in self.levels.items()},
                "term_frequencies": {comparison: len(values) for comparison, values in self.term_frequencies.items()}}


def frequencies(values: Iterable[str]) -> dict[str, float]:
    return shares(Counter(value for value in values if value))


def shares(counted: dict[str, int]) -> dict[str, float]:
    """Each value's share of those counted."""
    total = sum(counted.values())
    return {value: count / total for value, count in counted.items() if value}


def dumps(model: LinkageModel) -> str:
    return json.dumps({
        "format": FORMAT, "version": model.version, "trained_by": model.trained_by, "trained_on": model.trained_on,
        "trained_at": model.trained_at, "link_at": model.link_at, "review_from": model.review_from,
        "levels": {comparison: {name: {"m": level.m, "u": level.u} for name, level in levels.items()} for comparison, levels in model.levels.items()},
        "term_frequencies": model.term_frequencies,
    }, indent=1, sort_keys=True)


def loads(text: str) -> LinkageModel:
    data = json.loads(text)
    if data.get("format") != FORMAT:
        raise ValueError(f"not a linkage model ({FORMAT})")
    levels = {comparison: {**NO_EVIDENCE.get(comparison, {}), **{name: Level(**level) for name, level in named.items()}}
              for comparison, named in data["levels"].items()}
    missing = {comparison: sorted(set(names) - set(levels.get(comparison, {}))) for comparison, names in LEVELS.items()}
    if any(missing.values()):
        raise ValueError(f"the model has no weight for {', '.join(f'{c}: {n}' for c, n in missing.items() if n)}")
    return LinkageModel(version=data["version"], levels=levels, link_at=data["link_at"], review_from=data["review_from"],
                        term_frequencies=data.get("term_frequencies") or {}, trained_by=data.get("trained_by"),
                        trained_on=data.get("trained_on") or 0, trained_at=data.get("trained_at"))


# The levels of each comparison, most alike first, as matching names them; m set for English children's feeds (how often data
# entry and life make a true match agree so), u from how common a name, a birthday or a postcode is.
DEFAULT = LinkageModel(
    version="hand-set-3",
    levels={
        "family_name": {"exact": Level(0.82, 0.004), "part": Level(0.03, 0.0004), "former": Level(0.03, 0.0004),
                        "similar": Level(0.07, 0.002), "different": Level(0.05, 0.99)},
        "given_name": {"exact": Level(0.80, 0.01), "variant": Level(0.08, 0.003), "similar": Level(0.06, 0.003),
                       "other": Level(0.04, 0.015), "different": Level(0.02, 0.98)},
        "middle_names": {"same": Level(0.85, 0.02), "not_both_given": Level(1.0, 1.0), "different": Level(0.15, 0.98)},
        # Names compared crosswise when given and family names were swapped: a small charge for the crossing itself.
        "names_swapped": {"no": Level(1.0, 1.0), "yes": Level(0.25, 1.0)},
        "date_of_birth": {"exact": Level(0.93, 0.00016), "transposed": Level(0.02, 0.0003), "one_digit": Level(0.04, 0.005),
                          "different": Level(0.01, 0.995)},
        "gender": {"same": Level(0.98, 0.5), "unknown": Level(0.01, 0.01), "different": Level(0.01, 0.49)},
        # One source without the postcode says nothing of where the child lives.
        "postcode": {"unknown": Level(1.0, 1.0), "exact": Level(0.85, 0.0002), "district": Level(0.06, 0.01), "different": Level(0.09, 0.99)},
    },
    link_at=17.0,
    review_from=11.0,
)
LEVELS = {comparison: tuple(levels) for comparison, levels in DEFAULT.levels.items()}
# The levels that weigh nothing, which a model file written before such a level was known does without.
NO_EVIDENCE = {comparison: {name: level for name, level in levels.items() if level.m == level.u}
               for comparison, levels in DEFAULT.levels.items()}
