// Sign in with e-mail and password (POST /api/v1/auth/login); the server sets the session cookies.

import { clearAlerts } from "../alerts.js";
import { api } from "../api.js";
import { navigate, setUser, takeNextRoute } from "../app.js";
import { field, submitForm } from "../forms.js";
import { h, setTitle } from "../ui.js";

export async function render(root) {
  setTitle("Sign in");
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
      clearAlerts();
      setUser(result.user);
      navigate(takeNextRoute());
    },
    onError: (error) => {
      password.control.value = "";
      if (!error.errors) email.control.focus(); // field errors focus their own input
      return false;
    },
  });

  root.append(h("div", { class: "login-page" },
    h("div", { class: "login-card" },
      h("div", { class: "login-brand" },
        h("span", { class: "brand-mark brand-mark-large", "aria-hidden": "true", text: "M" }),
        h("span", { class: "login-brand-name", text: "Meridian" })),
      h("h1", { class: "login-title", tabindex: "-1", text: "Sign in" }),
      h("p", { class: "login-lead", text: "SAP project delivery, from Explore to hypercare." }),
      form)));
  email.control.focus();
}
