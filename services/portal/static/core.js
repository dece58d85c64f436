// What every screen of the page shares: the session, calls to /api/v1, views, and GOV.UK error summaries.
//
// The access token lives in this module's memory only: never in a cookie, localStorage or
// sessionStorage. So no request carries it unless this page's own script adds it, which is what
// makes cross-site request forgery impossible, and closing or reloading the tab ends the session (which the page says).

export const session = { token: null, username: null, role: null, la: null };

export class ApiError extends Error {
  // ``field`` names the request's field the refusal is about, as the API's error answer does, or is null.
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const listeners = { signedOut: [], answered: [] };

export function on(event, listener) {
  listeners[event].push(listener);
}

function emit(event, ...args) {
  for (const listener of listeners[event]) listener(...args);
}

export const $ = (id) => document.getElementById(id);

// One call to the API. Every successful call keeps the session alive on the server, so it restarts the idle clock.
// A 401 means the session has ended, except where the request itself checks a password and code (``factorsChecked``).
export async function api(method, path, { body, query, factorsChecked = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session.token) headers.Authorization = "Bearer " + session.token;
  const search = query ? "?" + new URLSearchParams(Object.entries(query).filter(([, value]) => value !== "" && value != null)) : "";
  let response;
  try {
    response = await fetch("/api/v1" + path + search, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", cache: "no-store", redirect: "error",
    });
  } catch {
    throw new ApiError(0, "unreachable", "ContactPoint cannot be reached. Check your connection and try again.");
  }
  const answer = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new ApiError(response.status, answer.error?.code || "error", answer.error?.message || response.statusText, answer.error?.field || null);
    if (response.status === 401 && session.token && !factorsChecked) {
      error.endedSession = true;
      forget();
      emit("signedOut", "Your session has ended. Sign in again to carry on.");
    }
    throw error;
  }
  if (session.token) emit("answered");
  return answer;
}

export function remember(token, who) {
  Object.assign(session, { token }, who);
}

export function forget() {
  Object.assign(session, { token: null, username: null, role: null, la: null });
}

// Whether the page was reloaded: a reload ends the session (it lives in the page's memory alone), which the page then says.
export function reloaded() {
  return performance.getEntriesByType("navigation").some((entry) => entry.type === "reload");
}

export function signedOut(message) {
  forget();
  emit("signedOut", message);
}

// ----- building the page -----

export function element(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(options)) {
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// A GOV.UK summary list: rows of [key, value]; a value of null is shown as withheld.
export function summaryList(rows) {
  return element("dl", { class: "govuk-summary-list" }, ...rows.map(([key, value]) => element("div", { class: "govuk-summary-list__row" },
    element("dt", { class: "govuk-summary-list__key", text: key }),
    element("dd", { class: "govuk-summary-list__value" }, shown(value)))));
}

export function shown(value) {
  if (value === null || value === undefined) return element("span", { class: "govuk-withheld", text: "Withheld" });
  if (value instanceof Node) return value;
  return document.createTextNode(String(value));
}

export function tag(text, colour) {
  return element("strong", { class: "govuk-tag" + (colour ? " govuk-tag--" + colour : ""), text });
}

export function table(caption, headings, rows) {
  return element("table", { class: "govuk-table" },
    element("caption", { class: "govuk-table__caption govuk-table__caption--m", text: caption }),
    element("thead", { class: "govuk-table__head" }, element("tr", { class: "govuk-table__row" },
      ...headings.map((heading) => element("th", { scope: "col", class: "govuk-table__header", text: heading })))),
    element("tbody", { class: "govuk-table__body" }, ...rows.map((cells) => element("tr", { class: "govuk-table__row" },
      ...cells.map((cell) => element("td", { class: "govuk-table__cell" }, shown(cell)))))));
}

// A decision that cannot be undone asks again in place: a GOV.UK warning, then "Yes, ..." or "Cancel".
// The caller puts it where the action's buttons were; focus moves to it so keyboard and screen reader users hear it.
export function confirmation({ warning, confirm, onConfirm, onCancel, style = "" }) {
  const panel = element("div", { class: "cp-confirmation", role: "group", "aria-label": confirm, tabindex: "-1" },
    element("div", { class: "govuk-warning-text" },
      element("span", { class: "govuk-warning-text__icon", "aria-hidden": "true", text: "!" }),
      element("strong", { class: "govuk-warning-text__text" }, element("span", { class: "govuk-visually-hidden", text: "Warning: " }), warning)),
    element("div", { class: "govuk-button-group" },
      element("button", { type: "button", class: `govuk-button ${style}`.trim(), text: confirm, onclick: onConfirm }),
      element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Cancel", onclick: onCancel })));
  requestAnimationFrame(() => panel.focus());
  return panel;
}

// A code (a role, an action) in the words of a list's own choice of it; one the list does not offer, as words.
export function optionText(selectId, code) {
  const option = [...$(selectId).options].find((choice) => choice.value === code);
  return option ? option.textContent : words(code);
}

export function words(code) {
  return code ? sentence(String(code).replace(/_/g, " ")) : code;
}

// A GOV.UK date input's three boxes, written into each ``.govuk-date-input`` that names them with ``data-boxes="<id> <name>"``:
// ids ``<id>-day``, ``-month``, ``-year``, for its labels, and names ``<name>-day``... for its form.
function writeDateBoxes(container) {
  const [id, name] = container.dataset.boxes.split(" ");
  container.append(...[["day", "Day", 2], ["month", "Month", 2], ["year", "Year", 4]].map(([part, label, width]) =>
    element("div", { class: "govuk-date-input__item" },
      element("label", { class: "govuk-label govuk-date-input__label", for: `${id}-${part}`, text: label }),
      element("input", { class: `govuk-input govuk-date-input__input govuk-input--width-${width}`, id: `${id}-${part}`, name: `${name}-${part}`,
                         type: "text", inputmode: "numeric", maxlength: width }))));
}

document.querySelectorAll(".govuk-date-input[data-boxes]").forEach(writeDateBoxes);

// A GOV.UK date input's three boxes (``<name>-day``, ``-month``, ``-year``) as an ISO date: "" when all are empty, the
// date, or a problem in the words of its ``label``. Every date a person types on the page is read here.
export function dateFrom(values, name, label, { past = false } = {}) {
  const [day, month, year] = ["day", "month", "year"].map((part) => values[`${name}-${part}`] || "");
  if (!day && !month && !year) return { value: "" };
  if (!day || !month || !year) return { problem: `${label} must include a day, month and year` };
  if (![day, month, year].every((part) => /^\d+$/.test(part)) || year.length !== 4) return { problem: `${label} must be a real date` };
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return { problem: `${label} must be a real date` };
  if (past && date > new Date()) return { problem: `${label} must be in the past` };
  return { value: date.toISOString().slice(0, 10) };
}

export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) values[name] = typeof value === "string" ? value.trim() : value;
  return values;
}

// ----- views -----

const views = new Map();
let current = null;

// A view is a section of the page; ``enter`` runs each time it is shown, ``roles`` says who may see it.
export function view(name, { roles = null, title, enter = () => {}, nav = null } = {}) {
  views.set(name, { roles, title, enter, nav, section: $("view-" + name) });
}

export function allowed(name) {
  const found = views.get(name);
  if (!found) return false;
  if (found.roles === null) return true;
  return session.token !== null && found.roles.includes(session.role);
}

export function navigation() {
  return [...views.entries()].filter(([name, v]) => v.nav && v.roles && allowed(name)).map(([name, v]) => ({ name, label: v.nav }));
}

export function show(name, ...args) {
  const target = views.get(name);
  clearErrors();
  for (const [other, v] of views) v.section.hidden = other !== name;
  current = name;
  document.title = `${target.title} – ContactPoint`;
  for (const link of document.querySelectorAll("#navigation-list a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  focusHeading(target.section);
  // What a view loads as it opens is part of the action that opened it: a refusal shows in its error summary.
  Promise.resolve(target.enter(...args)).catch((error) => {
    if (!(error instanceof ApiError)) throw error;
    showRefusal(error);
  });
}

export function currentView() {
  return current;
}

export function focusHeading(container) {
  const heading = container.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

// ----- messages -----
// The error summary, the fields' error messages and the notification banner say what the last action did: each
// action a person takes (a form sent, a button pressed) clears them before it runs, so none outlives its action.

// A form's submission as an action: ``run`` gets the form's values; a refusal from the API is shown against the
// form's field it names. ``fieldFor`` maps an error code to the field a refusal of that code is about when the API names none.
// fieldFor names the field a refusal's code points at; saying gives a refusal's code words of this form's own.
// A field the form's markup marks ``data-missing`` must not be left empty: the form is not sent, and the attribute's words
// are shown against the field.
export function onSubmit(form, run, { fieldFor = {}, saying = {} } = {}) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessages();
    const values = formValues(form);
    const problems = missing(form, values);
    if (problems.length) return showErrors(problems);
    try {
      await run(values, event);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showRefusal(error, { form, otherwise: fieldFor[error.code], saying: saying[error.code] });
    }
  });
}

function missing(form, values) {
  return [...form.querySelectorAll("[data-missing]")]
    .filter((field) => !values[field.name || field.dataset.field])
    .map((field) => ({ field: field.id, message: field.dataset.missing }));
}

// A button's press as an action, for a button outside any form (or one whose form is not being sent).
export function onPress(run) {
  return async (event) => {
    clearMessages();
    try {
      await run(event);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showRefusal(error);
    }
  };
}

export function clearMessages() {
  clearErrors();
  notify("");
}

// GOV.UK error summary and inline messages. ``problems`` are {field, message}; field is an element id or null.
export function showErrors(problems) {
  clearErrors();
  const list = $("error-summary-list");
  for (const { field, message } of problems) {
    const target = field && $(field);
    const item = target
      ? element("a", { href: "#" + field, text: message, onclick: (event) => { event.preventDefault(); focusField(target); } })
      : document.createTextNode(message);
    list.append(element("li", {}, item));
    if (target) markField(target, message);
  }
  $("error-summary").hidden = false;
  $("error-summary").focus();
  document.title = "Error: " + document.title.replace(/^Error: /, "");
}

function markField(target, message) {
  const group = target.closest(".govuk-form-group");
  if (!group || group.querySelector(".govuk-error-message")) return;
  group.classList.add("govuk-form-group--error");
  const id = (target.dataset.field || target.id) + "-error";
  const note = element("p", { class: "govuk-error-message", id }, element("span", { class: "govuk-visually-hidden", text: "Error: " }), message);
  const anchor = group.querySelector(".govuk-radios, .govuk-checkboxes, .govuk-date-input, input, select, textarea");
  anchor.before(note);
  for (const input of group.querySelectorAll("input, select, textarea")) {
    input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
    if (!input.matches(".govuk-radios__input, .govuk-checkboxes__input")) input.classList.add("govuk-input--error");
  }
}

function focusField(target) {
  const input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
  (input || target).focus();
}

export function clearErrors() {
  $("error-summary").hidden = true;
  $("error-summary-list").replaceChildren();
  document.title = document.title.replace(/^Error: /, "");
  for (const note of document.querySelectorAll(".govuk-error-message")) {
    for (const input of note.closest(".govuk-form-group").querySelectorAll("[aria-describedby]")) {
      const rest = input.getAttribute("aria-describedby").split(" ").filter((id) => id !== note.id).join(" ");
      if (rest) input.setAttribute("aria-describedby", rest);
      else input.removeAttribute("aria-describedby");
    }
    note.remove();
  }
  for (const group of document.querySelectorAll(".govuk-form-group--error")) group.classList.remove("govuk-form-group--error");
  for (const input of document.querySelectorAll(".govuk-input--error")) input.classList.remove("govuk-input--error");
}

// A refusal from the API as an error summary. Where it is about one of the form's fields (the API names it, or
// ``otherwise`` is that field's name), it points at that field, and the field's own label replaces its API name.
export function showRefusal(error, { form = null, otherwise = null, saying = null } = {}) {
  if (error.endedSession) return;
  const serverFault = error.status >= 500 || error.status === 0;
  const target = serverFault || !form ? null : fieldIn(form, error.field || otherwise);
  showErrors([{ field: target?.id || null, message: saying || inWords(error.message, error.field, target) }]);
}

// The element of a form that stands for an API field: an input named so, or a group (radios, a date) marked data-field.
function fieldIn(form, name) {
  if (!name) return null;
  const group = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (group) return group;
  const named = form.elements.namedItem(name);
  return named instanceof RadioNodeList ? named[0] : named;
}

// "family_name must be ..." reads "Family name must be ...", and "trained_on: a ..." reads "A ...", in the page's words.
function inWords(message, field, target) {
  const text = String(message || "Something went wrong").trim();
  if (field && text.startsWith(field + ": ")) return sentence(text.slice(field.length + 2));
  if (field && target && text.startsWith(field + " ")) return sentence(labelOf(target) + text.slice(field.length));
  return sentence(text);
}

function labelOf(target) {
  const legend = target.closest("fieldset")?.querySelector("legend");
  const label = target.id && document.querySelector(`label[for="${CSS.escape(target.id)}"]`);
  return (target.matches("input, select, textarea") && label ? label : legend || label)?.textContent.trim() || target.id;
}

export function sentence(text) {
  const trimmed = String(text || "Something went wrong").trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}

export function notify(message) {
  $("notification-text").textContent = message;
  $("notification").hidden = !message;
}
