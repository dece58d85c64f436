// The ContactPoint page: signing in and out, the menu for one's role, and the idle timeout warning.
// Each area's screens are in a module of their own; this one starts them and decides what to show.
import {
  $, api, allowed, currentView, element, formValues, navigation, notify, on, onPress, onSubmit, remember, session, show,
  showErrors, reloaded, showRefusal, signedOut, view,
} from "./core.js";
import "./search.js";
import "./audit.js";
import "./accounts.js";
import "./reviews.js";
import "./sources.js";
import "./shielding.js";
import "./disclosures.js";
import "./password.js";
import { enrolling } from "./enrolment.js";
import { passkeyAnswer } from "./passkeys.js";

// The first screen for each role after signing in.
const HOME = { practitioner: "search", approver: "search", auditor: "audit", la_admin: "accounts" };

view("sign-in", { title: "Sign in", enter: () => $("sign-in-form").reset() });

function home() {
  const first = HOME[session.role];
  return allowed(first) ? first : navigation()[0]?.name;
}

// Routes follow the address's fragment (#search, #audit, ...) so the browser's back button works.
function route() {
  if (!session.token && enrolling()) {
    if (currentView() !== "enrol") show("enrol");
    return;
  }
  const wanted = location.hash.replace(/^#/, "");
  if (!session.token) {
    if (currentView() !== "sign-in") show("sign-in");
    return;
  }
  const name = allowed(wanted) && navigation().some((entry) => entry.name === wanted) ? wanted : home();
  if (!name) {
    show("sign-in");
    showErrors([{ field: null, message: "Your account has no screens on this page. Ask your LA ContactPoint team." }]);
    return;
  }
  if (name !== currentView()) show(name);
}

function go(name) {
  if (location.hash === "#" + name) route();
  else location.hash = name;
}

function drawHeader() {
  const signedIn = session.token !== null;
  $("signed-in").hidden = !signedIn;
  $("navigation").hidden = !signedIn;
  $("signed-in-as").textContent = signedIn ? `Signed in as ${session.username}` : "";
  $("navigation-list").replaceChildren(...(signedIn ? navigation() : []).map(({ name, label }) =>
    element("li", { class: "govuk-header__navigation-item" }, element("a", {
      class: "govuk-header__link", href: "#" + name, "data-view": name, text: label,
      // A record opens under its search's address: following that address again changes nothing the browser sees.
      onclick: (event) => { if (location.hash === "#" + name) { event.preventDefault(); show(name); } },
    }))));
}

// ----- signing in and out -----

// A wrong factor is never named (the API says only that one is not right), so the refusal points at the first.
onSubmit($("sign-in-form"), async (form) => {
  const missing = [
    ["username", "Enter your username"], ["password", "Enter your password"], ["otp", "Enter the 6-digit code from your authenticator app"],
  ].filter(([field]) => !form[field]).map(([field, message]) => ({ field, message }));
  if (missing.length) return showErrors(missing);
  await signIn(form, { otp: form.otp });
}, { fieldFor: { not_authenticated: "username", throttled: "username" } });

// A passkey in place of the one-time code.
$("sign-in-passkey").addEventListener("click", onPress(async () => {
  const form = formValues($("sign-in-form"));
  const missing = [["username", "Enter your username"], ["password", "Enter your password"]]
    .filter(([field]) => !form[field]).map(([field, message]) => ({ field, message }));
  if (missing.length) return showErrors(missing);
  await signIn(form, { passkey: await passkeyAnswer(form.username) });
}));

async function signIn(form, secondFactor) {
  $("password").value = "";
  $("otp").value = "";
  const signedIn = await api("POST", "/auth/login", { body: { username: form.username, password: form.password, ...secondFactor } });
  const token = signedIn.access_token;
  idleSeconds = signedIn.idle_timeout || idleSeconds;
  remember(token, {});
  const who = await api("GET", "/auth/session");
  remember(token, { username: who.username, role: who.role, la: who.la_code });
  $("sign-in-form").reset();
  drawHeader();
  restartIdleClock();
  go(home());
}

async function signOut(message) {
  if (session.token) {
    try {
      await api("POST", "/auth/logout");
    } catch {
      // The token is dropped from memory whatever the answer: the page is signed out either way.
    }
  }
  signedOut(message);
}

on("signedOut", (message) => {
  stopIdleClock();
  for (const id of ["results", "record", "events", "alerts", "disclosures", "my-disclosures", "disclosed-record"]) $(id)?.replaceChildren();
  drawHeader();
  history.replaceState(null, "", location.pathname);
  show("sign-in");
  notify(message);
});

$("sign-out").addEventListener("click", () => signOut("You have signed out."));

// ----- idle timeout (GOV.UK timeout warning) -----
// The server ends a session left unused for the idle timeout; each answered API call restarts
// its clock, and this page's. A warning comes two minutes before the end (a quarter of it when shorter).

// The server's idle timeout as the page was served; the sign-in answer may say it afresh.
let idleSeconds = Number(document.querySelector('meta[name="cp-idle-seconds"]').content) || 30 * 60;
const warnSeconds = () => Math.min(120, Math.floor(idleSeconds / 4));
const idle = { warnAt: null, endAt: null, countdown: null };

function restartIdleClock() {
  stopIdleClock();
  idle.warnAt = setTimeout(warn, (idleSeconds - warnSeconds()) * 1000);
  idle.endAt = setTimeout(() => signOut(`You were signed out because you had not used ContactPoint for ${minutes(idleSeconds)}.`), idleSeconds * 1000);
}

function stopIdleClock() {
  clearTimeout(idle.warnAt);
  clearTimeout(idle.endAt);
  clearInterval(idle.countdown);
  if ($("timeout-warning").open) $("timeout-warning").close();
}

function minutes(seconds) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const whole = Math.round(seconds / 60);
  return `${whole} minute${whole === 1 ? "" : "s"}`;
}

function warn() {
  const ends = Date.now() + warnSeconds() * 1000;
  const tick = () => { $("timeout-countdown").textContent = minutes(Math.max(0, Math.round((ends - Date.now()) / 1000))); };
  tick();
  idle.countdown = setInterval(tick, 1000);
  $("timeout-warning").showModal();
  $("stay-signed-in").focus();
}

on("answered", restartIdleClock);

$("stay-signed-in").addEventListener("click", async () => {
  $("timeout-warning").close();
  try {
    await api("GET", "/auth/session");
  } catch (error) {
    if (session.token) showRefusal(error);
  }
});
$("timeout-sign-out").addEventListener("click", () => signOut("You have signed out."));
// Escape on the dialog counts as staying signed in, as GOV.UK's timeout warning does.
$("timeout-warning").addEventListener("cancel", (event) => { event.preventDefault(); $("stay-signed-in").click(); });

window.addEventListener("hashchange", route);
drawHeader();
route();
if (reloaded()) notify("Reloading the page signed you out: ContactPoint keeps your session in the open page alone. Sign in again.");
