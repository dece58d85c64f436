"""`contactpoint review`: the LA ContactPoint team's queue of unsure matches, and undoing a wrong link."""
from __future__ import annotations

import click

from contactpoint.commands.common import Commands, operator, service, show
from shared.contracts.requests import LINK_REVIEW, SEPARATE_REVIEW


@click.group(cls=Commands)
def review():
    """The match review queue of the LA ContactPoint team."""


@review.command("list")
@click.option("--json", "as_json", is_flag=True)
def review_list(as_json):
    """Open review tasks, each with both children side by side."""
    from shared.contracts.requests import LIST_REVIEWS

    tasks = service("feeds").perform(LIST_REVIEWS, {"actor": operator()})
    show(tasks, as_json, lambda rows: [line for task in rows for line in _side_by_side(task)] or ["no open review tasks"])


def _decision(name: str, request: str, said: str, help: str) -> click.Command:
    """``review link`` and ``review separate``: a person's decision on a task, put to the feeds service as the operator."""

    @review.command(name, help=help)
    @click.argument("task_id", type=int)
    @click.option("--json", "as_json", is_flag=True)
    def decide(task_id, as_json):
        done = service("feeds").perform(request, {"task_id": task_id, "actor": operator()})
        show(done, as_json, lambda r: [f"task {r['task_id']}: " + said.format(**r)])

    return decide


review_link = _decision("link", LINK_REVIEW, "linked into {contactpoint_id}", "The two are one child: join them, for good.")
review_separate = _decision("separate", SEPARATE_REVIEW, "{contactpoint_id} kept apart", "The two are different children: keep them apart, for good.")


@review.command("split")
@click.argument("source_id")
@click.argument("source_record_id")
@click.option("--json", "as_json", is_flag=True)
def review_split(source_id, source_record_id, as_json):
    """Take a wrongly linked record out of its child, a person's correction (ContactPoint never does it by itself).

    The source's record becomes a child of its own, and the child it left is rebuilt from its other records.
    """
    from shared.contracts.requests import SPLIT_RECORD

    done = service("feeds").perform(SPLIT_RECORD, {"source_id": source_id, "source_record_id": source_record_id, "actor": operator()})
    show(done, as_json, lambda r: [f"{source_id} {source_record_id}: moved from {r['from']} to {r['contactpoint_id']}"])


FIELDS = ("family_name", "given_names", "former_family_names", "date_of_birth", "gender", "postcode", "identifiers", "source_records")


def _side_by_side(task: dict) -> list[str]:
    def value(side: dict, name: str) -> str:
        if name == "source_records":
            return ", ".join(f"{s}/{r}" for s, r in side["source_records"])
        if name == "postcode":
            return side["demographics"]["address"].get("postcode") or "-"
        found = side["demographics"].get(name)
        if isinstance(found, dict):
            return ", ".join(f"{k}={v}" for k, v in found.items()) or "-"
        return " ".join(found) if isinstance(found, list) else str(found or "-")

    lines = [f"task {task['task_id']}  (match weight {task['weight']})",
             f"  {'':<20} {task['record']['contactpoint_id']:<36} {task['candidate']['contactpoint_id']}"]
    lines += [f"  {name:<20} {value(task['record'], name):<36} {value(task['candidate'], name)}" for name in FIELDS]
    return lines
