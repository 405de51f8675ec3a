// Shared by the delivery detail pages (requirement, backlog item, defect, test cycle): an edit form that sends
// only what changed, with If-Match; a stale version (409) reloads the object and says so; field-level errors
// (422) appear next to their inputs; the one-click status steps (detailActions); and the change history from the
// audit trail, in words.

import { alertBox, showMessage, showProblem } from "../alerts.js";
import { ApiError, api, ifMatch } from "../api.js";
import { NOTHING_CHANGED, field, submitForm } from "../forms.js";
import { announce, chip, formatDateTime, formatValue, h, label, loading } from "../ui.js";
import { plainText } from "./delivery.js";

/** A 409 because the object changed after it was loaded (not a refused workflow move). */
export function isStale(error) {
  return error instanceof ApiError && error.status === 409 && Boolean(error.problem)
    && Object.prototype.hasOwnProperty.call(error.problem, "current_version");
}

/** The message shown when a save met a newer version: the page has already reloaded it. */
export function conflictNotice(noun) {
  return alertBox({ title: `Someone else changed this ${noun} while you were editing`, tone: "warning",
    detail: "Your changes were not saved. The latest version is shown now; make your changes again.",
    className: "conflict", dismissible: false });
}

/** After a failed write: a stale version reloads the object and says so; any other problem is shown as it is. */
export async function reportWriteError(error, reload, noun) {
  if (!isStale(error)) {
    showProblem(error);
    return;
  }
  await reload();
  document.getElementById("alerts").replaceChildren(conflictNotice(noun));
}

// Kinds of control: text (trimmed), plain (sanitised rich text edited as plain text, sent only when changed),
// select, nullable (a select whose "" means none), number ("" = none), date ("" = none).
function controlType(kind) {
  if (kind === "plain" || kind === "textarea") return "textarea";
  if (kind === "nullable") return "select";
  return kind === "text" ? "text" : kind;
}

function shown(item, value) {
  if (item.kind === "plain") return plainText(value);
  return value === null || value === undefined ? "" : value;
}

function read(item, control) {
  const raw = control.value;
  if (item.kind === "number") return raw === "" ? null : Number(raw);
  if (item.kind === "date" || item.kind === "nullable") return raw || null;
  if (item.kind === "select") return raw;
  return raw.trim();
}

function before(item, value) {
  if (item.kind === "plain") return plainText(value).trim();
  if (item.kind === "text" || item.kind === "textarea") return (value ?? "").trim();
  if (item.kind === "number") return value === null || value === undefined ? null : Number(value);
  return value ?? null;
}

/**
 * Open an edit form in `card` (a hidden <section> that this fills and shows).
 * options: {titleId, heading, noun, object, spec: [{name, label, kind, options, required, hint, attrs, wide}],
 *   save(changes, version) -> updated object, reload() -> fresh object (and redraw the page),
 *   onSaved(updated), onClose()}
 */
export function openEditor(card, options, notice = null) {
  const { titleId, heading, noun, object, spec, save, reload, onSaved, onClose } = options;
  const items = spec.map((item) => ({ ...item, f: field({ label: item.label, name: item.name, type: controlType(item.kind),
    options: item.options, value: shown(item, object[item.name]), required: item.required, hint: item.hint,
    attrs: item.attrs || {} }) }));
  const problems = h("div", { class: "form-alerts" }, notice);
  const saveButton = h("button", { type: "submit", class: "btn btn-primary", text: "Save changes" });
  const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: () => close() });
  const form = h("form", { class: "form", novalidate: true, "aria-labelledby": titleId }, problems,
    h("div", { class: "form-grid" }, items.filter((item) => !item.wide).map((item) => item.f.wrapper)),
    items.filter((item) => item.wide).map((item) => item.f.wrapper),
    h("p", { class: "form-note", text: `You are editing version ${object.version}.` }),
    h("div", { class: "form-actions" }, saveButton, cancel));

  function close() {
    card.hidden = true;
    card.replaceChildren();
    if (onClose) onClose();
  }

  submitForm(form, {
    button: saveButton, problems,
    send: () => {
      const changes = {};
      for (const item of items) {
        const value = read(item, item.f.control);
        if (value !== before(item, object[item.name])) changes[item.name] = value;
      }
      return Object.keys(changes).length ? save(changes, object.version) : NOTHING_CHANGED;
    },
    onSuccess: (updated) => {
      close();
      onSaved(updated);
    },
    onUnchanged: () => {
      close();
      announce("Nothing changed.");
    },
    onError: async (error) => {
      if (!isStale(error)) return false;
      try {
        const fresh = await reload();
        openEditor(card, { ...options, object: fresh }, conflictNotice(noun));
      } catch (reloadError) {
        showProblem(reloadError, { container: problems });
      }
      return true;
    },
  });

  card.replaceChildren(h("h2", { class: "card-title", id: titleId, text: heading }), form);
  card.hidden = false;
  if (typeof card.scrollIntoView === "function") card.scrollIntoView({ block: "nearest" });
  items[0].f.control.focus();
}

/** Facts as a definition list: [[term, text or node], ...]. */
export function factList(pairs) {
  return h("dl", { class: "facts" }, pairs.map(([term, value]) => h("div", { class: "fact" },
    h("dt", { text: term }), value instanceof Node ? h("dd", {}, value) : h("dd", { text: value ?? "—" }))));
}

/** The project's members a delivery object can be assigned to: [[user id, name], ...]. */
export async function projectPeople(project, signal) {
  const page = await api.get(`/api/v1/projects/${project.id}/members`, { signal });
  return page.items.filter((member) => member.role !== "viewer").map((member) => [member.user_id, member.name]);
}

/** Assignee options: "Unassigned", the members, and the current assignee even if no longer a member. */
export function assigneeOptions(people, current) {
  const options = [["", "Unassigned"], ...people];
  if (current && !people.some(([id]) => id === current.id)) options.push([current.id, current.name]);
  return options;
}

const HIDDEN = new Set(["id", "tenant_id", "project_id", "version", "created_at", "created_by", "updated_at", "updated_by",
  "deleted_by", "external_id"]);
const CHANGE_TYPES = { INITIAL: "created", UPDATE: "changed", DELETE: "deleted", RESTORE: "restored" };

/**
 * Fill `card` with the object's change history (newest first). `names` maps a property to its label,
 * `formats` maps a property to a function turning a stored value into words (a status label, a person's name).
 */
export async function renderHistory(card, { entityType, id, titleId, signal, names = {}, formats = {} }) {
  card.replaceChildren(h("h2", { class: "card-title", id: titleId, text: "Change history" }), loading());
  const history = await api.get(`/api/v1/audit/${entityType}/${id}/history`, { query: { limit: 20 }, signal });
  const words = (property, value) => (value === null || value === undefined || value === ""
    ? "—" : formats[property] ? formats[property](value) : formatValue(value));
  card.replaceChildren(card.firstChild, h("ol", { class: "timeline" }, history.items.map((version) => h("li",
    { class: "timeline-item" },
    h("div", { class: "timeline-head" }, h("span", { class: "timeline-version", text: `Version ${version.version}` }),
      chip(CHANGE_TYPES[version.change_type] || version.change_type.toLowerCase(), "neutral"),
      h("span", { class: "timeline-meta",
        text: `${version.author ? version.author.name : "System"} · ${formatDateTime(version.committed_at)}` })),
    version.change_type === "INITIAL" ? null : h("ul", { class: "change-list" }, version.changes
      .filter((change) => !HIDDEN.has(change.property))
      .map((change) => h("li", {}, h("strong", { text: names[change.property] || change.property }),
        `: ${words(change.property, change.left)} → ${words(change.property, change.right)}`)))))));
}

/** formats helper: a vocabulary ([[value, text]]) as a function. */
export function inWords(pairs) {
  return (value) => label(pairs, value);
}

/** formats helper: sanitised rich text as a short plain-text excerpt. */
export function excerpt(value) {
  const text = plainText(value).trim().replace(/\s+/g, " ");
  return text.length > 80 ? `${text.slice(0, 79)}…` : text || "—";
}

/**
 * The edit form and the one-click status steps of a delivery detail page (requirement, backlog item, defect), both
 * PATCHing `url` with If-Match. `current()` answers the object shown, `show(object)` redraws the page with a newer
 * one and `reload()` fetches it again (after a stale version); a step then puts the focus on `afterMove()`'s target.
 */
export function detailActions({ url, noun, statuses, signal, current, show, reload, afterMove }) {
  const patch = (changes, version) => api.patch(url, changes, { headers: ifMatch(version), signal });
  return {
    edit(card, { titleId, spec, savedText = (saved) => `${saved.code} was saved.` }) {
      const object = current();
      openEditor(card, { titleId, heading: `Edit ${object.code}`, noun, object, spec, save: patch, reload,
        onSaved: (updated) => {
          show(updated);
          showMessage(savedText(updated));
        } });
    },
    async move(next, button) {
      button.disabled = true;
      try {
        const moved = await patch({ status: next }, current().version);
        showMessage(`${moved.code} is now ${label(statuses, next)}.`);
        show(moved);
        afterMove();
      } catch (error) {
        button.disabled = false;
        await reportWriteError(error, reload, noun);
      }
    },
  };
}
