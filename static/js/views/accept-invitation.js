// The link from an invitation e-mail: #/accept-invitation?token=… The invitee chooses their name and password
// and is signed in — after setting up two-factor sign-in when their organisation requires it.

import { showProblem } from "../alerts.js";
import { api } from "../api.js";
import { newPasswordFields, publicCard, secondFactorStep } from "../auth-pages.js";
import { field, submitForm } from "../forms.js";
import { h, label, loading, ROLES, setTitle } from "../ui.js";
import { finishSignIn } from "./login.js";

export async function render(root, { query, signal }) {
  setTitle("Accept invitation");
  const token = query.get("token") || "";
  const stage = h("div", {}, loading("Checking the invitation…"));
  root.append(publicCard("Accept your invitation", null, stage,
    h("p", { class: "login-links" }, h("a", { href: "#/login", text: "Already have an account? Sign in" }))));
  let info;
  try {
    info = await api.post("/api/v1/auth/invitation", { token }, { signal });
  } catch (error) {
    stage.replaceChildren(h("p", { text: "Ask whoever invited you to send the invitation again." }));
    showProblem(error);
    return;
  }
  const name = field({ label: "Your name", name: "name", required: true, value: info.name || "", autocomplete: "name",
    attrs: { maxlength: "200" } });
  const pair = newPasswordFields({ minLength: info.password_min_length });
  const problems = h("div", { class: "form-alerts", id: "accept-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block", text: "Join and sign in" });
  const form = h("form", { class: "form", novalidate: true, "aria-describedby": "accept-alerts" },
    problems,
    h("p", {}, `Join ${info.tenant.name} as ${label(ROLES, info.role)}. Your sign-in name is `, h("strong", { text: info.email }), "."),
    info.mfa_required ? h("p", { text: "Your organisation requires two-factor sign-in: have an authenticator app ready." }) : null,
    name.wrapper, ...pair.wrappers, submit);
  submitForm(form, {
    button: submit, busyText: "Joining…", problems,
    validate: () => ({ ...(name.control.value.trim() ? {} : { name: ["Enter your name."] }), ...pair.check() }),
    send: () => api.post("/api/v1/auth/invitation/accept",
      { token, name: name.control.value.trim(), password: pair.value() }, { signal }),
    onSuccess: (result) => {
      if (!result.mfa_required) return finishSignIn(result, stage, "#/projects");
      return secondFactorStep(stage, result, {
        onDone: (body) => finishSignIn(body, stage, "#/projects"),
        onRestart: () => { window.location.hash = "#/login"; },
      });
    },
  });
  stage.replaceChildren(form);
  name.control.focus();
}
