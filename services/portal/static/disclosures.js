// Single-record disclosure. A practitioner asks for one child's record on a court order or for crime prevention and,
// once an approver of their LA has approved, reads it once; an approver sees the LA's requests, with whom each is
// about and why, and approves or refuses another person's.
import { $, api, element, formValues, notify, onPress, onSubmit, showErrors, summaryList, tag, view, words } from "./core.js";
import { dateTime } from "./audit.js";
import { longDate, recordView } from "./search.js";

const STATUS_COLOUR = { pending: "blue", approved: "green", refused: "red", read: "grey", expired: "grey" };
const GROUND_TEXT = { court_order: "Court order", crime_prevention: "Prevention or detection of crime" };

view("disclosures", { roles: ["approver"], title: "Disclosure requests", nav: "Disclosure requests", enter: load });
view("my-disclosures", { roles: ["practitioner"], title: "Your disclosure requests", nav: "Disclosures", enter: openOwn });

onSubmit($("disclosures-form"), () => load());

async function load() {
  const { requests } = await api("GET", "/disclosures", { query: formValues($("disclosures-form")) });
  $("disclosures").replaceChildren(...listed(requests, decision));
}

// ----- a practitioner's own requests -----

// Opened from a child's record, the request form names that child.
async function openOwn(contactpointId) {
  $("disclosed-record").replaceChildren();
  $("request-disclosure-form").reset();
  if (typeof contactpointId === "string") $("disclosure-contactpoint-id").value = contactpointId;
  await loadOwn();
}

async function loadOwn() {
  const { requests } = await api("GET", "/disclosures");
  $("my-disclosures").replaceChildren(...listed(requests, reading));
}

onSubmit($("request-disclosure-form"), async (values) => {
  const asked = await api("POST", "/disclosures", { body: { contactpoint_id: values.contactpoint_id, ground: values.ground, reference: values.reference } });
  $("request-disclosure-form").reset();
  $("disclosed-record").replaceChildren();
  await loadOwn();
  notify(`Request ${asked.reference} sent. An approver of your LA will decide; you can read the record here once it is approved.`);
}, { fieldFor: { not_found: "contactpoint_id" } });

// An approved request's record, read once: shown here, never again.
function reading(request) {
  if (request.status !== "approved") return null;
  return element("div", { class: "govuk-button-group" }, element("button", {
    type: "button", class: "govuk-button", text: "Read the record", "aria-label": `Read the record of request ${request.reference}`,
    onclick: onPress(() => read(request)),
  }));
}

async function read(request) {
  const { record } = await api("GET", `/disclosures/${encodeURIComponent(request.request_id)}/record`);
  await loadOwn();
  const opened = `You opened this record on request ${request.reference} (${GROUND_TEXT[request.ground].toLowerCase()}), approved by ${request.decided_by}. `
    + "This has been recorded, and the record cannot be opened again: note what you need now.";
  const shown = element("div", { class: "cp-disclosed" }, ...recordView(record, opened));
  $("disclosed-record").replaceChildren(shown);
  shown.querySelector("h1").focus();
}

// ----- an approver's decision -----

function decision(request) {
  if (request.status !== "pending") return null;
  const reasonId = `disclosure-${request.request_id}-reason`;
  return element("form", { class: "cp-inline-form", novalidate: true, onsubmit: (event) => event.preventDefault() },
    element("div", { class: "govuk-form-group" },
      element("label", { class: "govuk-label", for: reasonId, text: "Reason for your decision" }),
      element("div", { class: "govuk-hint", id: reasonId + "-hint", text: "Needed to refuse; kept in the audit trail" }),
      element("textarea", { class: "govuk-textarea", id: reasonId, name: "reason", rows: "2", "aria-describedby": reasonId + "-hint" })),
    element("div", { class: "govuk-button-group" },
      element("button", { type: "button", class: "govuk-button", text: "Approve", "aria-label": `Approve request ${request.reference}`, onclick: onPress(() => decideOn(request, "approve", reasonId)) }),
      element("button", { type: "button", class: "govuk-button govuk-button--warning", text: "Refuse", "aria-label": `Refuse request ${request.reference}`, onclick: onPress(() => decideOn(request, "refuse", reasonId)) })));
}

async function decideOn(request, decided, reasonId) {
  const reason = $(reasonId).value.trim();
  if (decided === "refuse" && !reason) return showErrors([{ field: reasonId, message: "Enter why you are refusing the request" }]);
  await api("POST", `/disclosures/${encodeURIComponent(request.request_id)}/${decided}`, { body: { reason: reason || null } });
  await load();
  notify(`Request ${request.reference} ${decided === "approve" ? "approved" : "refused"}.`);
}

// ----- both: the requests as cards, each with what may be done with it -----

function about(child) {
  if (!child) return null;
  return `${child.given_names.join(" ")} ${child.family_name}, born ${longDate(child.date_of_birth)}`;
}

function listed(requests, actions) {
  const parts = [element("p", { class: "govuk-body", role: "status", text: requests.length === 1 ? "1 request" : `${requests.length} requests` })];
  for (const request of requests) {
    const rows = [
      ...(request.child !== undefined && request.child !== null ? [["About", about(request.child)]] : []),
      ["ContactPoint ID", element("code", { class: "cp-id", text: request.contactpoint_id })],
      ["Why", `${GROUND_TEXT[request.ground] || words(request.ground)}, reference ${request.reference}`],
      ["Asked by", request.requested_by], ["Asked", dateTime(request.requested_at)],
    ];
    if (request.decided_by) rows.push(["Decided by", request.decided_by], ["Decided", dateTime(request.decided_at)], ["Reason", request.reason || "None given"]);
    if (request.readable_until && request.status === "approved") rows.push(["May be read until", dateTime(request.readable_until)]);
    if (request.read_at) rows.push(["Read", dateTime(request.read_at)]);
    parts.push(element("div", { class: "govuk-summary-card" },
      element("div", { class: "govuk-summary-card__title-wrapper" },
        element("h3", { class: "govuk-summary-card__title", text: `Request ${request.reference}` }), tag(statusText(request.status), STATUS_COLOUR[request.status])),
      element("div", { class: "govuk-summary-card__content" }, summaryList(rows), actions(request))));
  }
  return parts;
}

function statusText(status) {
  return { pending: "Waiting for a decision" }[status] || words(status);
}
