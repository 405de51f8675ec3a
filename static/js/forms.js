// Forms: labelled controls, busy buttons, field-level problems next to their inputs (a 422's `errors`), the
// filter bar of a list, and submitForm, the one way a form is sent.

import { ApiError } from "./api.js";
import { showProblem } from "./alerts.js";
import { h, uniqueId } from "./ui.js";

/**
 * A labelled control in a .field wrapper.
 * field({label, name, type, value, required, options: [[value, text]], hint, autocomplete, attrs})
 * -> {wrapper, control}
 */
export function field({ label: text, name, type = "text", value, required = false, options, hint,
  autocomplete, attrs = {}, id }) {
  const controlId = id || uniqueId(`f-${name}`);
  let control;
  // The given value is also the control's default, so form.reset() returns to it (not to the first option).
  if (type === "select") {
    control = h("select", { id: controlId, name, required, ...attrs },
      (options || []).map(([optionValue, optionText]) => h("option", { value: optionValue, text: optionText })));
    if (value !== undefined && value !== null) {
      control.value = value;
      if (control.selectedOptions[0]) control.selectedOptions[0].defaultSelected = true;
    }
  } else if (type === "textarea") {
    control = h("textarea", { id: controlId, name, required, rows: 3, ...attrs });
    control.defaultValue = value ?? "";
  } else if (type === "checkbox") {
    control = h("input", { id: controlId, name, type, checked: Boolean(value), ...attrs });
    control.defaultChecked = Boolean(value);
  } else {
    control = h("input", { id: controlId, name, type, required, autocomplete, ...attrs });
    control.defaultValue = value ?? "";
  }
  const hintNode = hint ? h("p", { class: "field-hint", id: `${controlId}-hint`, text: hint }) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  const labelNode = h("label", { for: controlId },
    text, required ? h("span", { class: "required-mark", "aria-hidden": "true", text: " *" }) : null);
  const wrapper = type === "checkbox"
    ? h("div", { class: "field field-checkbox" }, control, labelNode, hintNode)
    : h("div", { class: "field" }, labelNode, control, hintNode);
  return { wrapper, control };
}

/** Disable a form's submit button while `work` runs; re-enable afterwards. */
export async function busy(button, work, busyText) {
  const original = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (busyText) button.textContent = busyText;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (busyText) button.textContent = original;
  }
}

const ERROR_SUFFIX = "-error";

/** Remove the field-level messages applyFieldErrors() added to a form. */
export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/)
      .filter((id) => id && !id.endsWith(ERROR_SUFFIX));
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }
}

function flattenMessages(value) {
  if (Array.isArray(value)) return value.flatMap(flattenMessages);
  if (value && typeof value === "object") return Object.values(value).flatMap(flattenMessages);
  return value === undefined || value === null ? [] : [String(value)];
}

/**
 * Put a problem's `errors: {field: [messages]}` next to the matching inputs of `form`
 * (aria-invalid + aria-describedby). Messages for fields the form does not have are returned
 * (and remembered on the error, so showProblem lists them). Focuses the first invalid control.
 */
export function applyFieldErrors(form, error) {
  clearFieldErrors(form);
  const errors = (error && error.errors) || {};
  const unmatched = [];
  let first = null;
  for (const [name, value] of Object.entries(errors)) {
    const messages = flattenMessages(value);
    const control = form.elements.namedItem(name);
    if (!control || !(control instanceof HTMLElement) || !control.id) {
      const prefix = name === "_schema" ? "" : `${name}: `;
      unmatched.push(...messages.map((message) => prefix + message));
      continue;
    }
    const note = h("p", { class: "field-error", id: control.id + ERROR_SUFFIX, text: messages.join(" ") });
    (control.closest(".field") || control.parentElement).append(note);
    control.setAttribute("aria-invalid", "true");
    const described = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    control.setAttribute("aria-describedby", [...described, note.id].join(" "));
    first = first || control;
  }
  if (error instanceof ApiError) error.unmatchedFieldErrors = unmatched;
  if (first) first.focus();
  return unmatched;
}

/** What `send` answers when the form holds nothing new: no request went out. */
export const NOTHING_CHANGED = Symbol("nothing changed");

/**
 * The one way a form is sent. On submit the old messages go; `validate()` may return {field: [messages]} to stop
 * there with those messages next to their inputs; then `send()` runs with `button` busy (`busyText` on it) and
 * its result goes to `onSuccess(result)` — or, when send answered NOTHING_CHANGED, to `onUnchanged()`.
 * A failure (of send, or of what onSuccess loads next) is offered to `onError(error)` first, which returns true
 * when it dealt with it (a stale version, say); otherwise field errors (422) sit next to their inputs and the
 * problem is shown in `problems` (the form's own alert region) or, without one, in the page's.
 */
export function submitForm(form, { button, busyText = "Saving…", problems = null, validate, send, onSuccess,
  onUnchanged, onError }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    if (problems) problems.replaceChildren();
    const invalid = validate ? validate() : null;
    if (invalid && Object.keys(invalid).length) {
      applyFieldErrors(form, { errors: invalid });
      return;
    }
    try {
      const result = await busy(button, send, busyText);
      if (result === NOTHING_CHANGED) {
        if (onUnchanged) onUnchanged();
      } else if (onSuccess) {
        await onSuccess(result);
      }
    } catch (error) {
      if (onError && await onError(error)) return;
      if (error && error.errors) applyFieldErrors(form, error);
      showProblem(error, problems ? { container: problems } : undefined);
    }
  });
  return form;
}

/**
 * Wire a list's filter form: submit applies at once, typing in `search` applies after a pause, each
 * control in `instant` applies on change. The pending timer dies with the view (`signal`).
 */
export function wireFilters(form, { search, instant = [], apply, signal, delay = 300 }) {
  let debounce = null;
  const applyNow = () => {
    window.clearTimeout(debounce);
    apply();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyNow();
  });
  if (search) {
    search.addEventListener("input", () => {
      window.clearTimeout(debounce);
      debounce = window.setTimeout(apply, delay);
    });
  }
  instant.filter(Boolean).forEach((control) => control.addEventListener("change", applyNow));
  signal.addEventListener("abort", () => window.clearTimeout(debounce));
}
