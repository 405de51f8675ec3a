// The connection form of the integrations page: configure a connector or edit its connection. Secrets are
// write-only (a blank one keeps what is stored); a new connection shows its webhook signing secret once.

import { showMessage } from "../alerts.js";
import { api, ifMatch } from "../api.js";
import { field, submitForm } from "../forms.js";
import { h } from "../ui.js";

const BASE = "/api/v1/integrations";

function specField(spec, connection) {
  const editing = Boolean(connection);
  const isSet = editing && spec.secret && connection.secrets_set[spec.name];
  return field({
    label: spec.label,
    name: `${spec.secret ? "secrets" : "config"}.${spec.name}`,
    type: spec.secret ? "password" : (spec.url ? "url" : "text"),
    required: spec.required && !(spec.secret && editing),
    value: spec.secret ? "" : ((connection && connection.config[spec.name]) || spec.default || ""),
    autocomplete: spec.secret ? "new-password" : "off",
    hint: spec.secret
      ? (isSet ? "A value is stored. Leave blank to keep it; it is never shown again." : "Write-only: stored encrypted, never shown again.")
      : spec.help || undefined,
    attrs: { spellcheck: "false", autocapitalize: "none", placeholder: isSet ? "•••••••• (set)" : (spec.help || "") },
  });
}

/** The signing secret of a new connection, shown this once; the panel closes when the user says it is stored. */
function showWebhookSecret(panel, created, onClose) {
  const close = h("button", { type: "button", class: "btn btn-primary", text: "I have stored the secret", onClick: onClose });
  panel.replaceChildren(
    h("h2", { class: "card-title", id: "connection-title", tabindex: "-1", text: `${created.name} saved` }),
    h("p", { text: "Give these to the sending system to deliver webhooks (Standard Webhooks, HMAC-SHA256)." }),
    h("dl", { class: "connector-facts" },
      h("dt", { text: "Webhook endpoint" }), h("dd", {}, h("code", { class: "secret-value", text: created.webhook_url })),
      h("dt", { text: "Signing secret" }), h("dd", {}, h("code", { class: "secret-value", text: created.webhook_secret }))),
    h("p", { class: "alert alert-warning", role: "note", text: "The signing secret is shown only now. Copy it before closing." }),
    h("div", { class: "form-actions" }, close));
  panel.querySelector("h2").focus();
}

/**
 * Show the form for catalogue `entry` in `panel`: a new connection, or `connection` to edit (If-Match).
 * onSaved() reloads the page's lists; onClose() hides the panel.
 */
export function openConnectionForm(panel, { entry, connection, signal, onSaved, onClose }) {
  const editing = Boolean(connection);
  const nameField = field({ label: "Connection name", name: "name", required: true,
    value: connection ? connection.name : `${entry.title}`, attrs: { maxlength: "120" } });
  const controls = entry.fields.map((spec) => ({ spec, ...specField(spec, connection) }));
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: editing ? "Save changes" : "Save connection" });
  const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: onClose });
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "connection-title" },
    problems, h("div", { class: "form-grid" }, nameField.wrapper, controls.map((item) => item.wrapper)),
    h("div", { class: "form-actions" }, submit, cancel));

  const requestBody = () => {
    const config = {};
    const secrets = {};
    for (const { spec, control } of controls) {
      const value = control.value.trim();
      if (spec.secret) {
        if (value) secrets[spec.name] = value;
      } else if (value || editing) config[spec.name] = value;
    }
    const body = { name: nameField.control.value.trim(), config };
    if (Object.keys(secrets).length || !editing) body.secrets = secrets; // a blank secret keeps the stored one
    return body;
  };
  submitForm(form, {
    button: submit, problems,
    send: () => (editing
      ? api.put(`${BASE}/connections/${connection.id}`, requestBody(), { headers: ifMatch(connection.version), signal })
      : api.post(`${BASE}/connections`, { kind: entry.kind, ...requestBody() }, { signal })),
    onSuccess: async (saved) => {
      if (editing) {
        onClose();
        showMessage(`${saved.name} was saved. Test it before relying on it.`);
      } else {
        showWebhookSecret(panel, saved, onClose);
      }
      await onSaved();
    },
  });
  panel.replaceChildren(h("h2", { class: "card-title", id: "connection-title" },
    editing ? `Edit ${connection.name}` : `Configure ${entry.title}`), form);
  panel.hidden = false;
  nameField.control.focus();
}
