"""Estimating the linkage model from the records held, with Splink on DuckDB: ``u`` by random sampling of pairs, ``m`` by
expectation–maximisation, and how common each name and postcode is.

Splink scores the same comparisons, at the same levels, as `services.feeds.matching` does, written
in SQL over columns worked out here from each record's description; what it estimates for each
level becomes that level's ``m`` and ``u`` in a `LinkageModel`, which the streaming matcher then
scores with. Only the ``names_swapped`` adjustment and the two thresholds stay as the hand-set model
gives them: the thresholds are sums of the levels' weights, with no prior, so they hold for any
population size.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from services.feeds.linkage_model import DEFAULT, Level, LinkageModel
from services.feeds.matching import BLOCKING_RULES, Described, birthday, name_sound, term_values
from services.feeds.nicknames import DIMINUTIVES

# Each comparison's levels, most alike first, as Splink's SQL finds them; the label is the matcher's name for the level.
# A level marked None is Splink's "null" level: it carries no evidence either way.
COMPARISONS: dict[str, list[tuple[str, str | None]]] = {
    "family_name": [
        ("exact", "family_l = family_r"),
        ("former", "list_contains(formers_l, family_r) OR list_contains(formers_r, family_l)"),
        ("part", "len(list_distinct(list_concat(family_parts_l, family_parts_r))) > 1 AND len(list_intersect(family_parts_l, family_parts_r)) > 0"),
        ("similar", "jaro_winkler_similarity(family_l, family_r) >= 0.9"
                    " OR (least(len(family_l), len(family_r)) >= 5 AND damerau_levenshtein(family_l, family_r) = 1)"),
        ("different", None),
    ],
    "given_name": [
        ("exact", "given_l = given_r"),
        ("variant", "starts_with(given_l, given_r) OR starts_with(given_r, given_l) OR list_contains(given_forms_l, given_r)"),
        ("similar", "given_l[1] = given_r[1] AND (jaro_winkler_similarity(given_l, given_r) >= 0.9"
                    " OR (least(len(given_l), len(given_r)) >= 4 AND damerau_levenshtein(given_l, given_r) = 1))"
                    " OR (len(given_l) > 2 AND reverse(given_l[1:2]) = given_r[1:2] AND given_l[3:] = given_r[3:])"),
        ("other", "list_contains(given_all_r, given_l) OR list_contains(given_all_l, given_r)"),
        ("different", None),
    ],
    "middle_names": [
        ("not_both_given", "len(middle_l) = 0 OR len(middle_r) = 0"),
        ("same", "len(list_intersect(middle_l, middle_r)) > 0"),
        ("different", None),
    ],
    "date_of_birth": [
        ("exact", "born_l = born_r"),
        ("transposed", "born_l = born_swapped_r"),
        ("one_digit", "hamming(born_l, born_r) = 1 OR (right(born_l, 5) = right(born_r, 5)"
                      " AND abs(CAST(left(born_l, 4) AS INTEGER) - CAST(left(born_r, 4) AS INTEGER)) = 1)"),
        ("different", None),
    ],
    "gender": [
        ("same", "gender_l = gender_r"),
        ("unknown", "gender_l = 'unknown' OR gender_r = 'unknown'"),
        ("different", None),
    ],
    "postcode": [
        ("unknown", "postcode_l IS NULL OR postcode_r IS NULL"),
        ("exact", "postcode_l = postcode_r"),
        ("district", "district_l = district_r"),
        ("different", None),
    ],
}
NULL_LEVELS = {("middle_names", "not_both_given"), ("postcode", "unknown")}
# Splink's columns for the matcher's blocking columns: its predictions are blocked as the matcher's are.
BLOCKED_COLUMNS = {"family_key": "family", "given_key": "given", "family_sound": "family_sound", "given_sound": "given_sound",
                   "date_of_birth": "born", "birth_year": "born_year", "birthday": "birthday", "postcode": "postcode"}
# Expectation–maximisation sees only pairs its blocking rule brings, and learns nothing of the rule's own columns: one
# session on names learns birth date, home and gender; one on birth date learns the names.
TRAINING_BLOCKS = (("family", "given"), ("born",))


def rows(records: list[Described]) -> list[dict]:
    """Each record as the columns Splink compares."""
    forms_of: dict[str, set[str]] = {}
    for name, forms in DIMINUTIVES.items():
        forms_of.setdefault(name, set()).update(forms)
        for form in forms:
            forms_of.setdefault(form, set()).add(name)
    return [{
        "unique_id": at, "family": record.family, "family_parts": sorted(record.family_parts), "formers": sorted(record.formers),
        "given": record.first_given, "given_all": list(record.given), "middle": list(record.given[1:]),
        "given_forms": sorted(forms_of.get(record.first_given, ())),
        "born": record.born.isoformat(), "born_year": record.born.year, "birthday": birthday(record.born),
        "born_swapped": swapped.born.isoformat() if (swapped := record.day_and_month_swapped()) else None,
        "gender": record.gender, "postcode": record.postcode or None, "district": record.postcode.split(" ")[0] or None,
        "family_sound": name_sound(record.family) or None, "given_sound": name_sound(record.first_given) or None,
    } for at, record in enumerate(records)]


def splink_settings():
    import splink.comparison_level_library as cll
    from splink import SettingsCreator, block_on
    from splink.comparison_library import CustomComparison

    def level(comparison: str, label: str, condition: str | None):
        made = cll.ElseLevel() if condition is None else cll.CustomLevel(condition, label_for_charts=label)
        return made.configure(label_for_charts=label, is_null_level=(comparison, label) in NULL_LEVELS)

    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[CustomComparison([level(name, label, condition) for label, condition in levels], output_column_name=name)
                     for name, levels in COMPARISONS.items()],
        blocking_rules_to_generate_predictions=[block_on(*(BLOCKED_COLUMNS[column] for column in rule.columns))
                                                for rule in BLOCKING_RULES.values() if set(rule.columns) <= set(BLOCKED_COLUMNS)],
        retain_intermediate_calculation_columns=False,
    )


def linker_for(records: list[Described]):
    """A Splink linker over the records, in an in-memory DuckDB."""
    import pyarrow
    from splink import DuckDBAPI, Linker

    database = DuckDBAPI()
    return Linker(database.register(pyarrow.Table.from_pylist(rows(records))), splink_settings(), log_level=None)


def train(records: list[Described], *, trained_by: str, version: str) -> LinkageModel:
    """The model Splink estimates from ``records``, with their names' and postcodes' frequencies."""
    return model_of(trained_linker(records), records, trained_by=trained_by, version=version)


# How many random pairs ``u`` is estimated from. A million (Splink's default) leaves the rarer levels' ``u`` (a name's known
# variant, a part of a double-barrelled name) to a handful of pairs; Splink advises ten million or more.
RANDOM_PAIRS = 1e7


def trained_linker(records: list[Described], random_pairs: float = RANDOM_PAIRS):
    """A Splink linker over the records whose ``u`` and ``m`` it has estimated from them."""
    from splink import block_on

    linker = linker_for(records)
    linker.training.estimate_u_using_random_sampling(max_pairs=random_pairs, seed=16)
    for columns in TRAINING_BLOCKS:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*columns))
    return linker


def model_of(linker, records: list[Described], *, trained_by: str, version: str) -> LinkageModel:
    """What the linker estimated, as the matcher's levels; a level it saw too few pairs of keeps its hand-set values."""
    trained = linker.misc.save_model_to_json()
    levels = {name: dict(named) for name, named in DEFAULT.levels.items()}
    for comparison in trained["comparisons"]:
        for found in comparison["comparison_levels"]:
            name, label = comparison["output_column_name"], found.get("label_for_charts")
            m, u = found.get("m_probability"), found.get("u_probability")
            if label in levels.get(name, {}) and not found.get("is_null_level") and m and u:
                levels[name][label] = Level(m, u)
    model = replace(DEFAULT, version=version, levels=levels, trained_by=trained_by, trained_on=len(records),
                    trained_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    return model.with_term_frequencies(term_values(records))
