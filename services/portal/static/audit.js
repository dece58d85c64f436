// The audit trail for auditors: every event, filtered by who, which child, which LA, what and when.
import { $, api, element, formValues, showErrors, showRefusal, table, view } from "./core.js";

let shown = { filters: null, events: [], next: null };

view("audit", { roles: ["auditor"], title: "Audit trail", nav: "Audit trail" });

export function dateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });
}

// A local date and time from the form, as the instant the API expects; "" stays "".
function instant(value) {
  return value ? new Date(value).toISOString() : "";
}

function criteriaText(criteria) {
  return Object.entries(criteria || {}).map(([name, value]) => `${name.replace(/_/g, " ")}: ${value}`).join("; ");
}

$("audit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const values = formValues(event.target);
  const filters = { ...values, since: instant(values.since), until: instant(values.until) };
  if (filters.since && filters.until && filters.since >= filters.until) {
    return showErrors([{ field: "audit-until", message: "‘To’ must be after ‘From’" }]);
  }
  shown = { filters, events: [], next: null };
  await more();
});

async function more() {
  try {
    const query = shown.next ? { ...shown.filters, after_seq: shown.next } : shown.filters;
    const { events, next_after_seq: next } = await api("GET", "/audit/events", { query });
    shown.events.push(...events);
    shown.next = next;
    draw();
  } catch (error) {
    showRefusal(error);
  }
}

function draw() {
  const { events, next } = shown;
  const parts = [element("p", { class: "govuk-body", role: "status", text: events.length === 1 ? "1 event" : `${events.length} events${next ? " so far" : ""}` })];
  if (events.length) {
    parts.push(table("Events, oldest first", ["When", "Who", "LA", "Action", "Outcome", "Purpose", "Criteria", "Children"], events.map((e) => [
      dateTime(e.occurred_at), e.actor ? e.actor.username : "system", e.la_code, e.action, e.outcome,
      e.purpose || "", criteriaText(e.criteria), (e.contactpoint_ids || []).join(", "),
    ])));
  }
  if (next) parts.push(element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Show more events", onclick: more }));
  $("events").replaceChildren(...parts);
}
