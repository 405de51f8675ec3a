// Small DOM helpers shared by the views (elements, formatting, vocabulary, page furniture; forms are in
// forms.js, alerts in alerts.js). Everything user-provided goes in as text nodes or
// attribute values, never as HTML.

let idCounter = 0;

export function uniqueId(prefix = "id") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * h("button", {class: "btn", type: "button", onClick: fn, "aria-label": "…"}, "Text", childNode)
 * `text` sets textContent; `dataset` sets data-*; boolean attributes take true/false; null/undefined
 * attributes are skipped. Children may be strings (text nodes), nodes, arrays or null.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "value" && "value" in element) element.value = value;
    else if (key === "checked" || key === "selected" || key === "disabled" || key === "hidden") {
      element[key] = Boolean(value);
    } else element.setAttribute(key, value === true ? "" : String(value));
  }
  appendChildren(element, children);
  return element;
}

/** svg("rect", {x: 0, width: 10}): an SVG element (charts, icons); attribute values become strings. */
export function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function appendChildren(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) appendChildren(element, child);
    else if (child instanceof Node) element.append(child);
    else element.append(document.createTextNode(String(child)));
  }
}

export function setTitle(title) {
  document.title = title ? `${title} · Meridian` : "Meridian";
}

/** Say something to screen-reader users without moving focus. */
export function announce(message) {
  const region = document.getElementById("live-region");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = message; }, 50);
}

export function loading(message = "Loading…") {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), message);
}

export function emptyState(message, ...extra) {
  return h("div", { class: "empty-state" }, h("p", { text: message }), ...extra);
}

// ---------------------------------------------------------------------------------------------
// Formatting

const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const DATETIME_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "2027-03-01" -> "1 Mar 2027" (a calendar date; never shifted by the browser's time zone). */
export function formatDate(value) {
  if (!value) return "—";
  const date = new Date(`${String(value).slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? String(value) : DATE_FORMAT.format(date);
}

export function formatDateTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : DATETIME_FORMAT.format(date);
}

export function formatValue(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Domain vocabulary

export const PHASES = [
  ["explore", "Explore"],
  ["realize", "Realize"],
  ["deploy", "Deploy"],
  ["run", "Run"],
];

export const ROLES = [
  ["admin", "Admin"],
  ["pm", "Project manager"],
  ["consultant", "Consultant"],
  ["support", "Support"],
  ["approver", "Change approver"],
  ["customer", "Customer"],
  ["viewer", "Viewer"],
];

export const SUPPORT_LEVELS = ["L1", "L2", "L3"];

export function label(pairs, value) {
  const found = pairs.find(([key]) => key === value);
  return found ? found[1] : String(value ?? "");
}

export function chip(text, tone = "neutral") {
  return h("span", { class: `chip chip-${tone}`, text });
}

const PHASE_TONES = { explore: "info", realize: "accent", deploy: "warning", run: "success" };

export function phaseChip(phase) {
  return chip(label(PHASES, phase), PHASE_TONES[phase] || "neutral");
}

export function roleText(user) {
  const role = label(ROLES, user.role);
  return user.support_level ? `${role} ${user.support_level}` : role;
}

// ---------------------------------------------------------------------------------------------
// Page furniture

export function pageHeader({ title, subtitle, actions = [], breadcrumbs = [], chips = [] }) {
  const crumbs = breadcrumbs.length
    ? h("nav", { class: "breadcrumbs", "aria-label": "Breadcrumb" },
      h("ol", {}, breadcrumbs.map(([text, href]) => h("li", {},
        href ? h("a", { href, text }) : h("span", { "aria-current": "page", text })))))
    : null;
  return h("div", { class: "page-header" },
    crumbs,
    h("div", { class: "page-header-row" },
      h("div", { class: "page-header-text" },
        h("h1", { tabindex: "-1", class: "page-title" }, title, chips.length ? h("span", { class: "title-chips" }, chips) : null),
        subtitle ? h("p", { class: "page-subtitle", text: subtitle }) : null),
      actions.length ? h("div", { class: "page-actions" }, actions) : null));
}

/** A horizontally scrollable, keyboard-focusable wrapper for a table. */
export function tableWrap(table, labelText) {
  return h("div", { class: "table-wrap", role: "region", "aria-label": labelText, tabindex: "0" }, table);
}

export function card(title, ...children) {
  const headingId = uniqueId("card");
  return h("section", { class: "card", "aria-labelledby": headingId },
    h("h2", { class: "card-title", id: headingId, text: title }), ...children);
}
