// Account administration for an LA's administrators: the LA's accounts, adding one (its holder enrols
// from a link mailed to them: no administrator sees a password or secret), suspending, unlocking and
// resetting a second factor.
import { $, api, element, notify, onPress, onSubmit, optionText, table, tag, view, words } from "./core.js";
import { longDate } from "./search.js";
import { vettingButton } from "./vetting.js";

const STATUS_COLOUR = { active: "green", enrolling: "blue", locked: "red", suspended: "grey" };
// The LA's accounts include those the national operator made, of roles and categories the form does not offer.
const ROLE_NAMES = { practitioner: "Practitioner", approver: "Approver", la_admin: "LA administrator", auditor: "Auditor" };
const CATEGORY_NAMES = { la_contactpoint_team: "LA ContactPoint team", security: "Security team" };

view("accounts", { roles: ["la_admin"], title: "Accounts", nav: "Accounts", enter: () => { $("credentials").replaceChildren(); return load(); } });

async function load() {
  const { accounts } = await api("GET", "/accounts");
  draw(accounts);
}

function actionsFor(account) {
  const buttons = [];
  if (account.status === "active" || account.status === "enrolling") buttons.push(["Suspend", "suspend", "govuk-button--warning"]);
  else buttons.push(["Unlock", "unlock", "govuk-button--secondary"]);
  buttons.push(["Reset 2FA", "reset-2fa", "govuk-button--secondary"]);
  return element("div", { class: "govuk-button-group" }, ...buttons.map(([label, action, style]) => element("button", {
    type: "button", class: `govuk-button ${style} cp-small-button`, text: label,
    "aria-label": `${label} ${account.username}`, onclick: onPress(() => act(account.username, action, label)),
  })), vettingButton(account, load));
}

function draw(accounts) {
  $("account-list").replaceChildren(table(`${accounts.length} account${accounts.length === 1 ? "" : "s"} in your LA`,
    ["Username", "Role", "Category", "Status", "Trained on", "Enhanced disclosure", "Actions"],
    accounts.map((account) => [
      account.username, ROLE_NAMES[account.role] || words(account.role),
      CATEGORY_NAMES[account.category] || optionText("new-category", account.category),
      element("span", {}, tag(words(account.status), STATUS_COLOUR[account.status]), account.status_reason ? element("span", { class: "govuk-hint cp-reason", text: account.status_reason }) : null),
      longDate(account.trained_on) || "", longDate(account.disclosure_on) || "", actionsFor(account),
    ])));
}

async function act(username, action, label) {
  const answer = await api("POST", `/accounts/${encodeURIComponent(username)}/${action}`, { body: {} });
  if (action === "reset-2fa") showEnrolment(`${username} must set up their account again`, answer);
  else notify(`${label === "Suspend" ? "Suspended" : "Unlocked"} ${username}.`);
  await load();
}

function showEnrolment(title, account) {
  const told = account.enrolment_sent
    ? "We have emailed its holder a link to choose their password and set up their authenticator app. The link works once, for 72 hours."
    : "No email is set up for ContactPoint, so the national operator must give its holder their link (contactpoint users reset-2fa).";
  const panel = element("div", { class: "govuk-panel-credentials", role: "status", tabindex: "-1" },
    element("h2", { class: "govuk-heading-m", text: title }),
    element("p", { class: "govuk-body", text: told }));
  $("credentials").replaceChildren(panel);
  panel.focus();
}

onSubmit($("add-account-form"), async (values) => {
  $("credentials").replaceChildren();
  const created = await api("POST", "/accounts", { body: {
    username: values.username, email: values.email, role: values.role, category: values.category,
    trained_on: values.trained_on || null, disclosure_on: values.disclosure_on || null,
  } });
  $("add-account-form").reset();
  showEnrolment(`Account ${created.username} added`, created);
  await load();
}, { fieldFor: { conflict: "username" } });
