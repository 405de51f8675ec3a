// One test cycle: its progress (pass-rate chart) and the execution grid, built for speed at the keyboard.
// Each row is one focusable item (roving tabindex): ↑/↓ (or J/K) move, P passed, F failed, B blocked,
// S skipped, N not run. After a result the focus moves to the next row, so a tester runs down the list.

import { api, ifMatch, showMessage, showProblem } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { announce, busy, emptyState, field, formatDateTime, h, label, loading, setTitle, tableWrap } from "../ui.js";
import { CYCLE_STATUSES, EXECUTION_STATUSES, SEVERITIES, percentBar, plainText, stackedBar, statusChip } from "./delivery.js";
import { renderCyclePush } from "./cloud-alm.js";

const RESULT_ORDER = ["passed", "failed", "blocked", "skipped", "not_run"];
const KEYS = { p: "passed", f: "failed", b: "blocked", s: "skipped", n: "not_run" };

export async function render(root, { project, cycleId, signal }) {
  const cycleUrl = `/api/v1/projects/${project.id}/test-cycles/${cycleId}`;
  const canRecord = can("testing.execute");
  const summary = h("section", { class: "card", "aria-labelledby": "cycle-title" }, loading());
  const planCard = can("delivery.manage") ? h("details", { class: "card disclosure" }) : null;
  const gridCard = h("section", { class: "card card-flush", "aria-labelledby": "grid-title" });
  const almCard = can("delivery.manage") && project.cloud_alm_project_id
    ? h("section", { class: "card", id: "cycle-alm", "aria-labelledby": "cycle-alm-title" }) : null;
  root.append(h("p", {}, h("a", { href: `#/testing?project=${project.id}`, text: "← All cycles" })), summary, planCard, gridCard, almCard);
  if (almCard) renderCyclePush(almCard, project, cycleId, { signal });

  let cycle = await api.get(cycleUrl, { signal });
  let executions = (await api.get(`${cycleUrl}/executions`, { query: { limit: 200 }, signal })).items;
  setTitle(cycle.name);

  function drawSummary() {
    const p = cycle.progress;
    summary.replaceChildren(
      h("h2", { class: "card-title", id: "cycle-title" }, cycle.name, " ", statusChip(CYCLE_STATUSES, cycle.status)),
      h("p", { class: "pass-rate", id: "pass-rate", "aria-live": "polite", text: `Pass rate ${p.pass_rate}% · executed ${p.executed} of ${p.total}` }),
      percentBar("Executed", p.executed_pct),
      stackedBar(RESULT_ORDER.map((key) => [key, label(EXECUTION_STATUSES, key), p[key]]), { title: "Results", total: p.total }),
      h("p", { class: "muted", text: Object.entries(p.open_defects).some(([, n]) => n)
        ? `Open defects: ${Object.entries(p.open_defects).filter(([, n]) => n).map(([s, n]) => `${n} ${s.toUpperCase()}`).join(", ")}`
        : "No open defects" }));
  }

  async function refreshCycle() {
    cycle = await api.get(cycleUrl, { signal });
    drawSummary();
  }

  // The grid ------------------------------------------------------------------------------------
  let activeIndex = Math.max(0, executions.findIndex((e) => e.status === "not_run"));
  const tbody = h("tbody", {});

  function rowFor(execution, index) {
    const defects = execution.defects.map((d) => `${d.code} (${d.severity.toUpperCase()}, ${d.status})`).join(", ");
    const actions = canRecord ? h("div", { class: "result-buttons", role: "group", "aria-label": `Record ${execution.test_case.code}` },
      [["passed", "Pass"], ["failed", "Fail"], ["blocked", "Block"]].map(([status, text]) => h("button", {
        type: "button", class: "btn btn-secondary btn-small", tabindex: "-1", text,
        onClick: () => record(index, status) }))) : null;
    const row = h("tr", { class: "execution-row", tabindex: index === activeIndex ? "0" : "-1", dataset: { index: String(index) },
      "aria-label": `${execution.test_case.code} ${execution.test_case.title}: ${label(EXECUTION_STATUSES, execution.status)}` },
    h("td", { class: "cell-code", text: execution.test_case.code }),
    h("td", {}, h("span", { class: "cell-strong", text: execution.test_case.title }),
      execution.test_case.expected_result ? h("span", { class: "muted expected", text: ` Expected: ${plainText(execution.test_case.expected_result)}` }) : null),
    h("td", {}, statusChip(EXECUTION_STATUSES, execution.status)),
    h("td", { class: "cell-nowrap muted", text: execution.executed_at
      ? `${execution.executor ? execution.executor.name : ""} · ${formatDateTime(execution.executed_at)}` : "—" }),
    h("td", { text: defects || "—" }),
    h("td", { class: "cell-actions" }, actions,
      canRecord && execution.status === "failed" && !execution.defects.length
        ? h("button", { type: "button", class: "btn btn-ghost btn-small", tabindex: "-1", text: "Raise defect",
          onClick: () => raiseDefect(index) }) : null));
    return row;
  }

  function drawGrid() {
    tbody.replaceChildren(...executions.map(rowFor));
  }

  function focusRow(index) {
    const rows = tbody.querySelectorAll("tr");
    if (!rows.length) return;
    activeIndex = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.setAttribute("tabindex", i === activeIndex ? "0" : "-1"));
    rows[activeIndex].focus();
  }

  async function record(index, status, extra = {}) {
    const execution = executions[index];
    try {
      const updated = await api.patch(`${cycleUrl}/executions/${execution.id}`, { status, ...extra },
        { headers: ifMatch(execution.version), signal });
      executions[index] = updated;
      tbody.replaceChild(rowFor(updated, index), tbody.children[index]);
      announce(`${updated.test_case.code} ${label(EXECUTION_STATUSES, status)}`);
      await refreshCycle();
      focusRow(status === "not_run" ? index : index + 1);
    } catch (error) {
      showProblem(error);
      if (error.status === 409) {
        executions = (await api.get(`${cycleUrl}/executions`, { query: { limit: 200 }, signal })).items;
        drawGrid();
        focusRow(index);
      }
    }
  }

  function raiseDefect(index) {
    const execution = executions[index];
    const titleField = field({ label: "Defect title", name: "title", required: true,
      value: `${execution.test_case.title} fails`, attrs: { maxlength: "300" } });
    const severityField = field({ label: "Severity", name: "severity", type: "select", options: SEVERITIES, value: "p3" });
    const submit = h("button", { type: "submit", class: "btn btn-primary btn-small", text: "Raise defect" });
    const form = h("form", { class: "inline-form", "aria-label": `Defect for ${execution.test_case.code}` },
      titleField.wrapper, severityField.wrapper, submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await busy(submit, () => record(index, "failed", { new_defect: { title: titleField.control.value.trim(),
        severity: severityField.control.value } }));
      showMessage("The defect was raised and linked to this execution.");
    });
    const cell = tbody.children[index].querySelector(".cell-actions");
    cell.replaceChildren(form);
    titleField.control.focus();
  }

  tbody.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr.execution-row");
    if (!row || event.target !== row || event.altKey || event.ctrlKey || event.metaKey) return;
    const index = Number(row.dataset.index);
    const key = event.key.toLowerCase();
    if (key === "arrowdown" || key === "j") { event.preventDefault(); focusRow(index + 1); }
    else if (key === "arrowup" || key === "k") { event.preventDefault(); focusRow(index - 1); }
    else if (key === "home") { event.preventDefault(); focusRow(0); }
    else if (key === "end") { event.preventDefault(); focusRow(executions.length - 1); }
    else if (canRecord && KEYS[key]) { event.preventDefault(); record(index, KEYS[key]); }
  });

  drawSummary();
  drawGrid();
  gridCard.append(h("h2", { class: "card-title", id: "grid-title", text: "Executions" }),
    canRecord ? h("p", { class: "keyboard-help", id: "grid-help",
      text: "Tab into the grid, then: ↑/↓ move · P passed · F failed · B blocked · S skipped · N not run." }) : null,
    executions.length
      ? tableWrap(h("table", { class: "table execution-grid", "aria-describedby": canRecord ? "grid-help" : null },
        h("caption", { class: "visually-hidden", text: "Test executions of this cycle" }),
        h("thead", {}, h("tr", {}, ["Case", "Title", "Result", "Executed", "Defects", "Record"].map((text) => h("th", { scope: "col", text })))),
        tbody), "Execution grid")
      : emptyState("No test cases are planned into this cycle yet."));
  if (planCard) await drawPlanner();

  async function drawPlanner() {
    const cases = (await api.get(`/api/v1/projects/${project.id}/test-cases`, { query: { limit: 200 }, signal })).items;
    const planned = new Set(executions.map((e) => e.test_case_id));
    const candidates = cases.filter((c) => !planned.has(c.id));
    const boxes = candidates.map((c) => field({ label: `${c.code} · ${c.title}`, name: "case", type: "checkbox", attrs: { value: c.id } }));
    const submit = h("button", { type: "submit", class: "btn btn-primary btn-small", text: "Add to cycle" });
    const form = h("form", { class: "form", "aria-label": "Plan test cases" },
      candidates.length ? boxes.map((b) => b.wrapper) : h("p", { class: "muted", text: "Every test case is already planned." }),
      candidates.length ? h("div", { class: "form-actions" }, submit) : null);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const ids = boxes.filter((b) => b.control.checked).map((b) => b.control.value);
      if (!ids.length) return;
      try {
        await busy(submit, () => api.post(`${cycleUrl}/executions`, { test_case_ids: ids }, { signal }), "Adding…");
        flash(`${ids.length} test case(s) added.`);
        navigate(location.hash);
      } catch (error) {
        showProblem(error);
      }
    });
    planCard.replaceChildren(h("summary", { class: "card-title", text: "Plan test cases" }), form);
  }
}
