// Choosing a new password: the old one, the new one, and a fresh one-time code. Every session ends after.
import { $, api, onSubmit, showErrors, signedOut, view } from "./core.js";

view("password", { roles: ["practitioner", "approver", "la_admin", "auditor"], title: "Change your password", nav: "Change password", enter: () => $("password-form").reset() });

// A wrong password or code is never named, so the refusal points at the first of them.
onSubmit($("password-form"), async (values) => {
  const problems = [];
  if (!values.old_password) problems.push({ field: "old-password", message: "Enter your current password" });
  if (!values.new_password) problems.push({ field: "new-password", message: "Enter a new password" });
  else if (values.new_password !== values.confirm_password) problems.push({ field: "confirm-password", message: "The new passwords do not match" });
  if (!values.otp) problems.push({ field: "password-otp", message: "Enter the 6-digit code from your authenticator app" });
  if (problems.length) return showErrors(problems);
  $("password-form").reset();
  await api("POST", "/auth/password", { body: { old_password: values.old_password, new_password: values.new_password, otp: values.otp }, factorsChecked: true });
  signedOut("Your password has been changed. Sign in with your new password.");
}, {
  fieldFor: { not_authenticated: "old_password", weak_password: "new_password" },
  saying: { not_authenticated: "Your current password or the one-time code is not right" },
});
