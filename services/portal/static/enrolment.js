// Enrolment by the account's holder, from the one-time link mailed to them (/enrol#<token>): the page shows
// a new authenticator secret as a QR code and as text, and the holder chooses their password and gives a code.
// The token travels after '#', which a browser never sends to a server, and leaves the address bar at once.
import { $, api, element, notify, onSubmit, show, showErrors, summaryList, view } from "./core.js";

const ENROLMENT_PAGE = "/enrol";
const enrolment = { token: null, username: null };

view("enrol", { title: "Set up your account", enter: open });

// Whether the page was opened from an enrolment link not yet used up in this page.
export function enrolling() {
  if (location.pathname === ENROLMENT_PAGE && location.hash.length > 1) {
    enrolment.token = location.hash.slice(1);
    history.replaceState(null, "", ENROLMENT_PAGE);
  }
  return enrolment.token !== null;
}

async function open() {
  $("enrol-form").reset();
  $("enrol-authenticator").replaceChildren();
  const opened = await api("POST", "/enrolment", { body: { token: enrolment.token } });
  enrolment.username = opened.username;
  const qr = new DOMParser().parseFromString(opened.qr_svg, "image/svg+xml").documentElement;
  qr.setAttribute("role", "img");
  qr.setAttribute("aria-label", "QR code of your authenticator secret");
  $("enrol-authenticator").replaceChildren(
    summaryList([["Your username", opened.username]]),
    element("p", { class: "govuk-body", text: "Scan this QR code with your authenticator app:" }),
    element("div", { class: "cp-qr" }, document.importNode(qr, true)),
    element("p", { class: "govuk-body", text: "Or type this secret into the app by hand:" }),
    element("p", { class: "govuk-body" }, element("code", { id: "enrol-secret", text: opened.totp_secret.match(/.{1,4}/g).join(" ") })),
  );
}

onSubmit($("enrol-form"), async (values) => {
  const problems = [];
  if (!values.password) problems.push({ field: "enrol-password", message: "Choose a password" });
  else if (values.password !== values.confirm_password) problems.push({ field: "enrol-confirm-password", message: "The passwords do not match" });
  if (!values.otp) problems.push({ field: "enrol-otp", message: "Enter the 6-digit code your authenticator app shows" });
  if (problems.length) return showErrors(problems);
  await api("POST", "/enrolment/complete", { body: { token: enrolment.token, password: values.password, otp: values.otp } });
  enrolment.token = null;
  history.replaceState(null, "", "/");
  show("sign-in");
  $("username").value = enrolment.username;
  notify("Your account is set up. Sign in with your new password and a new code from your authenticator app.");
}, { fieldFor: { weak_password: "password", wrong_code: "otp" } });
