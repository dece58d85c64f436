"""An LA's ContactPoint team in Chromium: the match review queue, with two sources' records of what may be one child
side by side, linked after a confirmation until the queue is empty; and the LA's sources, added and disabled."""
from __future__ import annotations

import json
import random

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import add_account
from tests.e2e.browser.test_portal_page_lookup import sign_in
from tests.integration.services.builders import an_unsure_pair
from tests.support import unique, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_la() -> str:
    """An LA no other test uses, so its queue holds this test's task alone."""
    return f"E{random.randrange(10**8):08d}"


def open_tasks_of(system, *source_ids: str) -> list[dict]:
    """The open review tasks about these sources' records, as an operator lists them (the la_admin's one-time code stays unused)."""
    def about(side: dict) -> bool:
        return any(source_id in source_ids for source_id, _ in side["source_records"])

    return [task for task in system.cli("review", "list", "--json").json() if about(task["record"]) or about(task["candidate"])]


def publish(system, tmp_path, source_id: str, password: str, message: dict) -> None:
    feed = tmp_path / f"{source_id}.jsonl"
    feed.write_text(json.dumps(message) + "\n")
    published = system.cli("feeds", "publish", "--source", source_id, str(feed), CP_SOURCE_PASSWORD=password)
    assert published.returncode == 0, published.stderr


def test_an_la_admin_links_an_unsure_match_and_the_queue_empties(page: Page, shoot, system, tmp_path, own_la):
    first, second = an_unsure_pair(first_service="school", second_service="health")
    source_ids = []
    for kind, message in (("school", first), ("health", second)):
        source_ids.append(unique(f"browser-{kind}"))
        source = system.cli("sources", "add", source_ids[-1], "--name", f"A {kind} system", "--la", own_la, "--kinds", kind, "--json").json()
        publish(system, tmp_path, source_ids[-1], source["amqp_password"], message)
    admin = add_account(system, "la_admin", "la_contactpoint_team", la=own_la)
    [task] = wait_until(lambda: open_tasks_of(system, *source_ids), timeout=30, what="the unsure match to reach the queue")

    page.goto("/")
    sign_in(page, admin)
    page.get_by_role("link", name="Match reviews").click()
    expect(page.get_by_role("heading", name="Match reviews", level=1)).to_be_visible()
    card = page.get_by_role("region", name=f"Task {task['task_id']}: are these one child?")
    newly, held = card.locator(".cp-candidate").nth(0), card.locator(".cp-candidate").nth(1)
    expect(newly).to_contain_text(" ".join(second["child"]["given_names"]))
    expect(newly).to_contain_text("YO1 7HH")
    expect(held).to_contain_text(" ".join(first["child"]["given_names"]))
    expect(held).to_contain_text("LS1 4AP")
    for side, message in ((newly, second), (held, first)):
        expect(side).to_contain_text(message["child"]["family_name"])
    differing = card.locator(".govuk-summary-list__row.cp-differs .govuk-summary-list__key")
    expect(differing.first).to_be_visible()
    assert set(differing.all_inner_texts()) == {"Date of birth", "Address", "Postcode"}
    shoot("review-queue")

    card.get_by_role("button", name=f"Link task {task['task_id']}").click()
    confirm = card.get_by_role("group", name="Yes, link them")
    expect(confirm).to_be_focused()
    expect(confirm).to_contain_text("ContactPoint will never part them")
    shoot("link-confirmation")
    confirm.get_by_role("button", name="Yes, link them").click()

    expect(page.get_by_role("status").filter(has_text=f"Task {task['task_id']}: linked")).to_be_visible()
    expect(page.get_by_text("There are no matches to review.")).to_be_visible()
    expect(card).to_have_count(0)
    shoot("queue-empty")
    assert open_tasks_of(system, *source_ids) == []


def test_keeping_apart_can_be_cancelled_before_it_is_decided(page: Page, shoot, system, tmp_path, own_la):
    first, second = an_unsure_pair()
    source_id = unique("browser-school")
    source = system.cli("sources", "add", source_id, "--name", "A school system", "--la", own_la, "--kinds", "school", "--json").json()
    publish(system, tmp_path, source_id, source["amqp_password"], first)
    publish(system, tmp_path, source_id, source["amqp_password"], second)
    admin = add_account(system, "la_admin", "la_contactpoint_team", la=own_la)
    [task] = wait_until(lambda: open_tasks_of(system, source_id), timeout=30, what="the unsure match to reach the queue")

    page.goto("/")
    sign_in(page, admin)
    page.get_by_role("link", name="Match reviews").click()
    card = page.get_by_role("region", name=f"Task {task['task_id']}: are these one child?")
    card.get_by_role("button", name=f"Keep apart task {task['task_id']}").click()
    card.get_by_role("button", name="Cancel").click()
    expect(card.get_by_role("button", name=f"Keep apart task {task['task_id']}")).to_be_focused()

    card.get_by_role("button", name=f"Keep apart task {task['task_id']}").click()
    card.get_by_role("button", name="Yes, keep them apart").click()
    expect(page.get_by_role("status").filter(has_text=f"Task {task['task_id']}: kept apart")).to_be_visible()
    expect(page.get_by_text("There are no matches to review.")).to_be_visible()
    shoot("kept-apart")


def test_an_la_admin_adds_a_source_sees_its_password_once_and_disables_it(page: Page, shoot, system, own_la):
    admin = add_account(system, "la_admin", "la_contactpoint_team", la=own_la)
    source_id = unique("portal-yot")
    page.goto("/")
    sign_in(page, admin)
    page.get_by_role("link", name="Sources").click()
    form = page.locator("#add-source-form")

    form.get_by_role("button", name="Add source").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link", name="Enter a source ID")).to_be_visible()
    expect(summary.get_by_role("link", name="Select what the source sends")).to_be_visible()
    shoot("source-errors")

    form.get_by_label("Source ID").fill(source_id)
    form.get_by_label("Name").fill("Leeds Youth Offending Team")
    form.get_by_label("Youth offending").check()
    form.get_by_role("button", name="Add source").click()
    expect(page.get_by_role("heading", name=f"Source {source_id} added")).to_be_visible()
    expect(summary).to_be_hidden()
    expect(page.locator("#source-credentials")).to_contain_text("Broker password")
    row = page.get_by_role("row").filter(has_text=source_id)
    expect(row).to_contain_text("Enabled")
    expect(row).to_contain_text("Youth offending")
    shoot("source-added")

    row.get_by_role("button", name=f"Disable {source_id}").click()
    expect(row).to_contain_text("its broker user is revoked at once")
    row.get_by_role("button", name=f"Yes, disable {source_id}").click()
    expect(row).to_contain_text("Disabled")
    expect(page.get_by_text(f"Disabled {source_id}.")).to_be_visible()
    shoot("source-disabled")
