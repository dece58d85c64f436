// Passkeys: the answer to a sign-in challenge, and registering one for the signed-in holder.
// The browser's own JSON forms of WebAuthn carry the options and answers (base64url fields).
import { $, api, onPress, view } from "./core.js";

view("passkeys", { roles: ["practitioner", "approver", "la_admin", "auditor"], title: "Passkeys", nav: "Passkeys",
  enter: () => { $("passkey-required").checked = false; $("passkey-status").textContent = ""; } });

// What /auth/login takes as "passkey": this account's challenge, answered by the authenticator (user verified).
export async function passkeyAnswer(username) {
  const { ceremony, options } = await api("POST", "/auth/passkey-challenge", { body: { username } });
  const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
  return { ceremony, credential: credential.toJSON() };
}

$("add-passkey").addEventListener("click", onPress(async () => {
  const { ceremony, options } = await api("POST", "/auth/passkeys/challenge");
  const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
  const added = await api("POST", "/auth/passkeys", {
    body: { ceremony, credential: credential.toJSON(), required: $("passkey-required").checked },
  });
  $("passkey-status").textContent = `Passkey added. Your account has ${added.passkeys} passkey${added.passkeys === 1 ? "" : "s"}`
    + (added.passkey_required ? " and signs in with a passkey only." : ".");
}));
