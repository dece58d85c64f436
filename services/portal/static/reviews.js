// The match review queue of an LA's ContactPoint team: each unsure match with both children side by side,
// the fields that differ marked, and which source said each; linking them or keeping them apart, after a confirmation.
import { $, api, confirmation, element, notify, onPress, tag, view, words } from "./core.js";
import { dateTime } from "./audit.js";
import { longDate } from "./search.js";

view("reviews", { roles: ["la_admin"], title: "Match reviews", nav: "Match reviews", enter: () => load() });

// What is compared, in the order a person reads a record: [label, the value shown, the provenance key of who said it].
const FIELDS = [
  ["Family name", (d) => d.family_name, "family_name"],
  ["Given names", (d) => (d.given_names || []).join(" "), "given_names"],
  ["Former family names", (d) => (d.former_family_names || []).join(", ") || "None", "former_family_names"],
  ["Date of birth", (d) => longDate(d.date_of_birth), "date_of_birth"],
  ["Gender", (d) => words(d.gender), "gender"],
  ["Address", (d) => [...(d.address?.lines || []), d.address?.town].filter(Boolean).join(", "), "address"],
  ["Postcode", (d) => d.address?.postcode || "", "address"],
  ["NHS number", (d) => d.identifiers?.nhs_number || "None given", "identifiers.nhs_number"],
  ["UPN", (d) => d.identifiers?.upn || "None given", "identifiers.upn"],
];

async function load() {
  const { tasks } = await api("GET", "/reviews");
  draw(tasks);
}

function draw(tasks) {
  const count = tasks.length === 0 ? "There are no matches to review." : tasks.length === 1 ? "1 match to review" : `${tasks.length} matches to review`;
  $("reviews").replaceChildren(element("p", { class: "govuk-body", role: "status", text: count }), ...tasks.map(card));
}

function card(task) {
  const { record, candidate } = task;
  const values = [record, candidate].map((side) => FIELDS.map(([, value]) => String(value(side.demographics) ?? "")));
  const differs = FIELDS.map((_, row) => values[0][row] !== values[1][row]);
  const decision = element("div", { class: "cp-decision" });
  const buttons = () => element("div", { class: "govuk-button-group" },
    element("button", { type: "button", class: "govuk-button", text: "Link", "aria-label": `Link task ${task.task_id}`,
      onclick: () => ask(decision, buttons, task, "link") }),
    element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Keep apart", "aria-label": `Keep apart task ${task.task_id}`,
      onclick: () => ask(decision, buttons, task, "separate") }));
  decision.append(buttons());
  const titleId = `task-${task.task_id}-title`;
  return element("section", { class: "govuk-summary-card cp-review", "aria-labelledby": titleId },
    element("div", { class: "govuk-summary-card__title-wrapper" },
      element("h2", { class: "govuk-summary-card__title", id: titleId, text: `Task ${task.task_id}: are these one child?` }),
      tag(`${differs.filter(Boolean).length} of ${FIELDS.length} fields differ`, "yellow"),
      element("span", { class: "govuk-hint cp-weight", text: `Match weight ${task.weight}${task.created_at ? ` · raised ${dateTime(task.created_at)}` : ""}` })),
    element("div", { class: "govuk-summary-card__content" },
      element("div", { class: "cp-side-by-side" },
        side("Newly received", record, values[0], differs),
        side("Already held", candidate, values[1], differs)),
      decision));
}

function side(heading, child, values, differs) {
  return element("div", { class: "cp-candidate" },
    element("h3", { class: "govuk-heading-s", text: heading }),
    element("p", { class: "govuk-caption-m" }, element("code", { text: child.contactpoint_id })),
    element("dl", { class: "govuk-summary-list" },
      ...FIELDS.map(([label, , said], row) => element("div", { class: "govuk-summary-list__row" + (differs[row] ? " cp-differs" : "") },
        element("dt", { class: "govuk-summary-list__key", text: label }),
        element("dd", { class: "govuk-summary-list__value" },
          values[row], differs[row] ? element("span", { class: "cp-differs__mark", text: " Differs" }) : null,
          saidBy(child.provenance[said]))))),
    element("p", { class: "govuk-body-s", text: `Sent by ${child.source_records.map((r) => `${r.source_id} (record ${r.source_record_id})`).join(", ")}` }));
}

// Who said a field: the source and when; a list (former names) may have several or none.
function saidBy(provenance) {
  const sayers = [].concat(provenance || []);
  if (!sayers.length) return null;
  return element("span", { class: "govuk-hint cp-said-by", text: "From " + sayers.map((p) => `${p.source_id}, ${longDate(p.received_at)}`).join("; ") });
}

function ask(decision, buttons, task, action) {
  const { record, candidate } = task;
  const linking = action === "link";
  const restore = () => { decision.replaceChildren(buttons()); decision.querySelectorAll("button")[linking ? 0 : 1].focus(); };
  decision.replaceChildren(confirmation({
    warning: linking
      ? `Link ${record.contactpoint_id} into ${candidate.contactpoint_id}? They will be one child from now on, and ContactPoint will never part them by itself.`
      : `Keep ${record.contactpoint_id} and ${candidate.contactpoint_id} apart? They stay two children, and ContactPoint will never join them by itself.`,
    confirm: linking ? "Yes, link them" : "Yes, keep them apart",
    onConfirm: onPress(() => decide(task, action)),
    onCancel: restore,
  }));
}

// Whether it was decided or refused (someone else decided first), the queue is drawn afresh.
async function decide(task, action) {
  try {
    const done = await api("POST", `/reviews/${encodeURIComponent(task.task_id)}/${action}`);
    notify(action === "link"
      ? `Task ${done.task_id}: linked. ${task.record.contactpoint_id} is now part of ${done.contactpoint_id}.`
      : `Task ${done.task_id}: kept apart. ${task.record.contactpoint_id} and ${task.candidate.contactpoint_id} stay two children.`);
  } finally {
    await load();
  }
}
