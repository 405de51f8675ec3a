// Parts of the signed-out pages (sign in, forgotten password, reset link, invitation link) and of the account
// page: the centred card, a new-password pair, the second sign-in step (TOTP code, recovery code, or setting up
// an authenticator when the organisation requires one) and the once-only list of recovery codes.

import { api } from "./api.js";
import { field, submitForm } from "./forms.js";
import { h, loading } from "./ui.js";

/** The centred card of the signed-out pages; its h1 takes the focus after navigation. */
export function publicCard(title, lead, ...content) {
  return h("div", { class: "login-page" },
    h("div", { class: "login-card" },
      h("div", { class: "login-brand" },
        h("span", { class: "brand-mark brand-mark-large", "aria-hidden": "true", text: "M" }),
        h("span", { class: "login-brand-name", text: "Meridian" })),
      h("h1", { class: "login-title", tabindex: "-1", text: title }),
      lead ? h("p", { class: "login-lead", text: lead }) : null,
      ...content));
}

/** A new password and its repetition; `check()` answers field errors for submitForm's validate. */
export function newPasswordFields({ label = "New password", name = "password", minLength = 12 } = {}) {
  const password = field({ label, name, type: "password", required: true, autocomplete: "new-password",
    hint: `At least ${minLength} characters. Long phrases are easiest to remember; common or leaked passwords are refused.`,
    attrs: { minlength: String(minLength), maxlength: "200" } });
  const repeat = field({ label: "Repeat the password", name: `${name}_repeat`, type: "password", required: true,
    autocomplete: "new-password", attrs: { maxlength: "200" } });
  return {
    wrappers: [password.wrapper, repeat.wrapper],
    password,
    value: () => password.control.value,
    check() {
      const errors = {};
      if (!password.control.value) errors[name] = ["Enter a password."];
      else if (password.control.value !== repeat.control.value) errors[`${name}_repeat`] = ["The two passwords differ."];
      return errors;
    },
  };
}

/** The recovery codes, shown once, with the one way on (`onContinue`). */
export function recoveryCodesPanel(codes, { onContinue, continueText = "I have saved my codes" }) {
  const next = h("button", { type: "button", class: "btn btn-primary", text: continueText, onClick: onContinue });
  const panel = h("section", { class: "recovery-codes", "aria-labelledby": "recovery-title" },
    h("h2", { class: "card-title", id: "recovery-title", tabindex: "-1", text: "Your recovery codes" }),
    h("p", { text: "Each code signs you in once if you lose your phone. Keep them somewhere safe: they are shown only now." }),
    h("ul", { class: "code-list", "aria-label": "Recovery codes" }, codes.map((code) => h("li", {}, h("code", { text: code })))),
    h("div", { class: "form-actions" }, next));
  return { panel, focus: () => panel.querySelector("h2").focus() };
}

/** The QR code and the typed secret of an authenticator set-up. */
export function authenticatorSetup(setup) {
  return h("div", { class: "totp-setup" },
    h("img", { class: "totp-qr", src: setup.qr_svg, width: "200", height: "200",
      alt: "QR code to scan with your authenticator app" }),
    h("p", {}, "Cannot scan? Enter this key in the app: ",
      h("code", { class: "totp-secret", text: setup.secret.replace(/(.{4})/g, "$1 ").trim() })));
}

export function codeField(label = "6-digit code") {
  return field({ label, name: "code", required: true, autocomplete: "one-time-code",
    attrs: { inputmode: "numeric", pattern: "[0-9 ]*", maxlength: "7", spellcheck: "false" } });
}

/**
 * The second sign-in step in `container` for a challenge from /auth/login (or an accepted invitation).
 * Enrolled users type a code (or switch to a recovery code); users whose organisation requires two-factor
 * sign-in but who have none set it up here. `onDone(result)` gets the signed-in answer (with
 * `recovery_codes` after a set-up).
 */
export async function secondFactorStep(container, challenge, { onDone, onRestart }) {
  const problems = h("div", { class: "form-alerts", id: "mfa-alerts" });
  const heading = h("h2", { class: "card-title", tabindex: "-1" });
  const restart = h("button", { type: "button", class: "btn btn-ghost", text: "Start again", onClick: onRestart });
  let useRecovery = false;
  const code = codeField();
  const recovery = field({ label: "Recovery code", name: "recovery_code", required: true, autocomplete: "off",
    hint: "One of the codes you saved when you set up two-factor sign-in.", attrs: { maxlength: "20", spellcheck: "false" } });
  recovery.wrapper.hidden = true;
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block", text: "Verify" });
  const toggle = h("button", { type: "button", class: "btn btn-link", text: "Use a recovery code instead" });
  const form = h("form", { class: "form", novalidate: true, "aria-describedby": "mfa-alerts" },
    problems, code.wrapper, recovery.wrapper, submit);
  toggle.addEventListener("click", () => {
    useRecovery = !useRecovery;
    code.wrapper.hidden = useRecovery;
    recovery.wrapper.hidden = !useRecovery;
    toggle.textContent = useRecovery ? "Use the code from my app instead" : "Use a recovery code instead";
    (useRecovery ? recovery : code).control.focus();
  });

  let intro;
  if (challenge.mfa_enrolment_required) {
    heading.textContent = "Set up two-factor sign-in";
    container.replaceChildren(heading, loading("Preparing your authenticator key…"));
    const setup = await api.post("/api/v1/auth/login/mfa/setup", { mfa_token: challenge.mfa_token });
    intro = [h("p", { text: "Your organisation requires a second step at sign-in. Scan the QR code with an authenticator app (Microsoft Authenticator, Google Authenticator, 1Password…), then enter the code it shows." }),
      authenticatorSetup(setup)];
  } else {
    heading.textContent = "Two-factor sign-in";
    intro = [h("p", { text: "Enter the code your authenticator app shows for Meridian." })];
  }

  submitForm(form, {
    button: submit, busyText: "Checking…", problems,
    validate: () => {
      const control = useRecovery ? recovery.control : code.control;
      return control.value.trim() ? {} : { [control.name]: ["Enter the code."] };
    },
    send: () => api.post("/api/v1/auth/login/mfa", useRecovery
      ? { mfa_token: challenge.mfa_token, recovery_code: recovery.control.value.trim() }
      : { mfa_token: challenge.mfa_token, code: code.control.value.replace(/\s+/g, "") }),
    onSuccess: onDone,
    onError: (error) => {
      if (error.status === 401) { // the step expired or was used up: back to the password
        onRestart(error);
        return true;
      }
      code.control.value = "";
      return false;
    },
  });

  container.replaceChildren(heading, ...intro, form,
    h("div", { class: "login-links" }, challenge.mfa_enrolment_required ? null : toggle, restart));
  heading.focus();
}
