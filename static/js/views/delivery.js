// Shared by the Explore and Testing views: the project picker, the delivery vocabulary, status chips,
// small inline-SVG charts, progress bars and a plain-text rendering of sanitised rich text.

import { api } from "../api.js";
import { navigate } from "../app.js";
import { field } from "../forms.js";
import { chip, h, label, pageHeader, setTitle, svg } from "../ui.js";

const PROJECT_KEY = "meridian.deliveryProject";

export const MODULES = ["FI", "CO", "MM", "SD", "PP", "QM", "PM", "WM", "EWM", "HCM", "PS", "TR", "BASIS", "BTP", "OTHER"]
  .map((code) => [code, code]);
export const FIT_GAP = [["fit", "Fit"], ["partial_fit", "Partial fit"], ["gap", "Gap"]];
export const PRIORITIES = [["critical", "Critical"], ["high", "High"], ["medium", "Medium"], ["low", "Low"]];
export const REQUIREMENT_STATUSES = [["draft", "Draft"], ["in_review", "In review"], ["approved", "Approved"],
  ["rejected", "Rejected"], ["realized", "Realized"], ["verified", "Verified"]];
// The server's workflow (app/models/explore/requirement.py); the server enforces it, the UI offers it.
export const TRANSITIONS = {
  draft: ["in_review"], in_review: ["approved", "rejected", "draft"], approved: ["realized"], rejected: ["draft"],
  realized: ["verified"], verified: [],
};
export const WRICEF_TYPES = [["workflow", "Workflow"], ["report", "Report"], ["interface", "Interface"],
  ["conversion", "Conversion"], ["enhancement", "Enhancement"], ["form", "Form"]];
export const BACKLOG_STATUSES = [["new", "New"], ["design", "Design"], ["build", "Build"], ["unit_test", "Unit test"],
  ["done", "Done"], ["cancelled", "Cancelled"]];
export const CYCLE_TYPES = [["sit", "SIT"], ["uat", "UAT"], ["regression", "Regression"], ["unit", "Unit"]];
export const CYCLE_STATUSES = [["planned", "Planned"], ["in_progress", "In progress"], ["completed", "Completed"],
  ["cancelled", "Cancelled"]];
export const EXECUTION_STATUSES = [["not_run", "Not run"], ["passed", "Passed"], ["failed", "Failed"],
  ["blocked", "Blocked"], ["skipped", "Skipped"]];
export const SEVERITIES = [["p1", "P1 – critical"], ["p2", "P2 – high"], ["p3", "P3 – medium"], ["p4", "P4 – low"]];
export const DEFECT_STATUSES = [["new", "New"], ["open", "Open"], ["in_progress", "In progress"], ["fixed", "Fixed"],
  ["retest", "Retest"], ["closed", "Closed"], ["rejected", "Rejected"]];

const TONES = {
  fit: "success", partial_fit: "warning", gap: "danger",
  draft: "neutral", in_review: "info", approved: "accent", rejected: "danger", realized: "warning", verified: "success",
  not_run: "neutral", passed: "success", failed: "danger", blocked: "warning", skipped: "neutral",
  p1: "danger", p2: "warning", p3: "info", p4: "neutral",
  planned: "neutral", in_progress: "info", completed: "success", cancelled: "neutral",
  new: "info", open: "warning", fixed: "accent", retest: "accent", closed: "success", design: "info", build: "accent",
  unit_test: "warning", done: "success",
};

export function statusChip(pairs, value) {
  return chip(label(pairs, value), TONES[value] || "neutral");
}

/** Sanitised rich text (server-side nh3) shown as plain text: parsed inertly, never inserted as HTML. */
export function plainText(html) {
  if (!html) return "";
  return new DOMParser().parseFromString(html, "text/html").body.textContent || "";
}

export function rememberedProject() {
  return sessionStorage.getItem(PROJECT_KEY);
}

/**
 * The project picker: lists the projects the user may see; choosing one navigates to `#/<area>?project=<id>`.
 * Returns {wrapper, project} where project is the chosen one (or null when the user has none).
 */
async function projectPicker(area, query, signal) {
  const page = await api.get("/api/v1/projects", { query: { limit: 200 }, signal });
  const projects = page.items;
  let chosen = query.get("project") || rememberedProject();
  if (!projects.some((p) => p.id === chosen)) chosen = projects.length ? projects[0].id : null;
  if (chosen) sessionStorage.setItem(PROJECT_KEY, chosen);
  const picker = field({ label: "Project", name: "project", type: "select", value: chosen,
    options: projects.map((p) => [p.id, `${p.code} · ${p.name}`]) });
  picker.control.addEventListener("change", () => {
    sessionStorage.setItem(PROJECT_KEY, picker.control.value);
    navigate(`#/${area}?project=${picker.control.value}`);
  });
  picker.wrapper.classList.add("project-picker");
  return { wrapper: picker.wrapper, project: projects.find((p) => p.id === chosen) || null };
}

/**
 * The start of a per-project area page (#/<area>?project=<id>): its title and the project picker. Answers
 * {picker, project}; when the user has no project the page says so and `project` is null.
 */
export async function openArea(root, { area, title, query, signal }) {
  setTitle(title);
  const { wrapper, project } = await projectPicker(area, query, signal);
  if (!project) {
    root.append(pageHeader({ title }), h("section", { class: "card" }, h("p", { text: "You are not a member of any project yet." }),
      h("p", {}, h("a", { href: "#/projects", text: "Go to projects" }))));
  }
  return { picker: wrapper, project };
}

/**
 * A filter bar whose choices live in the address, so a filtered list can be bookmarked: submitting goes to
 * `#/<area>?<base>&<name>=<value>…` for the `fields` (field() results) that have a value.
 */
export function addressFilters(labelText, fields, area, base) {
  const form = h("form", { class: "filters", role: "search", "aria-label": labelText }, fields.map((f) => f.wrapper),
    h("button", { type: "submit", class: "btn btn-secondary", text: "Apply" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams(base);
    for (const { control } of fields) if (control.value) params.set(control.name, control.value);
    navigate(`#/${area}?${params}`);
  });
  return form;
}

/** Tabs as links (each tab is an address), with aria-current on the active one. */
export function tabs(items, active, labelText) {
  return h("nav", { class: "tabs", "aria-label": labelText }, h("ul", {}, items.map(([id, text, href]) =>
    h("li", {}, h("a", { href, class: "tab", "aria-current": id === active ? "page" : null, text })))));
}

const FILLS = { fit: "#15803d", partial_fit: "#b45309", gap: "#b91c1c", passed: "#15803d", failed: "#b91c1c",
  blocked: "#b45309", skipped: "#6b7280", not_run: "#d1d5db" };

/**
 * One stacked horizontal bar (inline SVG) with a text legend; the numbers are in the legend and the
 * accessible name, so nobody has to read the picture.
 */
export function stackedBar(parts, { title, total }) {
  const sum = total ?? parts.reduce((acc, [, , value]) => acc + value, 0);
  const description = parts.map(([, text, value]) => `${text} ${value}`).join(", ");
  const chart = svg("svg", { viewBox: "0 0 100 8", preserveAspectRatio: "none", class: "bar-chart", role: "img",
    "aria-label": `${title}: ${description}` });
  let x = 0;
  for (const [key, , value] of parts) {
    if (!sum || !value) continue;
    const width = (100 * value) / sum;
    chart.append(svg("rect", { x, y: 0, width, height: 8, fill: FILLS[key] || "#6b7280" }));
    x += width;
  }
  if (!sum) chart.append(svg("rect", { x: 0, y: 0, width: 100, height: 8, fill: "#e5e7eb" }));
  const legend = h("ul", { class: "chart-legend" }, parts.map(([key, text, value]) => h("li", {},
    h("span", { class: `legend-swatch swatch-${key}`, "aria-hidden": "true" }), `${text}: `, h("strong", { text: String(value) }))));
  return h("figure", { class: "chart" }, h("figcaption", { class: "chart-title", text: title }), chart, legend);
}

/** A labelled <progress>-like meter for a percentage. */
export function percentBar(labelText, percent, tone = "accent") {
  const value = Math.max(0, Math.min(100, Number(percent) || 0));
  const bar = svg("svg", { viewBox: "0 0 100 6", preserveAspectRatio: "none", class: `meter meter-${tone}`,
    "aria-hidden": "true" });
  bar.append(svg("rect", { x: 0, y: 0, width: 100, height: 6, class: "meter-track" }),
    svg("rect", { x: 0, y: 0, width: value, height: 6, class: "meter-fill" }));
  return h("div", { class: "meter-row", role: "meter", "aria-label": labelText, "aria-valuemin": "0",
    "aria-valuemax": "100", "aria-valuenow": String(value) },
  h("span", { class: "meter-label", text: labelText }), bar, h("span", { class: "meter-value", text: `${value}%` }));
}

const present = (children) => children.flat().filter((child) => child !== null && child !== undefined && child !== false);

/** node.append(...) that skips null/undefined/false (a card the role does not get): the DOM would print "null". */
export function appendPresent(node, ...children) {
  node.append(...present(children));
  return node;
}

/** node.replaceChildren(...) that skips null/undefined/false, like appendPresent. */
export function replacePresent(node, ...children) {
  node.replaceChildren(...present(children));
  return node;
}
