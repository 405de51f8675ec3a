// One test cycle: its progress (pass-rate chart), an edit form (name, type, dates, status) and the execution grid,
// built for speed at the keyboard. Each row is one focusable item (roving tabindex): ↑/↓ (or J/K) move, P passed,
// F failed, B blocked, S skipped, N not run, E opens the row's evidence (its attachments, below the grid), Delete
// takes the case out of the cycle (after a confirmation). After a result the focus moves to the next row, so a
// tester runs down the list.

import { showMessage, showNotice, showProblem } from "../alerts.js";
import { api, apiPath, ifMatch } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { NOTHING_CHANGED, busy, field, submitForm } from "../forms.js";
import { announce, chip, emptyState, formatDate, formatDateTime, h, label, loading, setTitle, tableWrap } from "../ui.js";
import {
  CYCLE_STATUSES, CYCLE_TYPES, DEFECT_STATUSES, EXECUTION_STATUSES, SEVERITIES, appendPresent, percentBar, plainText,
  replacePresent, stackedBar, statusChip,
} from "./delivery.js";
import { conflictNotice, isStale, openEditor } from "./delivery-edit.js";
import { renderCyclePush } from "./cloud-alm.js";
import { workItemPanels } from "./work-item-panels.js";

const RESULT_ORDER = ["passed", "failed", "blocked", "skipped", "not_run"];
const KEYS = { p: "passed", f: "failed", b: "blocked", s: "skipped", n: "not_run" };


/** The cycle's name, type, dates, pass rate and results; `onEdit` (for managers) opens the edit form. */
function summaryContent(cycle, onEdit) {
  const p = cycle.progress;
  const open = Object.entries(p.open_defects).filter(([, n]) => n);
  return [
    h("h2", { class: "card-title", id: "cycle-title" }, cycle.name, " ", statusChip(CYCLE_STATUSES, cycle.status)),
    h("p", { class: "title-chips cycle-facts" }, chip(label(CYCLE_TYPES, cycle.cycle_type), "accent"),
      h("span", { class: "muted", text: ` ${formatDate(cycle.start_date)} – ${formatDate(cycle.end_date)}` })),
    h("p", { class: "pass-rate", id: "pass-rate", "aria-live": "polite", text: `Pass rate ${p.pass_rate}% · executed ${p.executed} of ${p.total}` }),
    percentBar("Executed", p.executed_pct),
    stackedBar(RESULT_ORDER.map((key) => [key, label(EXECUTION_STATUSES, key), p[key]]), { title: "Results", total: p.total }),
    h("p", { class: "muted", text: open.length
      ? `Open defects: ${open.map(([s, n]) => `${n} ${s.toUpperCase()}`).join(", ")}` : "No open defects" }),
    onEdit ? h("div", { class: "form-actions" }, h("button", { type: "button", class: "btn btn-secondary btn-small",
      text: "Edit cycle", "aria-controls": "edit-cycle-panel", onClick: onEdit })) : null,
  ];
}

/** "Plan test cases": the project's test cases not yet in the cycle, as checkboxes; adding reloads the page. */
async function fillPlanner(card, { project, cycleUrl, executions, signal }) {
  const cases = (await api.get(`/api/v1/projects/${project.id}/test-cases`, { query: { limit: 200 }, signal })).items;
  const planned = new Set(executions.map((e) => e.test_case_id));
  const candidates = cases.filter((c) => !planned.has(c.id));
  const boxes = candidates.map((c) => field({ label: `${c.code} · ${c.title}`, name: "case", type: "checkbox", attrs: { value: c.id } }));
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-small", text: "Add to cycle" });
  const form = h("form", { class: "form", "aria-label": "Plan test cases" },
    candidates.length ? boxes.map((b) => b.wrapper) : h("p", { class: "muted", text: "Every test case is already planned." }),
    candidates.length ? h("div", { class: "form-actions" }, submit) : null);
  const chosen = () => boxes.filter((b) => b.control.checked).map((b) => b.control.value);
  submitForm(form, {
    button: submit, busyText: "Adding…",
    send: () => (chosen().length ? api.post(`${cycleUrl}/executions`, { test_case_ids: chosen() }, { signal }) : NOTHING_CHANGED),
    onSuccess: () => {
      flash(`${chosen().length} test case(s) added.`);
      navigate(location.hash);
    },
  });
  card.replaceChildren(h("summary", { class: "card-title", text: "Plan test cases" }), form);
}

function defectLinks(project, execution) {
  if (!execution.defects.length) return "—";
  return execution.defects.map((d) => h("span", { class: "defect-ref" },
    h("a", { href: `#/testing?project=${project.id}&tab=defects&defect=${d.id}`, text: d.code }),
    ` (${d.severity.toUpperCase()}, ${label(DEFECT_STATUSES, d.status).toLowerCase()})`));
}

/**
 * One row of the execution grid. The row is the keyboard stop (the shortcut keys act on it), so its buttons stay
 * out of the Tab order. `onRecord(status)`, `onRaiseDefect()` and `onRemove()` are given to those who may use them.
 */
function executionRow(execution, index, { project, active, onRecord, onRaiseDefect, onRemove, onEvidence }) {
  const testCase = execution.test_case;
  const actions = onRecord ? h("div", { class: "result-buttons", role: "group", "aria-label": `Record ${testCase.code}` },
    [["passed", "Pass"], ["failed", "Fail"], ["blocked", "Block"]].map(([status, text]) => h("button", {
      type: "button", class: "btn btn-secondary btn-small", tabindex: "-1", text, onClick: () => onRecord(status) }))) : null;
  return h("tr", { class: "execution-row", tabindex: active ? "0" : "-1", dataset: { index: String(index) },
    "aria-label": `${testCase.code} ${testCase.title}: ${label(EXECUTION_STATUSES, execution.status)}` },
  h("td", { class: "cell-code", text: testCase.code }),
  h("td", {}, h("span", { class: "cell-strong", text: testCase.title }),
    testCase.expected_result ? h("span", { class: "muted expected", text: ` Expected: ${plainText(testCase.expected_result)}` }) : null),
  h("td", {}, statusChip(EXECUTION_STATUSES, execution.status)),
  h("td", { class: "cell-nowrap muted", text: execution.executed_at
    ? `${execution.executor ? execution.executor.name : ""} · ${formatDateTime(execution.executed_at)}` : "—" }),
  h("td", {}, defectLinks(project, execution)),
  h("td", { class: "cell-actions" }, actions,
    onRaiseDefect && execution.status === "failed" && !execution.defects.length
      ? h("button", { type: "button", class: "btn btn-ghost btn-small", tabindex: "-1", text: "Raise defect",
        onClick: onRaiseDefect }) : null,
    h("button", { type: "button", class: "btn btn-ghost btn-small", tabindex: "-1", text: "Evidence",
      "aria-label": `Evidence for ${testCase.code}`, onClick: onEvidence }),
    onRemove ? h("button", { type: "button", class: "btn btn-ghost btn-small btn-remove", tabindex: "-1", text: "Remove",
      "aria-label": `Remove ${testCase.code} from this cycle`, onClick: onRemove }) : null));
}

export async function render(root, { project, cycleId, executionId, signal }) {
  const cycleUrl = apiPath`/api/v1/projects/${project.id}/test-cycles/${cycleId}`;
  const canRecord = can("testing.execute");
  const manager = can("delivery.manage");
  const summary = h("section", { class: "card", "aria-labelledby": "cycle-title" }, loading());
  const editCard = manager ? h("section", { class: "card", hidden: true, id: "edit-cycle-panel",
    "aria-labelledby": "edit-cycle-title" }) : null;
  const planCard = manager ? h("details", { class: "card disclosure" }) : null;
  const gridCard = h("section", { class: "card card-flush", "aria-labelledby": "grid-title" });
  const almCard = manager && project.cloud_alm_project_id
    ? h("section", { class: "card", id: "cycle-alm", "aria-labelledby": "cycle-alm-title" }) : null;
  const evidenceSlot = h("div", { class: "evidence-slot" });
  appendPresent(root, h("p", {}, h("a", { href: `#/testing?project=${project.id}`, text: "← All cycles" })), summary, editCard,
    planCard, gridCard, evidenceSlot, almCard);
  if (almCard) renderCyclePush(almCard, project, cycleId, { signal });

  let cycle = await api.get(cycleUrl, { signal });
  let executions = (await api.get(`${cycleUrl}/executions`, { query: { limit: 200 }, signal })).items;

  function drawSummary() {
    setTitle(cycle.name);
    replacePresent(summary, ...summaryContent(cycle, manager ? openEdit : null));
  }

  async function refreshCycle() {
    cycle = await api.get(cycleUrl, { signal });
    drawSummary();
    return cycle;
  }

  function openEdit() {
    openEditor(editCard, {
      titleId: "edit-cycle-title", heading: `Edit ${cycle.name}`, noun: "test cycle", object: cycle,
      spec: [
        { name: "name", label: "Name", kind: "text", required: true, attrs: { maxlength: "200" } },
        { name: "cycle_type", label: "Type", kind: "select", options: CYCLE_TYPES },
        { name: "status", label: "Status", kind: "select", options: CYCLE_STATUSES },
        { name: "start_date", label: "Start", kind: "date" },
        { name: "end_date", label: "End", kind: "date" },
      ],
      save: (changes, version) => api.patch(cycleUrl, changes, { headers: ifMatch(version), signal }),
      reload: refreshCycle,
      onSaved: (updated) => {
        cycle = updated;
        drawSummary();
        showMessage(`${cycle.name} was saved.`);
      },
    });
  }

  // The grid ------------------------------------------------------------------------------------
  const wanted = executionId ? executions.findIndex((e) => e.id === executionId) : -1;
  let activeIndex = wanted >= 0 ? wanted : Math.max(0, executions.findIndex((e) => e.status === "not_run"));
  const tbody = h("tbody", {});
  const gridBody = h("div", {});

  function rowFor(execution, index) {
    return executionRow(execution, index, { project, active: index === activeIndex,
      onRecord: canRecord ? (status) => record(index, status) : null,
      onRaiseDefect: canRecord ? () => raiseDefect(index) : null,
      onRemove: manager ? () => removeCase(index) : null,
      onEvidence: () => openEvidence(index) });
  }

  /** The execution's own address shows its evidence (attachments) under the grid. */
  function openEvidence(index) {
    navigate(`#/testing?project=${project.id}&cycle=${cycleId}&execution=${executions[index].id}`);
  }

  async function showEvidence(execution) {
    const panels = workItemPanels({ url: `${cycleUrl}/executions/${execution.id}`, project, upload: "testing.execute",
      manage: "delivery.manage", title: `Evidence for ${execution.test_case.code}`, signal });
    evidenceSlot.replaceChildren(...panels.nodes);
    await panels.load();
  }

  function drawGrid() {
    tbody.replaceChildren(...executions.map(rowFor));
    gridBody.replaceChildren(executions.length
      ? tableWrap(h("table", { class: "table execution-grid", "aria-describedby": canRecord ? "grid-help" : null },
        h("caption", { class: "visually-hidden", text: "Test executions of this cycle" }),
        h("thead", {}, h("tr", {}, ["Case", "Title", "Result", "Executed", "Defects", "Record"].map((text) => h("th", { scope: "col", text })))),
        tbody), "Execution grid")
      : emptyState("No test cases are planned into this cycle yet."));
  }

  async function reloadExecutions() {
    executions = (await api.get(`${cycleUrl}/executions`, { query: { limit: 200 }, signal })).items;
    drawGrid();
  }

  async function removeCase(index) {
    const execution = executions[index];
    const code = execution.test_case.code;
    const result = execution.status === "not_run" ? ""
      : ` Its result (${label(EXECUTION_STATUSES, execution.status)}) will no longer count in this cycle's progress.`;
    if (!window.confirm(`Remove ${code} from ${cycle.name}?${result} Planning it in again brings the result back.`)) {
      focusRow(index);
      return;
    }
    try {
      await api.del(`${cycleUrl}/executions/${execution.id}`, { headers: ifMatch(execution.version), signal });
      executions.splice(index, 1);
      drawGrid();
      await refreshCycle();
      showRemoved(execution);
      focusRow(Math.min(index, executions.length - 1));
      if (planCard) await drawPlanner();
    } catch (error) {
      if (!isStale(error)) {
        showProblem(error);
        return;
      }
      await reloadExecutions();
      document.getElementById("alerts").replaceChildren(conflictNotice("test case's result"));
      focusRow(index);
    }
  }

  function showRemoved(execution) {
    showNotice(document.getElementById("alerts"), {
      title: `${execution.test_case.code} was removed from ${cycle.name}.`, tone: "success", focus: false,
      action: { text: "Undo", className: "btn btn-secondary btn-small", onClick: async (undo) => {
        try {
          await busy(undo, () => api.post(`${cycleUrl}/executions/${execution.id}/restore`, undefined, { signal }), "Restoring…");
          await Promise.all([reloadExecutions(), refreshCycle()]);
          showMessage(`${execution.test_case.code} is back in ${cycle.name}.`);
          focusRow(executions.findIndex((e) => e.id === execution.id));
          if (planCard) await drawPlanner();
        } catch (error) {
          showProblem(error);
        }
      } },
    });
  }

  function focusRow(index) {
    const rows = tbody.querySelectorAll("tr");
    if (!rows.length) return;
    activeIndex = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.setAttribute("tabindex", i === activeIndex ? "0" : "-1"));
    rows[activeIndex].focus();
  }

  function saveResult(index, status, extra = {}) {
    const execution = executions[index];
    return api.patch(`${cycleUrl}/executions/${execution.id}`, { status, ...extra },
      { headers: ifMatch(execution.version), signal });
  }

  /** A result was saved: redraw its row and the cycle's numbers, then move on to the next row. */
  async function showResult(index, updated) {
    executions[index] = updated;
    tbody.replaceChild(rowFor(updated, index), tbody.children[index]);
    announce(`${updated.test_case.code} ${label(EXECUTION_STATUSES, updated.status)}`);
    await refreshCycle();
    focusRow(updated.status === "not_run" ? index : index + 1);
  }

  /** A result was refused: say why; after a conflict show the grid as the server has it now. */
  async function resultRefused(index, error) {
    showProblem(error);
    if (error.status === 409) {
      await reloadExecutions();
      focusRow(index);
    }
  }

  async function record(index, status) {
    try {
      await showResult(index, await saveResult(index, status));
    } catch (error) {
      await resultRefused(index, error);
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
    submitForm(form, {
      button: submit, busyText: null,
      send: () => saveResult(index, "failed", { new_defect: { title: titleField.control.value.trim(),
        severity: severityField.control.value } }),
      onSuccess: async (updated) => {
        await showResult(index, updated);
        showMessage("The defect was raised and linked to this execution.");
      },
      onError: async (error) => {
        await resultRefused(index, error);
        return true;
      },
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
    else if (manager && key === "delete") { event.preventDefault(); removeCase(index); }
    else if (key === "e") { event.preventDefault(); openEvidence(index); }
  });

  drawSummary();
  drawGrid();
  appendPresent(gridCard, h("h2", { class: "card-title", id: "grid-title", text: "Executions" }),
    canRecord ? h("p", { class: "keyboard-help", id: "grid-help",
      text: `Tab into the grid, then: ↑/↓ move · P passed · F failed · B blocked · S skipped · N not run · E evidence${
        manager ? " · Delete removes the case from the cycle" : ""}.` }) : null,
    gridBody);
  if (wanted >= 0) focusRow(wanted);
  if (wanted >= 0) await showEvidence(executions[wanted]);
  if (planCard) await drawPlanner();

  function drawPlanner() {
    return fillPlanner(planCard, { project, cycleUrl, executions, signal });
  }
}
