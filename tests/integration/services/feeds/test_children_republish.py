"""Republishing the children held, on the real servers: page after page, every child not joined into another is sent again
one version newer, each exactly once, and the directory and the disclosure service take the new version; each page is
audited. `feeds republish` does the same from the command line."""
import json
import subprocess
import sys
from itertools import pairwise

import pytest
from sqlalchemy import select

from contactpoint.commands.common import operator
from services.audit.models import AuditRecord
from services.directory.models import Child
from services.disclosure.bootstrap import bootstrap as disclosure_service
from services.disclosure.models import DeIdentifiedChild
from services.disclosure.pseudonyms import Pseudonymiser
from shared.errors import Forbidden
from services.feeds.models import LinkedChild, ReviewTask
from shared.contracts.requests import LINK_REVIEW, REPUBLISH_CHILDREN
from tests.integration.services.builders import a_feed_message, an_unsure_pair
from tests.support import environment_for, every_page, running, wait_until

pytestmark = pytest.mark.integration


def sent(partner, message: dict) -> str:
    """Publishes as the partner; the contactpoint_id the feeds service linked the record to."""
    told = partner.feedback_about(partner.publish(message))
    assert told["outcome"] == "accepted", told
    return told["contactpoint_id"]


def versions(services) -> dict[str, int]:
    """Each child the feeds service holds, not joined into another, with its version."""
    with services["feeds"].db.sessions() as session:
        return dict(session.execute(select(LinkedChild.contactpoint_id, LinkedChild.version).where(LinkedChild.merged_into.is_(None))).all())


def version_of(services, contactpoint_id: str) -> int:
    with services["feeds"].db.sessions() as session:
        return session.get(LinkedChild, contactpoint_id).version


def directory_versions(services, contactpoint_ids) -> dict[str, int]:
    with services["directory"].db.sessions() as session:
        return dict(session.execute(select(Child.contactpoint_id, Child.version).where(Child.contactpoint_id.in_(contactpoint_ids))).all())


def disclosure_versions(disclosure, contactpoint_ids) -> dict[str, int]:
    """The versions the disclosure service holds of these children (under their pseudonym bases)."""
    bases = {Pseudonymiser(disclosure.settings.pseudonym_key).base(cp_id): cp_id for cp_id in contactpoint_ids}
    with disclosure.db.sessions() as session:
        held = session.execute(select(DeIdentifiedChild.pseudonym_base, DeIdentifiedChild.version).where(DeIdentifiedChild.pseudonym_base.in_(bases)))
        return {bases[base]: version for base, version in held}


@pytest.fixture
def disclosure(migrated, services):
    service = disclosure_service(migrated)
    with running(service):
        yield service


def republished_pages(services, limit: int) -> list[dict]:
    return every_page(services["feeds"], REPUBLISH_CHILDREN, limit, operator())


@pytest.fixture
def held(services, source) -> dict:
    """Two children the directory holds, and one child joined into another."""
    children = [sent(source, a_feed_message()) for _ in range(2)]
    _, joined = (sent(source, message) for message in an_unsure_pair())
    with services["feeds"].db.sessions() as session:
        task = session.scalars(select(ReviewTask).where(ReviewTask.contactpoint_id == joined, ReviewTask.status == "open")).one()
    services["feeds"].perform(LINK_REVIEW, {"task_id": task.task_id, "actor": operator()})
    expected = {cp_id: version_of(services, cp_id) for cp_id in children}
    wait_until(lambda: directory_versions(services, children) == expected, what="the directory to hold both children")
    return {"children": children, "joined": joined}


def test_each_child_is_sent_again_one_version_newer_and_the_directory_takes_it(services, held):
    before = {cp_id: version_of(services, cp_id) for cp_id in held["children"]}
    joined_before = version_of(services, held["joined"])

    republished_pages(services, limit=1000)

    after = {cp_id: version_of(services, cp_id) for cp_id in held["children"]}
    assert after == {cp_id: version + 1 for cp_id, version in before.items()}
    assert version_of(services, held["joined"]) == joined_before
    wait_until(lambda: directory_versions(services, held["children"]) == after, what="the directory to take the new versions")


def test_the_disclosure_service_takes_the_new_versions_too(services, disclosure, held):
    before = {cp_id: version_of(services, cp_id) for cp_id in held["children"]}
    wait_until(lambda: disclosure_versions(disclosure, held["children"]) == before, timeout=60, what="the disclosure service to hold both children")

    republished_pages(services, limit=1000)

    after = {cp_id: version + 1 for cp_id, version in before.items()}
    wait_until(lambda: disclosure_versions(disclosure, held["children"]) == after, timeout=60, what="the disclosure service to take the new versions")


def test_paging_with_a_small_limit_sends_every_child_once_and_audits_each_page(services, held):
    before = versions(services)

    pages = republished_pages(services, limit=2)

    assert len(pages) > 1 and sum(page["republished"] for page in pages) == len(before)
    assert versions(services) == {cp_id: version + 1 for cp_id, version in before.items()}
    assert held["joined"] not in before

    def audited():
        with services["audit"].db.sessions() as session:
            events = [r.event for r in session.scalars(select(AuditRecord).where(AuditRecord.action == "children_republished"))]
        return {(e["detail"]["after"], e["detail"]["children"]) for e in events}

    # The first page's cursor is none, as every first page's is: the later pages' cursors are this republish's own.
    later = {(previous["next_after"], page["republished"]) for previous, page in pairwise(pages)}
    wait_until(lambda: later <= audited(), what="every page's audit event")


def test_no_one_but_an_operator_republishes(services):
    practitioner = {"username": "pat", "la_code": "E08000035", "role": "practitioner", "category": "social_worker"}

    with pytest.raises(Forbidden):
        services["feeds"].perform(REPUBLISH_CHILDREN, {"actor": practitioner})


def test_feeds_republish_says_how_many_children_it_sent(migrated, services, held):
    before = versions(services)

    finished = subprocess.run([sys.executable, "-m", "contactpoint", "feeds", "republish", "--json"],
                              env=environment_for(migrated), capture_output=True, text=True, timeout=120, check=False)

    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout) == {"republished": len(before)}
    assert versions(services) == {cp_id: version + 1 for cp_id, version in before.items()}
