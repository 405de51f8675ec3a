// Shared by the hypercare views (war room, incident detail, change board, cutover's go-live tab): the
// vocabulary of seed 002, the SLA clock chip with its countdown, and the project's staff for assignment.

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { busy, field, submitForm } from "../forms.js";
import { chip, h } from "../ui.js";

export const PRIORITIES = [["p1", "P1 – system down"], ["p2", "P2 – critical"], ["p3", "P3 – important"], ["p4", "P4 – low"]];
export const INCIDENT_STATUSES = [["open", "Open"], ["in_progress", "In progress"], ["waiting_customer", "Waiting for customer"],
  ["resolved", "Resolved"], ["closed", "Closed"]];
export const UNRESOLVED = "open,in_progress,waiting_customer";
export const INCIDENT_TYPES = [["system_down", "System down"], ["data_issue", "Data issue"], ["performance", "Performance"],
  ["authorization", "Authorization"], ["interface", "Interface"], ["other", "Other"]];
export const ROOT_CAUSES = [["config", "Configuration"], ["data", "Data"], ["training", "Training"], ["process", "Process"],
  ["development", "Development"], ["external", "External"]];
export const CHANGE_TYPES = [["config", "Configuration"], ["development", "Development"], ["data", "Data"],
  ["authorization", "Authorization"], ["emergency", "Emergency"]];
export const CR_STATUSES = [["draft", "Draft"], ["pending_approval", "Pending approval"], ["approved", "Approved"],
  ["rejected", "Rejected"], ["in_progress", "In progress"], ["implemented", "Implemented"], ["closed", "Closed"]];
// The server's incident workflow (app/services/hypercare/incidents.py); "resolved" goes through the resolve form.
export const NEXT_STATUSES = { open: ["in_progress", "waiting_customer"], in_progress: ["waiting_customer"],
  waiting_customer: ["in_progress"], resolved: ["in_progress", "closed"], closed: [] };
const STAFF_ROLES = new Set(["admin", "pm", "consultant", "support"]);
const PRIORITY_TONES = { p1: "danger", p2: "warning", p3: "info", p4: "neutral" };
const STATUS_TONES = { open: "warning", in_progress: "info", waiting_customer: "neutral", resolved: "success", closed: "success",
  draft: "neutral", pending_approval: "warning", approved: "accent", rejected: "danger", implemented: "success" };
const CLOCK_TONES = { ok: "success", warning: "warning", breached: "danger", paused: "neutral", met: "success" };

export function priorityChip(priority) {
  return chip(priority.toUpperCase(), PRIORITY_TONES[priority] || "neutral");
}

export function statusChip(pairs, value) {
  const found = pairs.find(([key]) => key === value);
  return chip(found ? found[1] : value, STATUS_TONES[value] || "neutral");
}

/** "3h 12m", "42m", "2d 4h": SLA time the way a service desk says it. */
export function duration(minutes) {
  const total = Math.max(0, Math.round(Math.abs(minutes)));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const mins = total % 60;
  if (days) return `${days}d ${hours}h`;
  if (hours) return `${hours}h ${mins}m`;
  return `${mins}m`;
}

/**
 * The SLA cell: a chip coloured by the clock's state (ok, warning at 80% used, breached, paused, met) and the
 * time left. On a 24x7 calendar the countdown moves between refreshes (`tickClocks`); business-hours clocks
 * only move with the server's answer, since they stop outside support hours.
 */
export function slaClock(incident, settings) {
  const state = incident.sla || { state: "ok" };
  const node = h("span", { class: `sla-clock sla-${state.state}` });
  const target = settings && settings.targets.find((t) => t.priority === incident.priority);
  if (state.remaining_minutes !== null && state.remaining_minutes !== undefined && state.state !== "paused"
      && target && target.calendar === "24x7") {
    node.dataset.deadline = String(Date.now() + state.remaining_minutes * 60000);
    node.dataset.target = String(state.clock === "response" ? target.response_minutes : target.resolution_minutes);
    node.dataset.clock = state.clock;
    node.dataset.breached = String(state.state === "breached");
  }
  paintClock(node, state.state, state.remaining_minutes, state.clock);
  return node;
}

function paintClock(node, state, remaining, clock) {
  const texts = {
    met: "Met",
    paused: remaining === null || remaining === undefined ? "Paused" : `Paused · ${duration(remaining)} left`,
    breached: remaining === null || remaining === undefined ? "Breached"
      : `Breached · ${duration(remaining)} ${remaining < 0 ? "over" : "left"}`,
    ok: remaining === null || remaining === undefined ? "On track" : `${duration(remaining)} left`,
  };
  texts.warning = texts.ok;
  node.className = `sla-clock sla-${state}`;
  const title = clock ? `${clock === "response" ? "Response" : "Resolution"} SLA` : "SLA";
  node.replaceChildren(chip(texts[state] || state, CLOCK_TONES[state] || "neutral"),
    clock ? h("span", { class: "sla-clock-name", text: clock === "response" ? " response" : " resolution" }) : null);
  node.setAttribute("aria-label", `${title}: ${texts[state] || state}`);
  node.dataset.state = state;
}

/** Move every running 24x7 countdown under `root` to the browser's now (between server refreshes). */
export function tickClocks(root) {
  for (const node of root.querySelectorAll(".sla-clock[data-deadline]")) {
    const remaining = (Number(node.dataset.deadline) - Date.now()) / 60000;
    const used = 1 - remaining / Number(node.dataset.target);
    let state = "ok";
    if (node.dataset.breached === "true" || remaining < 0) state = "breached";
    else if (used >= 0.8) state = "warning";
    paintClock(node, state, remaining, node.dataset.clock);
  }
}

let staffCache = null;

/** The project's members who can work incidents (admin, PM, consultant, support), for assignment pickers. */
export async function projectStaff(project, signal) {
  if (staffCache && staffCache.projectId === project.id) return staffCache.people;
  const page = await api.get(`/api/v1/projects/${project.id}/members`, { signal });
  const people = page.items.filter((m) => STAFF_ROLES.has(m.role)).map((m) => [m.user_id, m.name]);
  staffCache = { projectId: project.id, people };
  return people;
}

export function slaTargetText(target) {
  if (!target) return "";
  const calendar = target.calendar === "24x7" ? "24×7" : "business hours";
  return `Response ${duration(target.response_minutes)} · resolution ${duration(target.resolution_minutes)} (${calendar})`;
}

/**
 * A modal asking for a required reason (reject a change, escalate an incident). `onSubmit(reason)` does the
 * work; a problem it throws is shown inside the dialog, which stays open so the text is not lost.
 */
export function reasonDialog({ title, labelText, confirmText, opener, onSubmit }) {
  const reason = field({ label: labelText, name: "reason", type: "textarea", required: true, attrs: { maxlength: "2000" } });
  const problems = h("div", { class: "form-alerts" });
  const confirm = h("button", { type: "submit", class: "btn btn-primary", text: confirmText });
  const titleId = `reason-${Math.random().toString(36).slice(2)}`;
  const dialog = h("dialog", { class: "dialog reason-dialog", "aria-labelledby": titleId });
  const form = h("form", { class: "form", novalidate: true }, h("h2", { class: "card-title", id: titleId, text: title }), problems,
    reason.wrapper, h("div", { class: "form-actions" }, confirm,
      h("button", { type: "button", class: "btn btn-ghost", text: "Cancel", onClick: () => dialog.close() })));
  dialog.append(form);
  submitForm(form, {
    button: confirm, problems,
    validate: () => (reason.control.value.trim() ? null : { reason: ["Give a reason."] }),
    send: () => onSubmit(reason.control.value.trim()),
    onSuccess: () => dialog.close(),
  });
  dialog.addEventListener("close", () => { dialog.remove(); if (opener && opener.isConnected) opener.focus(); });
  document.body.append(dialog);
  dialog.showModal();
  reason.control.focus();
}

/**
 * Show/hide a "new …" panel from its button (aria-expanded kept in step). The panel's content is built once,
 * on first opening, and kept: a half-filled form survives closing. Returns toggle(forceClose = false).
 */
export function panelToggle(panel, button, build) {
  const toggle = (forceClose = false) => {
    const open = !forceClose && panel.hidden;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      if (!panel.firstChild) panel.append(...build(() => toggle(true)));
      panel.querySelector("input").focus();
    } else {
      button.focus();
    }
  };
  return toggle;
}

/**
 * One button's action on an incident or change request: busy while `work()` runs, then say `message(result)`
 * and `reload()`. A problem is shown; after a conflict (409/412) the object is reloaded so the page shows
 * what the server has now.
 */
export async function act(button, work, message, reload) {
  try {
    const result = await busy(button, work, "Saving…");
    showMessage(message(result));
    await reload();
  } catch (error) {
    showProblem(error);
    if (error.status === 409 || error.status === 412) await reload();
  }
}
