// Messages in front of the user, as role="alert" boxes: a problem (an ApiError with its problem document, or a
// bug in the page), a plain notice, or a notice with actions (a conflict, a deleted object). They go to the
// page-wide region (#alerts) unless a form passes its own.

import { ApiError } from "./api.js";
import { h } from "./ui.js";

function alertsRegion() {
  return document.getElementById("alerts");
}

export function clearAlerts(container = alertsRegion()) {
  if (container) container.replaceChildren();
}

/**
 * One alert box: its title, detail, a list of messages, the correlation id and action buttons.
 * `tone` is "error" | "warning" | "info" | "success"; a box is dismissible unless it carries the only way on.
 */
export function alertBox({ title, detail = "", items = [], reference = null, tone = "error", actions = [],
  dismissible = true, className = "" }) {
  const box = h("div", { class: `alert alert-${tone}${className ? ` ${className}` : ""}`, role: "alert" },
    h("div", { class: "alert-body" },
      h("p", { class: "alert-title", text: title }),
      detail && detail !== title ? h("p", { class: "alert-detail", text: detail }) : null,
      items.length ? h("ul", { class: "alert-list" }, items.map((text) => h("li", { text }))) : null,
      reference ? h("p", { class: "alert-ref", text: `Reference: ${reference}` }) : null,
      actions.length ? h("div", { class: "alert-actions" }, actions) : null));
  if (dismissible) {
    box.append(h("button", { type: "button", class: "alert-close", "aria-label": "Dismiss message", text: "×",
      onClick: () => box.remove() }));
  }
  return box;
}

function place(box, container, replace, scroll = true) {
  if (replace) container.replaceChildren(box);
  else container.append(box);
  if (scroll && typeof box.scrollIntoView === "function") box.scrollIntoView({ block: "nearest" });
  return box;
}

/**
 * Show a problem: its title, detail, the field messages no input took (forms.js remembers them on the error)
 * and its correlation id. An aborted request and a session that has already gone to the login page say nothing.
 */
export function showProblem(error, { container = alertsRegion(), tone = "error", replace = true } = {}) {
  if (!container) return null;
  if (error && error.name === "AbortError") return null;
  if (error instanceof ApiError && error.redirectedToLogin) return null;
  const problem = error instanceof ApiError ? error.problem : {
    title: "Something went wrong",
    detail: (error && error.message) || "An unexpected error happened in the page.",
  };
  if (!(error instanceof ApiError)) console.error(error); // a bug in the page, not an API answer
  const unmatched = (error instanceof ApiError && error.unmatchedFieldErrors) || [];
  return place(alertBox({ title: problem.title || "Request failed", detail: problem.detail, items: unmatched,
    reference: problem.correlation_id, tone }), container, replace);
}

/** Show a plain message (not a problem) in an alert box. */
export function showMessage(text, { container = alertsRegion(), tone = "success", title = "" } = {}) {
  if (!container) return null;
  return place(alertBox({ title: title || text, detail: title ? text : "", tone }), container, true);
}

/**
 * A notice that stays until it is acted on (a save refused as stale, a deleted object, an undo): `action` is
 * {text, onClick(button), className} for its one button, which takes the focus (and the notice is scrolled
 * into view) unless `focus` is false, for a notice that must not pull the user away from where they work.
 */
export function showNotice(container, { title, detail, action = null, tone = "warning", className = "", focus = true }) {
  const button = action
    ? h("button", { type: "button", class: action.className || "btn btn-primary btn-small", text: action.text }) : null;
  if (button) button.addEventListener("click", () => action.onClick(button));
  const box = place(alertBox({ title, detail, tone, className, dismissible: false, actions: button ? [button] : [] }),
    container, true, focus);
  if (button && focus) button.focus();
  return box;
}
