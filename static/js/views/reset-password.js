// The link from a "forgot password" e-mail: #/reset-password?token=… Choosing a new password ends every
// session of the account; then the user signs in with it.

import { showProblem } from "../alerts.js";
import { api } from "../api.js";
import { flash, navigate } from "../app.js";
import { newPasswordFields, publicCard } from "../auth-pages.js";
import { submitForm } from "../forms.js";
import { h, loading, setTitle } from "../ui.js";

export async function render(root, { query, signal }) {
  setTitle("Choose a new password");
  const token = query.get("token") || "";
  const stage = h("div", {}, loading("Checking the link…"));
  const back = h("p", { class: "login-links" }, h("a", { href: "#/login", text: "Back to sign in" }));
  root.append(publicCard("Choose a new password", null, stage, back));
  let info;
  try {
    info = await api.post("/api/v1/auth/password/reset/check", { token }, { signal });
  } catch (error) {
    stage.replaceChildren(h("p", {}, h("a", { href: "#/forgot-password", text: "Ask for a new link" })));
    showProblem(error);
    return;
  }
  const pair = newPasswordFields({ minLength: info.password_min_length });
  const problems = h("div", { class: "form-alerts", id: "reset-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block", text: "Save the new password" });
  const form = h("form", { class: "form", novalidate: true, "aria-describedby": "reset-alerts" },
    problems, h("p", { text: `For ${info.email} (${info.tenant.name}).` }), ...pair.wrappers, submit);
  submitForm(form, {
    button: submit, busyText: "Saving…", problems,
    validate: () => pair.check(),
    send: () => api.post("/api/v1/auth/password/reset", { token, password: pair.value() }, { signal }),
    onSuccess: () => {
      flash("Your password was changed and every session signed out. Sign in with the new password.");
      navigate("#/login");
    },
  });
  stage.replaceChildren(form);
  pair.password.control.focus();
}
