// "Forgot your password?": mails a reset link. The answer is the same whether or not the address has an
// account, so the page cannot be used to find out who has one.

import { api } from "../api.js";
import { publicCard } from "../auth-pages.js";
import { field, submitForm } from "../forms.js";
import { h, setTitle } from "../ui.js";

export async function render(root) {
  setTitle("Forgot password");
  const email = field({ label: "E-mail", name: "email", type: "email", required: true, autocomplete: "username",
    attrs: { autocapitalize: "none", spellcheck: "false" } });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block", text: "Send the link" });
  const problems = h("div", { class: "form-alerts", id: "forgot-alerts" });
  const form = h("form", { class: "form", novalidate: true, "aria-describedby": "forgot-alerts" },
    problems, email.wrapper, submit);
  const stage = h("div", {}, form);
  submitForm(form, {
    button: submit, busyText: "Sending…", problems,
    validate: () => (email.control.value.trim() ? {} : { email: ["Enter your e-mail address."] }),
    send: () => api.post("/api/v1/auth/password/forgot", { email: email.control.value.trim() }),
    onSuccess: (answer) => {
      const note = h("p", { class: "notice-success", role: "status", tabindex: "-1", text: answer.detail });
      stage.replaceChildren(note, h("p", { text: "The link works once and for an hour. Check your spam folder if nothing arrives." }));
      note.focus();
    },
  });
  root.append(publicCard("Forgot your password?", "Enter your e-mail address and we will send you a link to choose a new password.",
    stage, h("p", { class: "login-links" }, h("a", { href: "#/login", text: "Back to sign in" }))));
  email.control.focus();
}
