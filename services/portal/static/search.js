// Finding one child for a stated purpose, the list of matches, and the child's record: carers and
// every practitioner's contact, with shielded and withheld parts shown as such.
import { $, allowed, api, dateFrom, element, focusHeading, onSubmit, sentence, show, showErrors, showRefusal, summaryList, tag, view, words } from "./core.js";

const READERS = ["practitioner", "approver"];
const PURPOSE_TEXT = { safeguarding: "safeguarding", wellbeing: "wellbeing" };
let lastSearch = null;

view("search", { roles: READERS, title: "Find a child", nav: "Find a child" });
view("record", { roles: READERS, title: "Child record", enter: (id) => openRecord(id) });

export function longDate(iso) {
  if (!iso) return null;
  const date = new Date(iso.length === 10 ? iso + "T00:00:00Z" : iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

onSubmit($("search-form"), async (values) => {
  const dob = dateFrom(values, "dob", "Date of birth", { past: true });
  const problems = [];
  if (!values.purpose) problems.push({ field: "purpose", message: "Select why you are searching" });
  if (dob.problem) problems.push({ field: "dob-day", message: dob.problem });
  const criteria = {
    identifier: values.identifier, family_name: values.family_name, given_name: values.given_name,
    date_of_birth: dob.value, postcode: values.postcode,
  };
  if (!problems.length && !Object.values(criteria).some(Boolean)) {
    problems.push({ field: "identifier", message: "Enter the child’s NHS number or UPN, or the other details the guidance above lists" });
  }
  if (problems.length) return showErrors(problems);
  $("results").replaceChildren();
  const { results } = await api("GET", "/children/search", { query: { ...criteria, purpose: values.purpose } });
  lastSearch = { purpose: values.purpose, results };
  drawResults();
});

function drawResults() {
  const { results, purpose } = lastSearch;
  const heading = element("h2", { class: "govuk-heading-m", id: "results-heading", tabindex: "-1",
    text: results.length === 1 ? "1 child found" : results.length ? `${results.length} children found` : "No child found" });
  const parts = [heading];
  if (!results.length) {
    parts.push(element("p", { class: "govuk-body", text: "Check the details you gave. ContactPoint only shows children whose details match closely; it does not show near matches by name alone." }));
  } else {
    parts.push(element("p", { class: "govuk-body", text: `Open a record only for the child you are working with. You are searching for ${PURPOSE_TEXT[purpose]}.` }));
    parts.push(element("ul", { class: "govuk-list cp-results" }, ...results.map((child) => element("li", { class: "cp-result" },
      element("a", {
        class: "govuk-link govuk-heading-s", href: "#search", text: `${child.given_names.join(" ")} ${child.family_name}`,
        onclick: (click) => { click.preventDefault(); show("record", child.contactpoint_id); },
      }),
      summaryList([
        ["Date of birth", longDate(child.date_of_birth)],
        ["Gender", words(child.gender)],
        ["Postcode district", child.postcode_district],
      ])))));
  }
  $("results").replaceChildren(...parts);
  heading.focus();
}

$("back-to-results").addEventListener("click", (event) => {
  event.preventDefault();
  show("search");
  $("results-heading")?.focus();
});

async function openRecord(contactpointId) {
  $("record").replaceChildren(element("p", { class: "govuk-body", role: "status", text: "Opening the record…" }));
  try {
    const record = await api("GET", `/children/${encodeURIComponent(contactpointId)}`, { query: { purpose: lastSearch.purpose } });
    const opened = `You opened this record for ${PURPOSE_TEXT[lastSearch.purpose]}. This has been recorded.`;
    $("record").replaceChildren(...recordView(record, opened), ...disclosureAsked(record));
    document.title = `${record.demographics.given_names.join(" ")} ${record.demographics.family_name} – ContactPoint`;
    focusHeading($("view-record"));
  } catch (error) {
    $("record").replaceChildren();
    showRefusal(error);
  }
}

function address(value) {
  if (!value) return null;
  return element("span", {}, ...[...(value.lines || []), value.town, value.postcode].filter(Boolean).flatMap((line, index) => index ? [element("br"), line] : [line]));
}

function warning(text) {
  return element("div", { class: "govuk-warning-text" },
    element("span", { class: "govuk-warning-text__icon", "aria-hidden": "true", text: "!" }),
    element("strong", { class: "govuk-warning-text__text" }, element("span", { class: "govuk-visually-hidden", text: "Warning" }), text));
}

function card(title, rows, tags = []) {
  return element("div", { class: "govuk-summary-card" },
    element("div", { class: "govuk-summary-card__title-wrapper" }, element("h3", { class: "govuk-summary-card__title", text: title }), ...tags),
    element("div", { class: "govuk-summary-card__content" }, summaryList(rows)));
}

function contact(kind, value) {
  if (!value) return value;
  return element("a", { class: "govuk-link", href: `${kind}:${value.replace(/\s/g, "")}`, text: value });
}

// From a record, a practitioner with a court order or a crime to prevent may ask for the whole record to be disclosed.
function disclosureAsked(record) {
  if (!allowed("my-disclosures")) return [];
  return [element("h2", { class: "govuk-heading-m", text: "Disclosure" }),
    element("p", { class: "govuk-body", text: "On a court order, or to prevent or detect a crime, you may ask for this record to be disclosed. An approver of your LA decides." }),
    element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Ask for this record to be disclosed",
      onclick: () => {
        show("my-disclosures", record.contactpoint_id);
        history.pushState(null, "", "#my-disclosures");  // the view's own address, so that its menu link opens it afresh
      } })];
}

// A child's record; ``opened`` says why the reader is seeing it.
export function recordView(record, opened) {
  const d = record.demographics;
  const identifiers = d.identifiers || {};
  const parts = [
    element("span", { class: "govuk-caption-l", text: `ContactPoint ID ${record.contactpoint_id}` }),
    element("h1", { class: "govuk-heading-l", tabindex: "-1", text: `${d.given_names.join(" ")} ${d.family_name}` }),
    element("p", { class: "govuk-body", text: opened }),
  ];
  if (record.shielded) parts.push(tag("Shielded record", "red"));
  if (record.notice) parts.push(warning(record.notice));
  if (record.withheld?.length) {
    parts.push(element("div", { class: "govuk-inset-text", id: "record-withheld" },
      element("p", { class: "govuk-body", text: "Not shown to you:" }),
      element("ul", { class: "govuk-list govuk-list--bullet" }, ...record.withheld.map((item) => element("li", { text: sentence(item.message) })))));
  }
  parts.push(summaryList([
    ["Date of birth", longDate(d.date_of_birth)],
    ["Gender", words(d.gender)],
    ["Address", address(d.address)],
    ...(d.former_family_names?.length ? [["Former family names", d.former_family_names.join(", ")]] : []),
    ...(identifiers.nhs_number ? [["NHS number", identifiers.nhs_number]] : []),
    ...(identifiers.upn ? [["UPN", identifiers.upn]] : []),
  ]));

  parts.push(element("h2", { class: "govuk-heading-m", text: "Parents and carers" }));
  if (!record.carers.length) parts.push(element("p", { class: "govuk-body", text: "No parent or carer is recorded." }));
  for (const carer of record.carers) {
    parts.push(card(carer.name, [
      ["Relationship", words(carer.relationship)],
      ["Parental responsibility", carer.parental_responsibility ? "Yes" : "No"],
      ["Phone", contact("tel", carer.phone)],
    ]));
  }

  parts.push(element("h2", { class: "govuk-heading-m", text: "Who is working with this child" }));
  if (!record.involvements.length) parts.push(element("p", { class: "govuk-body", text: "No service is recorded as working with this child." }));
  for (const involvement of record.involvements) {
    const practitioner = involvement.practitioner || {};
    const tags = [
      involvement.lead_professional ? tag("Lead professional", "blue") : null,
      involvement.caf_completed ? tag("CAF completed", "green") : null,
      involvement.sensitive ? tag("Sensitive service", "purple") : null,
    ].filter(Boolean);
    const organisation = involvement.organisation ?? "organisation withheld";
    parts.push(card(`${words(involvement.service)}: ${organisation}`, [
      ["Practitioner", practitioner.name],
      ["Phone", contact("tel", practitioner.phone)],
      ["Email", contact("mailto", practitioner.email)],
      ["Since", longDate(involvement.started_on)],
      ...(involvement.ended_on ? [["Until", longDate(involvement.ended_on)]] : []),
    ], tags));
  }
  return parts;
}
