"""How well the model in force links, estimated from the pairs people decided in review.

Each pair a person linked or separated is labelled (`models.LabelledPair`); the model in force
scores every labelled pair again and says link or not, as matching would. Against the labels,
precision is the share of pairs it links that are one child, recall the share of pairs of one
child it links; each with its 95% Wilson score interval, which stays honest for the few dozen
labels a directory has at first. The pairs people are asked about are the unsure ones, so these
are the model's figures where it is least sure, not over every record it matches.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from services.feeds import matching
from services.feeds.linkage_model import LinkageModel

# The normal quantile of a 95% interval.
Z_95 = 1.959964


@dataclass(frozen=True)
class Estimate:
    """A share of ``of`` found ``hits``, with its 95% interval; no figure when nothing was counted."""

    hits: int
    of: int

    @property
    def value(self) -> float | None:
        return self.hits / self.of if self.of else None

    @property
    def interval(self) -> tuple[float, float] | None:
        if not self.of:
            return None
        share, n = self.hits / self.of, self.of
        centre = (share + Z_95 ** 2 / (2 * n)) / (1 + Z_95 ** 2 / n)
        half = Z_95 * math.sqrt(share * (1 - share) / n + Z_95 ** 2 / (4 * n ** 2)) / (1 + Z_95 ** 2 / n)
        return max(0.0, centre - half), min(1.0, centre + half)

    def shown(self) -> dict:
        interval = self.interval
        return {"estimate": None if self.value is None else round(self.value, 4), "hits": self.hits, "of": self.of,
                "interval_95": None if interval is None else [round(interval[0], 4), round(interval[1], 4)]}


def would_link(record: matching.Described, candidate: matching.Described, model: LinkageModel) -> bool:
    """Whether matching, with ``model``, would join the two: no conflicting identifier, not twins, and weight enough."""
    if matching.conflicting_identifiers(record, candidate) or matching.are_twins(record, candidate):
        return False
    return matching.match_weight(record, candidate, model) >= model.link_at


def estimate(labelled: list[tuple[dict, dict, bool]], model: LinkageModel) -> dict:
    """Precision and recall of ``model`` over pairs of children's demographics, each labelled one child or not."""
    linked = same_and_linked = same = 0
    for record, candidate, same_child in labelled:
        links = would_link(matching.Described.of(record), matching.Described.of(candidate), model)
        linked += links
        same += same_child
        same_and_linked += links and same_child
    return {"model_version": model.version, "labelled_pairs": len(labelled), "same_child": same,
            "precision": Estimate(same_and_linked, linked).shown(), "recall": Estimate(same_and_linked, same).shown()}
