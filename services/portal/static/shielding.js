// Shielding, for an LA's ContactPoint team: shielding a child at risk if found, lifting it, and the team's own
// contact that the records of its shielded children give readers in place of what they withhold.
import { $, api, notify, onSubmit, showErrors, view } from "./core.js";

view("shielding", { roles: ["la_admin"], title: "Shielding", nav: "Shielding", enter: () => notify("") });

onSubmit($("shielding-form"), async (values, event) => {
  const lifting = event.submitter?.value === "unshield";
  const problems = [];
  if (!values.contactpoint_id) problems.push({ field: "shield-contactpoint-id", message: "Enter the child’s ContactPoint ID" });
  if (!values.reason) problems.push({ field: "shield-reason", message: lifting ? "Say why the shielding is lifted" : "Say why the child is shielded" });
  if (problems.length) return showErrors(problems);
  const done = await api("POST", `/children/${encodeURIComponent(values.contactpoint_id)}/${lifting ? "unshield" : "shield"}`,
    { body: { reason: values.reason } });
  $("shielding-form").reset();
  notify(`${done.contactpoint_id} is ${done.shielded ? "shielded" : "no longer shielded"}${done.changed ? "" : " (it already was)"}. This has been recorded.`);
}, { fieldFor: { not_found: "contactpoint_id", not_your_la: "contactpoint_id" } });

onSubmit($("la-team-form"), async (values) => {
  if (!values.name) return showErrors([{ field: "la-team-name", message: "Enter your team’s name" }]);
  const team = await api("PUT", "/la-team", { body: { name: values.name, phone: values.phone || null, email: values.email || null } });
  notify(`Readers of your LA’s shielded children are now told to contact ${team.name}.`);
});
