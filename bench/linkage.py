"""Linkage: ContactPoint's matcher beside Splink, both with the weights Splink estimates from the same generated records.

The population is the tests' (two sources, every kind of feed error, twins, triplets and
look-alikes). Splink is trained once on all the records (``u`` by random sampling, ``m`` by
expectation–maximisation); ContactPoint's matcher scores with that model, one record after
another as the feeds service does, while Splink scores every pair its blocking rules (the
matcher's) bring at once and clusters those at or above its threshold. A Splink pair between its
two thresholds is counted as sent to review. Size with CP_BENCH_LINKAGE_CHILDREN (default 60,000,
about 107,000 records); needs no server.
"""
from __future__ import annotations

import itertools
import logging
import os
import time

from bench.report import Report
from services.feeds import matching, training
from shared.settings import Settings
from tests.linkage_population import Linkage, accepted_records, link, pairs_of, population

# Splink's thresholds, as probabilities that a pair is one child.
SPLINK_LINK_AT = 0.99
SPLINK_REVIEW_FROM = 0.5


def run(settings: Settings, report: Report) -> None:
    # Splink's advice on its own settings (null levels, a larger sample for u) is for its users, not this bench's reader.
    logging.getLogger("splink").setLevel(logging.ERROR)
    children = int(os.environ.get("CP_BENCH_LINKAGE_CHILDREN", 60_000))
    people = population(children)
    accepted = accepted_records(people)
    records = [described for _, described in accepted]
    report.note(f"{len(records):,} records of {len(people.children):,} children from two sources")
    started = time.perf_counter()
    linker = training.trained_linker(records)
    model = training.model_of(linker, records, trained_by="bench", version="bench")
    trained = time.perf_counter() - started
    report.note(f"Splink (DuckDB) trained on them in {trained:.1f} s")
    ours = link(people, model)
    theirs = splink_linkage(linker, [sent.person_id for sent, _ in accepted], people.births, records)
    report.note(f"{'':<22}{'precision':>10}{'recall':>9}{'F1':>9}{'review':>9}{'blocking loss':>15}{'twins':>7}{'seconds':>9}")
    for name, linked in (("ContactPoint matcher", ours), ("Splink", theirs)):
        report.note(f"{name:<22}{linked.precision:>10.4f}{linked.recall:>9.4f}{linked.f1:>9.4f}{linked.review_rate:>9.2%}"
                    f"{linked.blocking_loss:>15.2%}{linked.twins_merged:>7}{linked.seconds:>9.1f}")
    report.note(f"ContactPoint matcher: {ours.summary()}")


def splink_linkage(linker, person_of: list[int], births: list[tuple[int, ...]], records: list[matching.Described]) -> Linkage:
    """How Splink links the records it was trained on: every blocked pair scored, then clustered at its threshold."""
    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=SPLINK_REVIEW_FROM)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=SPLINK_LINK_AT)
    seconds = time.perf_counter() - started
    cluster_of = dict(zip(*clusters.as_pyarrow_table().select(["unique_id", "cluster_id"]).to_pydict().values()))
    scored = predictions.as_pyarrow_table().select(["unique_id_l", "unique_id_r", "match_probability"]).to_pydict()
    in_review = {record for left, right, probability in zip(*scored.values()) if probability < SPLINK_LINK_AT
                 and cluster_of[left] != cluster_of[right] for record in (left, right)}
    true_pairs, linked_pairs = pairs_of({at: (person_id, cluster_of[at]) for at, person_id in enumerate(person_of)})
    born_together = {frozenset(pair) for birth in births for pair in itertools.combinations(birth, 2)}
    return Linkage(
        records=len(person_of), refused={}, true_pairs=len(true_pairs), linked_pairs=len(linked_pairs), right_pairs=len(true_pairs & linked_pairs),
        reviews=len(in_review),
        twins_merged=len({frozenset((person_of[one], person_of[other])) for one, other in linked_pairs - true_pairs} & born_together),
        pairs_sharing_no_key=sum(not _splink_keys(records[one]) & _splink_keys(records[other]) for one, other in true_pairs),
        missed_by_error={}, seconds=seconds,
    )


def _splink_keys(record: matching.Described) -> set[tuple]:
    """The keys Splink's blocking rules (the matcher's, on the columns as sent, without its other readings) bring a pair by."""
    columns = matching.blocking_keys(record)
    return {key for kind, rule in matching.BLOCKING_RULES.items() if set(rule.columns) <= set(training.BLOCKED_COLUMNS)
            and None not in (key := (kind, *(columns[column] for column in rule.columns))) and "" not in key}
