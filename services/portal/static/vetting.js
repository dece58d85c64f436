// Recording an account's vetting, for an LA's administrators: the dates its holder completed ContactPoint training
// and had an enhanced disclosure (DBS) checked, changed in place in the account's row.
import { api, element, notify, onPress, showErrors } from "./core.js";

// The account row's "Record vetting" button; it opens the dates in place, and ``saved`` redraws the accounts after.
export function vettingButton(account, saved) {
  const button = element("button", {
    type: "button", class: "govuk-button govuk-button--secondary cp-small-button", text: "Record vetting",
    "aria-label": `Record vetting of ${account.username}`,
  });
  button.addEventListener("click", onPress(() => button.replaceWith(vettingForm(account, saved, button))));
  return button;
}

function vettingForm(account, saved, button) {
  const trainedId = `vetting-${account.username}-trained-on`;
  const disclosureId = `vetting-${account.username}-disclosure-on`;
  const form = element("form", { class: "cp-inline-form", novalidate: true, "aria-label": `Vetting of ${account.username}` },
    dateField(trainedId, "trained_on", "ContactPoint training completed on", account.trained_on),
    dateField(disclosureId, "disclosure_on", "Enhanced disclosure (DBS) checked on", account.disclosure_on),
    element("div", { class: "govuk-button-group" },
      element("button", { type: "submit", class: "govuk-button cp-small-button", text: "Save vetting", "aria-label": `Save vetting of ${account.username}` }),
      element("button", { type: "button", class: "govuk-button govuk-button--secondary cp-small-button", text: "Cancel",
        onclick: () => { form.replaceWith(button); button.focus(); } })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await onPress(async () => {
      const trained = form.elements.trained_on.value, disclosure = form.elements.disclosure_on.value;
      if (!trained && !disclosure) return showErrors([{ field: trainedId, message: "Enter the date of their training or of their enhanced disclosure" }]);
      await api("PUT", `/accounts/${encodeURIComponent(account.username)}/vetting`, { body: { trained_on: trained || null, disclosure_on: disclosure || null } });
      await saved();
      notify(`Vetting of ${account.username} recorded.`);
    })(event);
  });
  requestAnimationFrame(() => form.elements.trained_on.focus());
  return form;
}

function dateField(id, name, label, value) {
  return element("div", { class: "govuk-form-group" },
    element("label", { class: "govuk-label", for: id, text: label }),
    element("input", { class: "govuk-input", id, name, type: "date", value: value || "" }));
}
