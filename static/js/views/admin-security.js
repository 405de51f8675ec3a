// Administration › Security: session lifetime and idle timeout, password policy, sign-in delays, the e-mail
// domains invitations may go to, and who must use two-factor sign-in. Saved with If-Match.

import { showMessage, showNotice } from "../alerts.js";
import { ApiError, api, ifMatch } from "../api.js";
import { NOTHING_CHANGED, field, submitForm } from "../forms.js";
import { card, h } from "../ui.js";

const NUMBERS = [
  ["session_absolute_minutes", "Session lifetime (minutes)", "A session ends this long after sign-in, even when active. 60–10080.", 60, 10080],
  ["session_idle_minutes", "Idle timeout (minutes)", "A session ends after this long without any request. 5–1440.", 5, 1440],
  ["password_min_length", "Minimum password length", "10–64 characters.", 10, 64],
  ["lockout_threshold", "Failed sign-ins before delays", "Then each further failure doubles the wait, from 30 seconds. 3–20.", 3, 20],
  ["lockout_max_delay_minutes", "Longest delay (minutes)", "The wait never grows beyond this; the right password then signs in. 1–60.", 1, 60],
];

export async function render(container, { signal }) {
  const settings = await api.get("/api/v1/admin/security", { signal });
  const fields = Object.fromEntries(NUMBERS.map(([name, text, hint, min, max]) => [name, field({
    label: text, name, type: "number", required: true, value: settings[name], hint, attrs: { min: String(min), max: String(max) },
  })]));
  fields.password_min_score = field({ label: "Password strength", name: "password_min_score", type: "select",
    value: String(settings.password_min_score), options: [["2", "Fair"], ["3", "Strong"], ["4", "Very strong"]],
    hint: "Estimated with zxcvbn; common and leaked passwords are always refused." });
  fields.mfa_required = field({ label: "Two-factor sign-in", name: "mfa_required", type: "select",
    value: settings.mfa_required, options: [["off", "Optional for everyone"], ["admins", "Required for admins"],
      ["everyone", "Required for everyone"]], hint: "Users without an authenticator set one up at their next sign-in." });
  fields.invitation_domains = field({ label: "Allowed e-mail domains for invitations", name: "invitation_domains",
    type: "textarea", value: settings.invitation_domains.join("\n"),
    hint: "One domain per line, e.g. example.com. Empty: invitations may go to any address." });
  const problems = h("div", { class: "form-alerts" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save security settings" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "Security settings" }, problems,
    h("div", { class: "form-grid" }, Object.values(fields).filter((item) => item !== fields.invitation_domains)
      .map((item) => item.wrapper)),
    fields.invitation_domains.wrapper, h("div", { class: "form-actions" }, save));

  let base = settings;
  const values = () => {
    const out = {};
    for (const [name] of NUMBERS) out[name] = Number(fields[name].control.value);
    out.password_min_score = Number(fields.password_min_score.control.value);
    out.mfa_required = fields.mfa_required.control.value;
    out.invitation_domains = fields.invitation_domains.control.value.split(/[\s,]+/).map((d) => d.trim().toLowerCase())
      .filter(Boolean);
    return out;
  };
  submitForm(form, {
    button: save, problems,
    send: () => {
      const changes = Object.fromEntries(Object.entries(values())
        .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(base[key])));
      if (!Object.keys(changes).length) return NOTHING_CHANGED;
      return api.patch("/api/v1/admin/security", changes, { headers: ifMatch(base.version), signal });
    },
    onSuccess: (saved) => {
      base = saved;
      showMessage("The security settings were saved. They apply to open sessions at once.");
    },
    onUnchanged: () => showMessage("Nothing changed.", { tone: "info" }),
    onError: (error) => {
      if (!(error instanceof ApiError && error.status === 409)) return false;
      showNotice(problems, { title: "Someone else changed the settings", detail: "Your changes were not saved.",
        action: { text: "Reload", onClick: () => { container.replaceChildren(); render(container, { signal }); } } });
      return true;
    },
  });
  container.append(card("Security settings", form));
}
