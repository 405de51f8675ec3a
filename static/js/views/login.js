// Sign in with e-mail and password (POST /api/v1/auth/login); when the account (or the organisation) needs a
// second factor, the same card asks for it (auth-pages.js). The server sets the session cookies.

import { clearAlerts, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { navigate, setUser, takeNextRoute } from "../app.js";
import { publicCard, recoveryCodesPanel, secondFactorStep } from "../auth-pages.js";
import { field, submitForm } from "../forms.js";
import { h, setTitle } from "../ui.js";

/** Signed in: remember the user and go where they were headed (after showing new recovery codes, if any). */
export function finishSignIn(body, stage, target = null) {
  const go = () => {
    clearAlerts();
    setUser(body.user);
    navigate(target || takeNextRoute());
  };
  if (body.recovery_codes) {
    const { panel, focus } = recoveryCodesPanel(body.recovery_codes, { onContinue: go });
    stage.replaceChildren(panel);
    focus();
  } else {
    go();
  }
}

export async function render(root) {
  setTitle("Sign in");
  const stage = h("div", { class: "login-stage" });
  root.append(publicCard("Sign in", "SAP project delivery, from Explore to hypercare.", stage));
  showPasswordStep(stage);
}

function showPasswordStep(stage, notice = null) {
  const email = field({ label: "E-mail", name: "email", type: "email", required: true, autocomplete: "username",
    attrs: { autocapitalize: "none", spellcheck: "false" } });
  const password = field({ label: "Password", name: "password", type: "password", required: true,
    autocomplete: "current-password" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block", text: "Sign in" });
  const problems = h("div", { class: "form-alerts", id: "login-alerts" });
  const form = h("form", { class: "form login-form", novalidate: true, "aria-describedby": "login-alerts" },
    problems, email.wrapper, password.wrapper, submit);

  submitForm(form, {
    button: submit, busyText: "Signing in…", problems,
    validate: () => {
      const missing = {};
      if (!email.control.value.trim()) missing.email = ["Enter your e-mail address."];
      if (!password.control.value) missing.password = ["Enter your password."];
      return missing;
    },
    send: () => api.post("/api/v1/auth/login", { email: email.control.value.trim(), password: password.control.value }),
    onSuccess: (result) => {
      if (!result.mfa_required) {
        finishSignIn(result, stage);
        return;
      }
      clearAlerts();
      return secondFactorStep(stage, result, {
        onDone: (body) => finishSignIn(body, stage),
        onRestart: (error) => showPasswordStep(stage, error),
      });
    },
    onError: (error) => {
      password.control.value = "";
      if (!error.errors) email.control.focus(); // field errors focus their own input
      return false;
    },
  });

  stage.replaceChildren(form, h("p", { class: "login-links" },
    h("a", { href: "#/forgot-password", text: "Forgot your password?" })));
  if (notice) showProblem(notice, { container: problems });
  email.control.focus();
}
