// Shared by the cutover runbook views (issue 18): the runbook vocabulary, time and duration formatting, status
// chips, addresses inside #/cutover, and the tenant's people for owner pickers.

import { api } from "../api.js";
import { chip, h } from "../ui.js";

export const KINDS = [["task", "Task"], ["milestone", "Milestone"], ["checkpoint", "Checkpoint"]];
export const RUN_KINDS = [["rehearsal", "Rehearsal"], ["production", "Production"]];
export const ACTIVITY_STATUSES = [["pending", "Pending"], ["running", "Running"], ["done", "Done"], ["skipped", "Skipped"],
  ["failed", "Failed"]];
export const RUN_STATUSES = [["running", "Under way"], ["succeeded", "Completed"], ["failed", "Stopped short"]];
export const CHECK_STATUSES = [["open", "Open"], ["met", "Met"], ["not_met", "Not met"]];
export const DECISIONS = [["go", "Go"], ["go_with_conditions", "Go with conditions"], ["no_go", "No-go"]];
// What each move is called on a button (the server's actions: app/services/runbooks/runs.py MOVES).
export const ACTIONS = { start: "Start", finish: "Finish", skip: "Skip", fail: "Report failure" };

const TONES = {
  pending: "neutral", running: "info", done: "success", skipped: "neutral", failed: "danger",
  succeeded: "success", open: "warning", met: "success", not_met: "danger",
  go: "success", go_with_conditions: "warning", no_go: "danger",
};

export function labelOf(pairs, value) {
  const found = pairs.find(([key]) => key === value);
  return found ? found[1] : String(value ?? "");
}

export function statusChip(pairs, value) {
  return chip(labelOf(pairs, value), TONES[value] || "neutral");
}

const WHEN = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const SHORT = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** "Fri 1 May, 18:00" in the browser's time zone (the page says so once). */
export function when(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : WHEN.format(date);
}

/** "Sat 27, 04:15" for table cells: a cutover spans days, not months. */
export function shortWhen(value) {
  return value ? SHORT.format(new Date(value)) : "—";
}

export function clockTime(value) {
  return value ? TIME.format(new Date(value)) : "—";
}

/** 0 -> "0 min", 95 -> "1 h 35 min", 1815 -> "30 h 15 min". */
export function minutes(value) {
  if (value === null || value === undefined) return "—";
  const total = Math.abs(value);
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  const text = hours ? `${hours} h${rest ? ` ${rest} min` : ""}` : `${rest} min`;
  return value < 0 ? `−${text}` : text;
}

/** A variance as words and tone: "12 min late" (danger), "5 min early" (success), "on time". */
export function varianceChip(value) {
  if (value === null || value === undefined) return chip("—", "neutral");
  if (value > 0) return chip(`${minutes(value)} late`, "danger");
  if (value < 0) return chip(`${minutes(-value)} early`, "success");
  return chip("On time", "success");
}

/** A datetime-local control's value (the browser's time) as an ISO instant, or null. */
export function instant(localValue) {
  if (!localValue) return null;
  const date = new Date(localValue);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An ISO instant as a datetime-local value in the browser's time. */
export function localInput(value) {
  if (!value) return "";
  const date = new Date(value);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function timeZoneNote() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your time zone";
  return h("p", { class: "muted cutover-zone", text: `Times are shown in ${zone}.` });
}

/** Addresses inside the Cutover view: #/cutover?project=…&tab=runbooks&runbook=…&section=…&run=… */
export function cutoverHref(projectId, params = {}) {
  const query = new URLSearchParams({ project: projectId, tab: "runbooks" });
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  return `#/cutover?${query}`;
}

export function runbooksUrl(projectId) {
  return `/api/v1/projects/${projectId}/cutover/runbooks`;
}

let peopleCache = null;

/** The tenant's active users as [id, "name (role)"] for owner pickers; only cutover managers ask (users.read). */
export async function people(signal) {
  if (peopleCache) return peopleCache;
  const page = await api.get("/api/v1/users", { query: { limit: 200, kind: "person" }, signal });
  peopleCache = page.items.filter((u) => u.active !== false).map((u) => [u.id, `${u.name} (${u.email})`]);
  return peopleCache;
}
