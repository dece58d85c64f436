// The partner systems of an LA, for its ContactPoint team: the list, adding one (its broker password shown once),
// and disabling one after a confirmation, which revokes its broker user at once.
import { $, api, confirmation, element, notify, onPress, onSubmit, showErrors, summaryList, table, tag, view, words } from "./core.js";

// A source's id is also its broker username (as the feeds service checks it).
const SOURCE_ID = /^[a-z0-9][a-z0-9_-]{1,59}$/;

view("sources", { roles: ["la_admin"], title: "Sources", nav: "Sources", enter: () => { $("source-credentials").replaceChildren(); return load(); } });

async function load() {
  const { sources } = await api("GET", "/sources");
  draw(sources);
}

function draw(sources) {
  $("source-list").replaceChildren(table(`${sources.length} source${sources.length === 1 ? "" : "s"} in your LA`,
    ["Source ID", "Name", "Sends", "Status", "Action"],
    sources.map((source) => [
      element("code", { text: source.source_id }), source.name, source.kinds.map(words).join(", "),
      source.enabled ? tag("Enabled", "green") : tag("Disabled", "grey"), source.enabled ? disabling(source) : "",
    ])));
}

function disabling(source) {
  const cell = element("div", {});
  const button = () => element("button", {
    type: "button", class: "govuk-button govuk-button--warning cp-small-button", text: "Disable", "aria-label": `Disable ${source.source_id}`,
    onclick: () => cell.replaceChildren(confirmation({
      warning: `${source.source_id} will no longer be able to send: its broker user is revoked at once.`,
      confirm: `Yes, disable ${source.source_id}`, style: "govuk-button--warning cp-small-button",
      onConfirm: onPress(() => disable(source)),
      onCancel: () => { cell.replaceChildren(button()); cell.querySelector("button").focus(); },
    })),
  });
  cell.append(button());
  return cell;
}

async function disable(source) {
  await api("POST", `/sources/${encodeURIComponent(source.source_id)}/disable`);
  notify(`Disabled ${source.source_id}. Its broker user no longer exists.`);
  await load();
}

onSubmit($("add-source-form"), async (values) => {
  const kinds = new FormData($("add-source-form")).getAll("kinds");
  const problems = [];
  if (!values.source_id) problems.push({ field: "new-source-id", message: "Enter a source ID" });
  else if (!SOURCE_ID.test(values.source_id)) problems.push({ field: "new-source-id", message: "Source ID must be 2 to 60 lower-case letters, digits, ‘-’ or ‘_’, starting with a letter or digit" });
  if (!values.name) problems.push({ field: "new-source-name", message: "Enter the source’s name" });
  if (!kinds.length) problems.push({ field: "new-source-kinds", message: "Select what the source sends" });
  if (problems.length) return showErrors(problems);
  const added = await api("POST", "/sources", { body: { source_id: values.source_id, name: values.name, kinds } });
  $("add-source-form").reset();
  showPassword(added);
  await load();
}, { fieldFor: { name_taken: "source_id", conflict: "source_id" } });

function showPassword(added) {
  const panel = element("div", { class: "govuk-panel-credentials", role: "status", tabindex: "-1" },
    element("h2", { class: "govuk-heading-m", text: `Source ${added.source_id} added` }),
    element("p", { class: "govuk-body", text: "Give these to the system’s administrators by a secure route. The password is shown only this once." }),
    summaryList([["Broker username", element("code", { text: added.source_id })], ["Broker password", element("code", { text: added.amqp_password })]]));
  $("source-credentials").replaceChildren(panel);
  panel.focus();
}
