// The audit trail for auditors: every event, filtered by who, which child, which LA, what and when.
import { $, api, dateFrom, element, formValues, notify, onPress, onSubmit, optionText, sentence, showErrors, table, tag, view, words } from "./core.js";

view("audit", { roles: ["auditor"], title: "Audit trail", nav: "Audit trail" });

// Every audit action by its code, in the words the filter offers it in and each event is named by.
const ACTIONS = {
  search: "Search",
  read: "Record read",
  login_succeeded: "Signed in",
  login_refused: "Sign-in refused",
  logout: "Signed out",
  password_changed: "Password changed",
  account_created: "Account created",
  account_suspended: "Account suspended",
  account_unlocked: "Account unlocked",
  account_locked: "Account locked",
  totp_reset: "Second factor reset",
  vetting_recorded: "Vetting recorded",
  request: "Disclosure requested",
  approve: "Disclosure approved",
  refuse: "Disclosure refused",
  disclose: "Disclosed record read",
  list: "Disclosure requests listed",
  bulk_export: "Bulk disclosure",
  review_linked: "Match linked",
  review_separated: "Match kept apart",
  record_split: "Source record split off",
  source_added: "Source added",
  source_disabled: "Source disabled",
  children_exported: "Directory exported",
  children_republished: "Directory republished",
  archive: "Records archived",
  delete_archived: "Archived records deleted",
  list_events: "Audit trail searched",
  export_trail: "Audit trail exported",
  alert_investigated: "Alert investigated",
  verify: "Audit store verified",
  team_subscribed: "Security team subscribed",
  request_refused: "Request refused",
};

$("audit-action").append(...Object.entries(ACTIONS).map(([value, text]) => element("option", { value, text })));

export function dateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });
}

// The start of a day where the auditor is, as the instant the API expects; "" stays "".
function startOf(isoDate) {
  return isoDate ? new Date(`${isoDate}T00:00:00`).toISOString() : "";
}

function dayAfter(isoDate) {
  const next = new Date(`${isoDate}T00:00:00`);
  next.setDate(next.getDate() + 1);
  return next.toISOString();
}

function criteriaText(criteria) {
  return Object.entries(criteria || {}).map(([name, value]) => `${name.replace(/_/g, " ")}: ${value}`).join("; ");
}

onSubmit($("audit-form"), async (values) => {
  const since = dateFrom(values, "since", "From"), until = dateFrom(values, "until", "To");
  const problems = [
    ...(since.problem ? [{ field: "audit-since", message: since.problem }] : []),
    ...(until.problem ? [{ field: "audit-until", message: until.problem }] : []),
  ];
  if (!problems.length && since.value && until.value && since.value > until.value) {
    problems.push({ field: "audit-until", message: "‘To’ must be the same day as ‘From’ or after it" });
  }
  if (problems.length) return showErrors(problems);
  const filters = {
    actor: values.actor, contactpoint_id: values.contactpoint_id, la: values.la, action: values.action,
    since: startOf(since.value), until: until.value ? dayAfter(until.value) : "",
  };
  await showEvents(filters);
});

// A listing read newest first, as a security team reads, a page at a time: each further page goes back from before the
// oldest row shown (``before_<key>``). ``draw(rows, more)`` shows every row read so far; ``more`` is null at the oldest.
// Asked for again while a page is on its way, the newer listing is the one shown: the older one's page is dropped.
function newestFirst(path, rowsName, key, draw) {
  let latest = null;
  return async (filters) => {
    const listing = { filters: { ...filters, order: "newest" }, rows: [], next: null };
    latest = listing;
    async function more() {
      const query = listing.next ? { ...listing.filters, [`before_${key}`]: listing.next } : listing.filters;
      const answer = await api("GET", path, { query });
      if (listing !== latest) return;
      listing.rows.push(...answer[rowsName]);
      listing.next = answer[`next_before_${key}`];
      draw(listing.rows, listing.next ? more : null);
    }
    await more();
  };
}

const showEvents = newestFirst("/audit/events", "events", "seq", drawEvents);

// What happened, in the action list's words, and to whom or what: "Account created: sam.patel".
function what(event) {
  const action = ACTIONS[event.action] || words(event.action);
  return event.subject ? `${action}: ${event.subject}` : action;
}

function identifiers(ids) {
  return element("span", {}, ...(ids || []).map((id) => element("code", { class: "cp-id", text: id })));
}

function drawEvents(events, more) {
  const parts = [element("p", { class: "govuk-body", role: "status", text: events.length === 1 ? "1 event" : `${events.length} events${more ? " so far" : ""}` })];
  if (events.length) {
    parts.push(table("Events, newest first", ["When", "Who", "LA", "What", "Outcome", "Purpose", "Criteria", "Children"], events.map((e) => [
      element("span", { class: "cp-when", text: dateTime(e.occurred_at) }), e.actor ? e.actor.username : "ContactPoint", e.la_code, what(e),
      words(e.outcome), words(e.purpose) || "", criteriaText(e.criteria), identifiers(e.contactpoint_ids),
    ])));
  }
  if (more) parts.push(element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Show older events", onclick: onPress(more) }));
  $("events").replaceChildren(...parts);
}

// ----- alerts raised by the misuse rules, and marking one investigated -----

const ALERTS_PAGE = 100;
const showAlerts = newestFirst("/audit/alerts", "alerts", "id", drawAlerts);

view("alerts", { roles: ["auditor"], title: "Alerts", nav: "Alerts", enter: loadAlerts });

onSubmit($("alerts-form"), () => loadAlerts());

async function loadAlerts() {
  await showAlerts({ ...formValues($("alerts-form")), limit: ALERTS_PAGE });
}

// Alerts of one rule and status are one group: one rule's summary, a row for each alert, and (while open) one finding for them all.
function drawAlerts(alerts, more) {
  const groups = new Map();
  for (const alert of alerts) {
    const key = `${alert.rule} ${alert.status}`;
    groups.set(key, [...(groups.get(key) || []), alert]);
  }
  const counted = `${alerts.length === 1 ? "1 alert" : `${alerts.length} alerts`}${groups.size > 1 ? ` in ${groups.size} groups` : ""}`;
  const older = more ? element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Show older alerts", onclick: onPress(more) }) : null;
  $("alerts").replaceChildren(element("p", { class: "govuk-body", role: "status", text: counted + (more ? " so far" : "") }),
    ...[...groups.values()].map(alertGroup), ...(older ? [older] : []));
}

function alertGroup(alerts) {
  const [{ rule, status, detail }] = alerts;
  const investigated = status === "investigated";
  const titleId = `alerts-${rule}-${status}-title`;
  const rows = alerts.map((alert) => [
    element("span", { class: "cp-when", text: dateTime(alert.raised_at) }), alert.la_code, alert.actor || "unknown",
    alert.contactpoint_id ? identifiers([alert.contactpoint_id]) : "none named", happened(alert.detail), times(alert),
    ...(investigated ? [`${alert.note} (${alert.investigated_by}, ${dateTime(alert.investigated_at)})`] : []),
  ]);
  const headings = ["Raised", "LA", "Who", "Child", "What happened", "Times", ...(investigated ? ["Finding"] : [])];
  const noteId = `alerts-${rule}-note`;
  const form = investigated ? null : element("form", { class: "cp-inline-form", novalidate: true },
    element("div", { class: "govuk-form-group" },
      element("label", { class: "govuk-label", for: noteId, text: alerts.length === 1 ? "What did you find?" : `What did you find? Your finding is kept with each of these ${alerts.length} alerts.` }),
      element("textarea", { class: "govuk-textarea", id: noteId, name: "note", rows: "3" })),
    element("button", { type: "submit", class: "govuk-button", text: "Mark as investigated" }));
  if (form) onSubmit(form, (values) => investigate(alerts, noteId, values.note));
  return element("section", { class: "govuk-summary-card", "aria-labelledby": titleId },
    element("div", { class: "govuk-summary-card__title-wrapper" },
      element("h2", { class: "govuk-summary-card__title", id: titleId, text: `${optionText("alerts-rule", rule)}: ${alerts.length === 1 ? "1 alert" : `${alerts.length} alerts`}` }),
      tag(investigated ? "Investigated" : "Open", investigated ? "green" : "red")),
    element("div", { class: "govuk-summary-card__content" },
      detail?.summary ? element("p", { class: "govuk-body cp-rule-summary", text: sentence(detail.summary) }) : null,
      table("The alerts", headings, rows), form));
}

// An alert's facts beside its rule's summary: how many events within how long, for a rule that counts.
function happened(detail) {
  const { summary, count, window_seconds: window, last_event_id: lastEvent, last_seq: lastSeq, ...rest } = detail || {};
  const counted = count ? [`${count} events within ${window >= 3600 ? `${window / 3600} hour${window === 3600 ? "" : "s"}` : `${window} seconds`}`] : [];
  return [...counted, criteriaText(rest)].filter(Boolean).join("; ");
}

// Repeats of the rule for the same person within the hour are one alert: how many, and when the last was.
function times(alert) {
  return alert.count > 1 ? `${alert.count} times, the last ${dateTime(alert.last_seen_at)}` : "Once";
}

async function investigate(alerts, noteId, note) {
  if (!note) return showErrors([{ field: noteId, message: "Enter what you found" }]);
  for (const alert of alerts) await api("POST", `/audit/alerts/${alert.alert_id}/investigation`, { body: { note } });
  await loadAlerts();
  notify(alerts.length === 1 ? `Alert ${alerts[0].alert_id} marked as investigated.` : `${alerts.length} alerts marked as investigated.`);
}
