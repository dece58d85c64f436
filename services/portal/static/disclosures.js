// Single-record disclosure for approvers: the LA's requests, and approving or refusing another person's.
import { $, api, element, formValues, notify, onPress, onSubmit, showErrors, summaryList, tag, view, words } from "./core.js";
import { dateTime } from "./audit.js";

const STATUS_COLOUR = { pending: "blue", approved: "green", refused: "red", read: "grey", expired: "grey" };

view("disclosures", { roles: ["approver"], title: "Disclosure requests", nav: "Disclosure requests", enter: load });

onSubmit($("disclosures-form"), () => load());

async function load() {
  const { requests } = await api("GET", "/disclosures", { query: formValues($("disclosures-form")) });
  draw(requests);
}

function draw(requests) {
  const parts = [element("p", { class: "govuk-body", role: "status", text: requests.length === 1 ? "1 request" : `${requests.length} requests` })];
  for (const request of requests) {
    const rows = [
      ["ContactPoint ID", request.contactpoint_id], ["Ground", words(request.ground)], ["Reference", request.reference],
      ["Asked by", request.requested_by], ["Asked", dateTime(request.requested_at)],
    ];
    if (request.decided_by) rows.push(["Decided by", request.decided_by], ["Decided", dateTime(request.decided_at)], ["Reason", request.reason || ""]);
    if (request.readable_until) rows.push(["May be read until", dateTime(request.readable_until)]);
    const reasonId = `disclosure-${request.request_id}-reason`;
    const decide = request.status !== "pending" ? null : element("form", { class: "cp-inline-form", novalidate: true, onsubmit: (event) => event.preventDefault() },
      element("div", { class: "govuk-form-group" },
        element("label", { class: "govuk-label", for: reasonId, text: "Reason for your decision" }),
        element("div", { class: "govuk-hint", id: reasonId + "-hint", text: "Needed to refuse; kept in the audit trail" }),
        element("textarea", { class: "govuk-textarea", id: reasonId, name: "reason", rows: "2", "aria-describedby": reasonId + "-hint" })),
      element("div", { class: "govuk-button-group" },
        element("button", { type: "button", class: "govuk-button", text: "Approve", "aria-label": `Approve request ${request.reference}`, onclick: onPress(() => decideOn(request, "approve", reasonId)) }),
        element("button", { type: "button", class: "govuk-button govuk-button--warning", text: "Refuse", "aria-label": `Refuse request ${request.reference}`, onclick: onPress(() => decideOn(request, "refuse", reasonId)) })));
    parts.push(element("div", { class: "govuk-summary-card" },
      element("div", { class: "govuk-summary-card__title-wrapper" },
        element("h3", { class: "govuk-summary-card__title", text: `Request ${request.reference}` }), tag(words(request.status), STATUS_COLOUR[request.status])),
      element("div", { class: "govuk-summary-card__content" }, summaryList(rows), decide)));
  }
  $("disclosures").replaceChildren(...parts);
}

async function decideOn(request, decision, reasonId) {
  const reason = $(reasonId).value.trim();
  if (decision === "refuse" && !reason) return showErrors([{ field: reasonId, message: "Enter why you are refusing the request" }]);
  await api("POST", `/disclosures/${encodeURIComponent(request.request_id)}/${decision}`, { body: { reason: reason || null } });
  await load();
  notify(`Request ${request.reference} ${decision === "approve" ? "approved" : "refused"}.`);
}
