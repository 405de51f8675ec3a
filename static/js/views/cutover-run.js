// Rehearsals and the live run of a runbook: the list of runs, and the board of one run — forecast finish against
// plan, what is running now, what is late, what may start — with each owner's buttons (start, finish, skip,
// report failure). The board refreshes itself every 20 s while the tab is visible and never repaints while the
// keyboard focus is inside it. After a rehearsal, a cutover manager adopts its actual durations into the plan.

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can, flash, navigate, session } from "../app.js";
import { busy } from "../forms.js";
import { chip, emptyState, h, loading, tableWrap } from "../ui.js";
import {
  ACTIONS, ACTIVITY_STATUSES, RUN_KINDS, RUN_STATUSES, clockTime, cutoverHref, labelOf, minutes, shortWhen, statusChip,
  timeZoneNote, varianceChip, when,
} from "./cutover-common.js";
import { gantt } from "./cutover-gantt.js";
import { reasonDialog } from "./hypercare-common.js";
import { appendPresent, replacePresent } from "./delivery.js";

const REFRESH_MS = 20000;

function actualText(a) {
  if (a.status === "skipped") return "—";
  if (a.actual_start) return `${shortWhen(a.actual_start)}–${a.actual_finish ? clockTime(a.actual_finish) : "…"}`;
  return `${shortWhen(a.forecast_start)}–${clockTime(a.forecast_finish)} (forecast)`;
}

/** Mount the runs section in `region`: the runs table and the board of `query.run` (or the latest run). */
export async function mountRuns(region, { url, project, runbook, query, signal }) {
  const manager = can("cutover.manage");
  const listCard = h("div", {});
  const boardCard = h("section", { class: "run-board", "aria-labelledby": "board-title" });
  region.replaceChildren(h("h2", { class: "card-title", text: "Rehearsals and the live run" }), listCard, boardCard);
  const runs = (await api.get(`${url}/runs`, { query: { limit: 50 }, signal })).items;
  const chosen = runs.find((r) => r.id === query.get("run")) || runs.find((r) => r.status === "running") || runs[0];
  const href = (run) => cutoverHref(project.id, { runbook: runbook.id, section: "runs", run: run.id });
  const under = runs.find((r) => r.status === "running");
  const starters = manager && !under ? h("div", { class: "toolbar-actions" }, RUN_KINDS.map(([kind, text]) =>
    h("button", { type: "button", class: `btn ${kind === "rehearsal" ? "btn-primary" : "btn-secondary"} btn-small`,
      text: kind === "rehearsal" ? "Start a rehearsal" : "Start the production run", onClick: (event) => start(event.currentTarget, kind) }))) : null;
  appendPresent(listCard, starters, runs.length ? tableWrap(h("table", { class: "table table-compact" },
    h("caption", { class: "visually-hidden", text: "Runs of this runbook" }),
    h("thead", {}, h("tr", {}, ["Run", "Kind", "Status", "Started", "Finished"].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, runs.map((run) => h("tr", { class: chosen && run.id === chosen.id ? "row-selected" : null },
      h("td", {}, h("a", { class: "row-link", href: href(run), "aria-current": chosen && run.id === chosen.id ? "true" : null,
        text: run.label })),
      h("td", { text: labelOf(RUN_KINDS, run.kind) }),
      h("td", {}, statusChip(RUN_STATUSES, run.status)),
      h("td", { class: "cell-nowrap", text: when(run.started_at) }),
      h("td", { class: "cell-nowrap", text: when(run.finished_at) }))))), "Runs")
    : emptyState("No run yet. A rehearsal (mock cutover) comes first: SAP Activate expects at least one before the real one."));

  async function start(button, kind) {
    try {
      const run = await busy(button, () => api.post(`${url}/runs`, { kind }), "Starting…");
      flash(`${run.label} is under way.`);
      navigate(href(run));
    } catch (error) {
      showProblem(error);
    }
  }

  if (chosen) await mountBoard(boardCard, { url: `${url}/runs/${chosen.id}`, manager, signal });
}

async function mountBoard(region, { url, manager, signal }) {
  const updated = h("span", { class: "muted refresh-status", role: "status", "aria-live": "polite" });
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Refresh",
    onClick: () => busy(refreshButton, () => refresh({ force: true }), "Refreshing…").catch(showProblem) });
  const head = h("div", { class: "board-head" }, h("h3", { class: "subheading", id: "board-title", tabindex: "-1", text: "Board" }), updated, refreshButton);
  const body = h("div", { class: "board-body" }, loading("Loading the board…"));
  region.replaceChildren(head, body);

  async function act(button, work, message) {
    try {
      const board = await busy(button, work, "Saving…");
      showMessage(message(board));
      paint(board);
      // Focus stays on the board (the button is gone): put it on the board's heading so the keyboard is not lost.
      document.getElementById("board-title").focus();
    } catch (error) {
      showProblem(error);
      if (error.status === 409) await refresh({ force: true });
    }
  }

  function buttons(a, run) {
    const me = session.user && session.user.id;
    if (!a.actions.length || !(manager || (a.owner && a.owner.id === me))) return null;
    if (a.blocked_by.length && a.actions.some((action) => action === "start" || action === "skip")) {
      return h("span", { class: "muted", text: "Waits for its predecessors" });
    }
    return a.actions.map((action) => h("button", { type: "button",
      class: `btn ${action === "fail" ? "btn-danger-outline" : action === "finish" ? "btn-primary" : "btn-secondary"} btn-small`,
      text: ACTIONS[action], "aria-label": `${ACTIONS[action]} ${a.code}`,
      onClick: (event) => {
        const button = event.currentTarget;
        const send = (note) => api.post(`${url}/activities/${a.id}/${action}`, action === "skip" || action === "fail" ? { note } : undefined);
        const said = () => `${a.code} ${action === "fail" ? "is reported as failed" : `${action === "skip" ? "was skipped" : action === "start" ? "started" : "is done"}`}.`;
        if (action === "skip" || action === "fail") {
          reasonDialog({ title: `${ACTIONS[action]}: ${a.code}`, labelText: action === "skip" ? "Why is it skipped?" : "What went wrong?",
            confirmText: ACTIONS[action], opener: button, onSubmit: async (note) => {
              paint(await send(note));
              showMessage(said());
            } });
        } else {
          act(button, () => send(), said);
        }
      } }));
  }

  function paint(board) {
    const run = board.run;
    const byId = new Map(board.activities.map((a) => [a.id, a]));
    const codes = (ids) => ids.map((id) => (byId.get(id) ? byId.get(id).code : id));
    const total = board.activities.length;
    const finished = board.counts.done + board.counts.skipped;
    document.getElementById("board-title").textContent = `${run.label} · ${labelOf(RUN_STATUSES, run.status)}`;
    const tile = (labelText, value, hint, className = "") => h("div", { class: `sla-tile ${className}` },
      h("p", { class: "tile-label", text: labelText }), h("p", { class: "tile-value" }, value), hint ? h("p", { class: "tile-hint" }, hint) : null);
    const tiles = h("div", { class: "sla-tiles board-tiles" },
      tile(run.status === "running" ? "Forecast finish" : "Finished", when(board.forecast_finish), varianceChip(board.variance_minutes), "tile-forecast tile-date"),
      tile("Planned finish", when(board.planned_finish), run.kind === "rehearsal" ? "Plan re-anchored at the rehearsal's start" : null,
        "tile-date"),
      tile("Done", `${finished} of ${total}`, `${board.counts.skipped} skipped`),
      tile("Running now", String(board.running.length), codes(board.running).join(", ") || null, "tile-running"),
      tile("Late", String(board.late.length), null, board.late.length ? "tile-late" : ""),
      tile("Ready to start", String(board.ready.length), codes(board.ready).slice(0, 6).join(", ") || null));
    const rows = board.activities.map((a) => h("tr", { class: [a.late ? "row-late" : "", a.status === "running" ? "row-running" : ""]
      .filter(Boolean).join(" ") || null, dataset: { code: a.code, status: a.status } },
    h("td", { class: "cell-code", text: a.code }),
    h("td", { class: "cell-wrap" }, h("span", { class: "cell-strong", text: a.title }),
      a.note ? h("p", { class: "muted cell-note", text: a.note }) : null),
    h("td", {}, statusChip(ACTIVITY_STATUSES, a.status), a.late && a.status !== "done" ? [" ", chip("Late", "danger")] : null),
    h("td", { class: "cell-actions" }, run.status === "running" ? buttons(a, run) : null),
    h("td", { text: a.owner ? a.owner.name : "—" }),
    h("td", { class: "cell-nowrap", text: `${shortWhen(a.planned_start)}–${clockTime(a.planned_finish)}` }),
    h("td", { class: "cell-nowrap", text: actualText(a) }),
    h("td", {}, a.status === "skipped" ? "—" : varianceChip(a.finish_variance_minutes))));
    const table = tableWrap(h("table", { class: "table table-compact board-table" },
      h("caption", { class: "visually-hidden", text: `${run.label}: every activity with its plan, forecast and actions` }),
      h("thead", {}, h("tr", {}, ["Code", "Activity", "Status", "Actions", "Owner", "Planned", "Actual / forecast", "Finish variance"]
        .map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, rows)), "Board");
    const chart = gantt({ caption: `${run.label}: forecast against now`, start: board.activities.length
      ? board.activities.reduce((min, a) => (a.forecast_start < min ? a.forecast_start : min), board.activities[0].forecast_start) : run.started_at,
    finish: board.forecast_finish, now: new Date(board.now), onPath: new Set(board.activities.filter((a) => a.critical).map((a) => a.id)),
    items: board.activities.map((a) => ({ ...a, start: a.forecast_start, finish: a.forecast_finish, late_finish: null })) });
    replacePresent(body, tiles, timeZoneNote(), managerTools(board), chart, table);
    updated.textContent = `Updated ${clockTime(new Date().toISOString())}`;
  }

  function managerTools(board) {
    if (!manager) return null;
    const run = board.run;
    if (run.status === "running") {
      const close = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Close the run",
        onClick: async () => {
          try {
            const closed = await busy(close, () => api.post(`${url}/close`), "Closing…");
            showMessage(`${closed.label} is closed: ${labelOf(RUN_STATUSES, closed.status).toLowerCase()}.`);
            await refresh({ force: true });
          } catch (error) {
            showProblem(error);
          }
        } });
      return h("div", { class: "toolbar-actions" }, close);
    }
    if (!board.adoptable.length) {
      return run.adopted_at ? h("p", { class: "muted", text: `Actual durations adopted into the plan on ${when(run.adopted_at)}.` }) : null;
    }
    const adopt = h("button", { type: "button", class: "btn btn-primary btn-small", text: "Adopt actual durations",
      onClick: () => act(adopt, async () => {
        const result = await api.post(`${url}/adopt-durations`);
        return api.get(url).then((fresh) => ({ ...fresh, adoptedCount: result.adopted.length }));
      }, (fresh) => `${fresh.adoptedCount} planned durations now follow ${fresh.run.label}.`) });
    return h("details", { class: "disclosure adopt-panel" },
      h("summary", { class: "subheading", text: `${board.adoptable.length} durations differ from the plan` }),
      h("ul", { class: "change-list" }, board.adoptable.map((c) => h("li", {},
        h("span", { class: "cell-code", text: c.code }), ` ${minutes(c.from_minutes)} → ${minutes(c.to_minutes)}`))),
      h("div", { class: "toolbar-actions" }, adopt));
  }

  /** Repaint with the server's board, unless the user is on a control inside it (their click must not vanish). */
  async function refresh({ force = false } = {}) {
    const board = await api.get(url, { signal });
    const active = document.activeElement;
    if (!force && region.contains(active) && active.matches("button, a, input, select, textarea, summary, [tabindex='0']")) return;
    paint(board);
  }

  await refresh({ force: true });
  const timer = window.setInterval(() => {
    if (!document.hidden) refresh().catch((error) => showProblem(error));
  }, REFRESH_MS);
  signal.addEventListener("abort", () => window.clearInterval(timer));
}
