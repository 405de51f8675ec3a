// The two user forms of the users page: "New user" and "Edit <name>" (only what changed, with If-Match; a stale
// version offers to reload the user). Each fills a panel the page shows and hides.

import { showNotice, showProblem } from "../alerts.js";
import { ApiError, api, ifMatch } from "../api.js";
import { session } from "../app.js";
import { NOTHING_CHANGED, busy, field, submitForm } from "../forms.js";
import { ROLES, SUPPORT_LEVELS, h } from "../ui.js";

const LEVEL_OPTIONS = SUPPORT_LEVELS.map((level) => [level, level]);

/** Show the support-level control only for the support role. */
function linkSupportLevel(roleControl, levelField) {
  const sync = () => {
    const isSupport = roleControl.value === "support";
    levelField.wrapper.hidden = !isSupport;
    levelField.control.disabled = !isSupport;
  };
  roleControl.addEventListener("change", sync);
  sync();
}

/** Fill `panel` with the "New user" form and focus it; onCreated(user) after the save, onCancel() on Cancel. */
export function fillCreateUser(panel, { signal, onCreated, onCancel }) {
  const fields = {
    email: field({ label: "E-mail", name: "email", type: "email", required: true, autocomplete: "off",
      attrs: { maxlength: "254", spellcheck: "false", autocapitalize: "none" } }),
    name: field({ label: "Name", name: "name", required: true, autocomplete: "off", attrs: { maxlength: "200" } }),
    role: field({ label: "Role", name: "role", type: "select", required: true, options: ROLES, value: "consultant" }),
    support_level: field({ label: "Support level", name: "support_level", type: "select", options: LEVEL_OPTIONS,
      value: "L1" }),
    password: field({ label: "Initial password", name: "password", type: "password", required: true,
      autocomplete: "new-password", hint: "10 to 200 characters. Share it securely; the user should change it." }),
  };
  linkSupportLevel(fields.role.control, fields.support_level);
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Create user" });
  const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: onCancel });
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "new-user-title" },
    problems, h("div", { class: "form-grid" }, Object.values(fields).map((item) => item.wrapper)),
    h("div", { class: "form-actions" }, submit, cancel));
  submitForm(form, {
    button: submit, busyText: "Creating…", problems,
    send: () => {
      const body = {
        email: fields.email.control.value.trim(),
        name: fields.name.control.value.trim(),
        role: fields.role.control.value,
        password: fields.password.control.value,
      };
      if (body.role === "support") body.support_level = fields.support_level.control.value;
      return api.post("/api/v1/users", body, { signal });
    },
    onSuccess: onCreated,
  });
  panel.replaceChildren(h("h2", { class: "card-title", id: "new-user-title", text: "New user" }), form);
  panel.hidden = false;
  fields.email.control.focus();
}

/**
 * Fill `panel` with the edit form of `user` and focus it. onSaved(user) after a save, onUnchanged() when nothing
 * changed, onCancel() on Cancel, onReloaded() after a stale version was reloaded (the form then shows the fresh one).
 */
export function fillEditUser(panel, user, { signal, onSaved, onUnchanged, onCancel, onReloaded }) {
  const self = user.id === session.user.id;
  const selfHint = self ? "You cannot change your own role or deactivate yourself." : undefined;
  const fields = {
    name: field({ label: "Name", name: "name", required: true, value: user.name, attrs: { maxlength: "200" } }),
    role: field({ label: "Role", name: "role", type: "select", options: ROLES, value: user.role, hint: selfHint,
      attrs: { disabled: self } }),
    support_level: field({ label: "Support level", name: "support_level", type: "select", options: LEVEL_OPTIONS,
      value: user.support_level || "L1" }),
    active: field({ label: "Active (may sign in)", name: "active", type: "checkbox", value: user.active,
      attrs: { disabled: self } }),
  };
  linkSupportLevel(fields.role.control, fields.support_level);
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Save changes" });
  const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: onCancel });
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "edit-user-title" },
    problems,
    h("p", { class: "form-note", text: user.email }),
    h("div", { class: "form-grid" }, fields.name.wrapper, fields.role.wrapper, fields.support_level.wrapper),
    fields.active.wrapper,
    h("div", { class: "form-actions" }, submit, cancel));

  function changedFields() {
    const changes = {};
    const name = fields.name.control.value.trim();
    if (name !== user.name) changes.name = name;
    if (!self) { // one's own role and active flag are not offered (the controls are disabled)
      const role = fields.role.control.value;
      if (role !== user.role) changes.role = role;
      if (fields.active.control.checked !== user.active) changes.active = fields.active.control.checked;
      const level = role === "support" ? fields.support_level.control.value : null;
      if (role === "support" && level !== user.support_level) changes.support_level = level;
    }
    return changes;
  }

  function showStale() {
    showNotice(problems, {
      title: "Someone else changed this user",
      detail: "Your changes were not saved. Reload to see the latest version, then make your changes again.",
      className: "conflict",
      action: { text: "Reload user", onClick: async (reload) => {
        try {
          const fresh = await busy(reload, () => api.get(`/api/v1/users/${user.id}`, { signal }), "Reloading…");
          fillEditUser(panel, fresh, { signal, onSaved, onUnchanged, onCancel, onReloaded });
          onReloaded();
        } catch (error) {
          showProblem(error, { container: problems });
        }
      } },
    });
  }

  submitForm(form, {
    button: submit, problems,
    send: () => {
      const changes = changedFields();
      if (!Object.keys(changes).length) return NOTHING_CHANGED;
      return api.patch(`/api/v1/users/${user.id}`, changes, { headers: ifMatch(user.version), signal });
    },
    onSuccess: onSaved,
    onUnchanged,
    onError: (error) => {
      if (!(error instanceof ApiError && error.status === 409)) return false;
      showStale();
      return true;
    },
  });
  panel.replaceChildren(h("h2", { class: "card-title", id: "edit-user-title" }, "Edit ", user.name), form);
  panel.hidden = false;
  fields.name.control.focus();
}
