// The ContactPoint page: signs in, searches, shows a record, and shows auditors the trail; all through /api/v1.
"use strict";
let token = null;
let role = null;
const $ = (id) => document.getElementById(id);

function showError(message) {
  $("error-text").textContent = message;
  $("error-summary").hidden = false;
  $("error-summary").focus();
}

async function api(method, path, body) {
  $("error-summary").hidden = true;
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch("/api/v1" + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  if (response.status === 204) return {};
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error ? answer.error.message : response.statusText);
  return answer;
}

function query(form) {
  const values = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (value) values.append(name, value);
  return values.toString();
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function show(sectionIds) {
  for (const id of ["sign-in", "search", "audit"]) $(id).hidden = !sectionIds.includes(id);
  $("sign-out").hidden = sectionIds.includes("sign-in");
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = Object.fromEntries(new FormData(event.target));
  try {
    token = (await api("POST", "/auth/login", form)).access_token;
    role = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).role;
    event.target.reset();
    show(role === "auditor" ? ["audit"] : ["search"]);
  } catch (error) { showError(error.message); }
});

$("sign-out").addEventListener("click", async () => {
  try { await api("POST", "/auth/logout"); } catch (error) { /* the token is dropped either way */ }
  token = null; role = null;
  $("results").replaceChildren(); $("record").replaceChildren();
  show(["sign-in"]);
});

$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("record").replaceChildren();
  try {
    const { results } = await api("GET", "/children/search?" + query(event.target));
    const list = element("div");
    list.append(element("h2", results.length ? `${results.length} found` : "No child found"));
    for (const child of results) {
      const row = element("div", undefined, "result");
      const link = element("a", `${child.given_names.join(" ")} ${child.family_name}`);
      link.href = "#" + child.contactpoint_id;
      link.addEventListener("click", (click) => { click.preventDefault(); openRecord(child.contactpoint_id); });
      row.append(link, element("p", `Born ${child.date_of_birth} · ${child.gender} · ${child.postcode_district || "area withheld"}`));
      list.append(row);
    }
    $("results").replaceChildren(list);
  } catch (error) { showError(error.message); }
});

async function openRecord(contactpointId) {
  try {
    const purpose = $("purpose").value;
    const record = await api("GET", `/children/${encodeURIComponent(contactpointId)}?purpose=${purpose}`);
    const d = record.demographics;
    const view = [element("h2", `${d.given_names.join(" ")} ${d.family_name}`), element("p", `Born ${d.date_of_birth} · ContactPoint id ${record.contactpoint_id}`)];
    if (record.notice) view.push(element("p", record.notice, "notice"));
    if (d.address) view.push(element("p", [...d.address.lines, d.address.town, d.address.postcode].filter(Boolean).join(", ")));
    view.push(element("h3", "Parents and carers"));
    for (const carer of record.carers) view.push(element("p", `${carer.name} (${carer.relationship}${carer.parental_responsibility ? ", parental responsibility" : ""}) ${carer.phone || ""}`));
    view.push(element("h3", "Who is working with this child"));
    for (const i of record.involvements) {
      const p = i.practitioner;
      view.push(element("p", `${i.service.replace(/_/g, " ")}: ${i.organisation}, ${p.name} ${p.phone || ""} ${p.email || ""}${i.lead_professional ? " (lead professional)" : ""}${i.caf_completed ? " · CAF completed" : ""}`, "result"));
    }
    $("record").replaceChildren(...view);
  } catch (error) { showError(error.message); }
}

$("audit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const { events } = await api("GET", "/audit/events?" + query(event.target));
    const rows = events.map((e) => {
      const row = element("tr");
      for (const cell of [e.occurred_at, e.actor ? e.actor.username : e.subject, e.action, e.outcome, e.purpose || "", (e.contactpoint_ids || []).join(" ")]) row.append(element("td", cell));
      return row;
    });
    document.querySelector("#events tbody").replaceChildren(...rows);
  } catch (error) { showError(error.message); }
});
