// The audit trail for auditors: every event, filtered by who, which child, which LA, what and when.
import { $, api, element, formValues, notify, onPress, onSubmit, showErrors, summaryList, table, tag, view } from "./core.js";

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

onSubmit($("audit-form"), async (values) => {
  const filters = { ...values, since: instant(values.since), until: instant(values.until) };
  if (filters.since && filters.until && filters.since >= filters.until) {
    return showErrors([{ field: "audit-until", message: "‘To’ must be after ‘From’" }]);
  }
  shown = { filters, events: [], next: null };
  await more();
});

async function more() {
  const query = shown.next ? { ...shown.filters, after_seq: shown.next } : shown.filters;
  const { events, next_after_seq: next } = await api("GET", "/audit/events", { query });
  shown.events.push(...events);
  shown.next = next;
  draw();
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
  if (next) parts.push(element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Show more events", onclick: onPress(more) }));
  $("events").replaceChildren(...parts);
}

// ----- alerts raised by the misuse rules, and marking one investigated -----

view("alerts", { roles: ["auditor"], title: "Alerts", nav: "Alerts", enter: loadAlerts });

onSubmit($("alerts-form"), () => loadAlerts());

async function loadAlerts() {
  const { alerts } = await api("GET", "/audit/alerts", { query: formValues($("alerts-form")) });
  drawAlerts(alerts);
}

function drawAlerts(alerts) {
  const parts = [element("p", { class: "govuk-body", role: "status", text: alerts.length === 1 ? "1 alert" : `${alerts.length} alerts` })];
  for (const alert of alerts) {
    const rows = [
      ["Raised", dateTime(alert.raised_at)], ["Local authority", alert.la_code], ["Who", alert.actor || "unknown"],
      ["Child", alert.contactpoint_id || "none named"], ["What happened", criteriaText(alert.detail)],
    ];
    if (alert.status === "investigated") {
      rows.push(["Investigated by", alert.investigated_by], ["Investigated", dateTime(alert.investigated_at)], ["Finding", alert.note]);
    }
    const noteId = `alert-${alert.alert_id}-note`;
    const form = alert.status === "investigated" ? null : element("form", { class: "cp-inline-form", novalidate: true },
      element("div", { class: "govuk-form-group" },
        element("label", { class: "govuk-label", for: noteId, text: "What did you find?" }),
        element("textarea", { class: "govuk-textarea", id: noteId, name: "note", rows: "3" })),
      element("button", { type: "submit", class: "govuk-button", text: "Mark as investigated" }));
    if (form) onSubmit(form, (values) => investigate(alert, noteId, values.note));
    parts.push(element("div", { class: "govuk-summary-card" },
      element("div", { class: "govuk-summary-card__title-wrapper" },
        element("h3", { class: "govuk-summary-card__title", text: `Alert ${alert.alert_id}: ${alert.rule.replace(/_/g, " ")}` }),
        tag(alert.status === "investigated" ? "Investigated" : "Open", alert.status === "investigated" ? "green" : "red")),
      element("div", { class: "govuk-summary-card__content" }, summaryList(rows), form)));
  }
  $("alerts").replaceChildren(...parts);
}

async function investigate(alert, noteId, note) {
  if (!note) return showErrors([{ field: noteId, message: "Enter what you found" }]);
  await api("POST", `/audit/alerts/${alert.alert_id}/investigation`, { body: { note } });
  await loadAlerts();
  notify(`Alert ${alert.alert_id} marked as investigated.`);
}
