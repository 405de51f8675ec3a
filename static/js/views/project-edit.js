// The project edit form: sends only the fields that changed, with If-Match on the version it was opened at.
// A stale version (409) is handed to the page, which offers to reload; field errors sit next to their inputs.

import { ApiError, api, ifMatch } from "../api.js";
import { NOTHING_CHANGED, field, submitForm } from "../forms.js";
import { PHASES, h } from "../ui.js";

function projectFields(project) {
  return {
    name: field({ label: "Name", name: "name", required: true, value: project.name, attrs: { maxlength: "200" } }),
    code: field({ label: "Code", name: "code", required: true, value: project.code,
      hint: "2–32 characters: letters, digits, - or _.", attrs: { maxlength: "32", spellcheck: "false" } }),
    customer_name: field({ label: "Customer", name: "customer_name", value: project.customer_name,
      attrs: { maxlength: "200" } }),
    phase: field({ label: "Phase", name: "phase", type: "select", options: PHASES, value: project.phase }),
    go_live_date: field({ label: "Go-live date", name: "go_live_date", type: "date", value: project.go_live_date }),
    hypercare_start: field({ label: "Hypercare start", name: "hypercare_start", type: "date",
      value: project.hypercare_start }),
    hypercare_end: field({ label: "Hypercare end", name: "hypercare_end", type: "date", value: project.hypercare_end }),
    timezone: field({ label: "Time zone", name: "timezone", required: true, value: project.timezone,
      hint: "An IANA name such as Europe/Istanbul.", attrs: { spellcheck: "false" } }),
    description: field({ label: "Description", name: "description", type: "textarea", value: project.description,
      attrs: { maxlength: "4000" } }),
  };
}

/** What the form holds that differs from `base` (dates empty = null; text trimmed, except the description). */
function changedFields(fields, base) {
  const changes = {};
  for (const [name, item] of Object.entries(fields)) {
    const isDate = item.control.type === "date";
    let value = item.control.value;
    if (isDate) value = value || null;
    else if (name !== "description") value = value.trim();
    const before = base[name] ?? (isDate ? null : "");
    if (value !== before) changes[name] = value;
  }
  return changes;
}

/**
 * Show the edit form for `project` (at `url`) in `card` and focus its first field.
 * onSaved(project), onUnchanged() and onCancel() close it; onConflict(container) shows a stale-version notice.
 */
export function openProjectEditor(card, { project, url, signal, onSaved, onUnchanged, onCancel, onConflict }) {
  const fields = projectFields(project);
  const base = { ...project };
  const problems = h("div", { class: "form-alerts" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save changes" });
  const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: onCancel });
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "edit-project-title" },
    problems,
    h("div", { class: "form-grid" }, Object.entries(fields)
      .filter(([name]) => name !== "description").map(([, item]) => item.wrapper)),
    fields.description.wrapper,
    h("p", { class: "form-note", text: `You are editing version ${project.version}.` }),
    h("div", { class: "form-actions" }, save, cancel));

  submitForm(form, {
    button: save, problems,
    send: () => {
      const changes = changedFields(fields, base);
      if (!Object.keys(changes).length) return NOTHING_CHANGED;
      return api.patch(url, changes, { headers: ifMatch(base.version), signal });
    },
    onSuccess: onSaved,
    onUnchanged,
    onError: (error) => {
      if (!(error instanceof ApiError && error.status === 409)) return false;
      onConflict(problems);
      return true;
    },
  });

  card.replaceChildren(h("h2", { class: "card-title", id: "edit-project-title", text: "Edit project" }), form);
  card.hidden = false;
  fields.name.control.focus();
}
