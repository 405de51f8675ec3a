// One requirement: its facts, the workflow buttons the server would accept, its trace (test cases -> latest
// execution -> defects) and its change history (the audit trail). A deleted one (managers may open it) says so
// and offers Restore.

import { showMessage, showNotice, showProblem } from "../alerts.js";
import { ApiError, api, apiPath, ifMatch } from "../api.js";
import { can } from "../app.js";
import { busy } from "../forms.js";
import { announce, chip, emptyState, formatDateTime, h, label, loading, setTitle, tableWrap } from "../ui.js";
import {
  EXECUTION_STATUSES, FIT_GAP, MODULES, PRIORITIES, REQUIREMENT_STATUSES, SEVERITIES, TRANSITIONS, plainText, replacePresent,
  statusChip,
} from "./delivery.js";
import { detailActions, excerpt, inWords, renderHistory, reportWriteError } from "./delivery-edit.js";
import { workItemPanels } from "./work-item-panels.js";

const ACTION_TEXT = { in_review: "Send to review", approved: "Approve", rejected: "Reject", draft: "Back to draft",
  realized: "Mark realized", verified: "Mark verified" };
const NAMES = { title: "Title", description: "Description", module: "Module", scope_item: "Scope item", fit_gap: "Fit/gap",
  priority: "Priority", status: "Status", workshop_ref: "Workshop", owner_id: "Owner", alm_sync_status: "Cloud ALM sync",
  alm_last_synced_at: "Cloud ALM synced", deleted_at: "Deleted" };

export async function render(root, { project, requirementId, signal }) {
  const url = apiPath`/api/v1/projects/${project.id}/requirements/${requirementId}`;
  const manager = can("delivery.manage");
  // Managers also open a deleted requirement (from "Show deleted"), to restore it.
  const readQuery = manager ? { include_deleted: "1" } : undefined;
  const body = h("div", { class: "requirement-detail" }, loading("Loading requirement…"));
  root.append(body);
  let requirement;
  try {
    requirement = await api.get(url, { query: readQuery, signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      body.replaceChildren(h("section", { class: "card" }, h("p", { text: "This requirement does not exist or was deleted." })));
      return;
    }
    throw error;
  }
  const notices = h("div", {});
  const facts = h("section", { class: "card", "aria-labelledby": "req-title" });
  const editCard = h("section", { class: "card", hidden: true, id: "edit-req-panel", "aria-labelledby": "edit-req-title" });
  const traceCard = h("section", { class: "card card-flush", "aria-labelledby": "trace-title" });
  const historyCard = h("section", { class: "card", "aria-labelledby": "history-title" });
  const panels = workItemPanels({ url, project, upload: "delivery.manage", manage: "delivery.manage", discussion: true, signal });
  replacePresent(body, h("p", {}, h("a", { href: `#/explore?project=${project.id}`, text: "← All requirements" })),
    notices, facts, editCard, traceCard, ...panels.nodes, can("audit.read") ? historyCard : null);

  function drawFacts() {
    setTitle(`${requirement.code} · ${requirement.title}`);
    const deleted = Boolean(requirement.deleted_at);
    if (deleted) showDeletedNotice();
    else notices.replaceChildren();
    const workflowButtons = manager && !deleted
      ? TRANSITIONS[requirement.status].map((next) => h("button", { type: "button",
        class: next === "rejected" ? "btn btn-danger-outline btn-small" : "btn btn-secondary btn-small",
        text: ACTION_TEXT[next], onClick: (event) => actions.move(next, event.currentTarget) }))
      : [];
    const sync = requirement.external_id
      ? `${requirement.external_id} (${requirement.alm_sync_status.replace("_", " ")}, ${formatDateTime(requirement.alm_last_synced_at)})`
      : "Not in SAP Cloud ALM yet";
    replacePresent(facts,
      h("h2", { class: "card-title", id: "req-title", tabindex: "-1" }, h("span", { class: "cell-code", text: requirement.code }),
        " ", requirement.title),
      h("div", { class: "title-chips" }, statusChip(REQUIREMENT_STATUSES, requirement.status), " ",
        statusChip(FIT_GAP, requirement.fit_gap), deleted ? chip("Deleted", "danger") : null),
      h("dl", { class: "facts" }, [
        ["Module", requirement.module], ["Scope item", requirement.scope_item || "—"],
        ["Priority", label(PRIORITIES, requirement.priority)], ["Owner", requirement.owner ? requirement.owner.name : "—"],
        ["Workshop", requirement.workshop_ref || "—"], ["SAP Cloud ALM", sync],
        ["Tests", `${requirement.coverage.passed}/${requirement.coverage.cases} passed, ${requirement.coverage.failed} failed`],
        ["Version", String(requirement.version)],
      ].map(([term, value]) => h("div", { class: "fact" }, h("dt", { text: term }), h("dd", { text: value })))),
      requirement.description ? h("p", { class: "prose", text: plainText(requirement.description) }) : null,
      manager && !deleted ? h("div", { class: "form-actions", role: "group", "aria-label": "Workflow" }, workflowButtons,
        h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Edit", "aria-controls": "edit-req-panel",
          onClick: openEdit }),
        h("button", { type: "button", class: "btn btn-danger-outline btn-small", text: "Delete", onClick: remove })) : null);
  }

  /** Show `next` as the requirement of this page: its facts and its history. */
  function show(next) {
    requirement = next;
    drawFacts();
    loadHistory();
    return requirement;
  }

  async function reload() {
    return show(await api.get(url, { query: readQuery, signal }));
  }

  const actions = detailActions({ url, noun: "requirement", statuses: REQUIREMENT_STATUSES, signal,
    current: () => requirement, show, reload, afterMove: () => facts.querySelector("h2").focus() });

  function showDeletedNotice() {
    showNotice(notices, {
      title: `${requirement.code} is deleted`, focus: false,
      detail: "It is left out of the requirement list, the fit/gap overview and test coverage. "
        + "Restore it to bring it back as it was.",
      action: manager ? { text: `Restore ${requirement.code}`, className: "btn btn-secondary btn-small", onClick: restore } : null,
    });
  }

  async function restore(button) {
    try {
      requirement = await busy(button, () => api.post(`${url}/restore`, undefined, { signal }), "Restoring…");
      drawFacts();
      await Promise.all([loadTrace(), loadHistory(), loadPanels()]);
      showMessage(`${requirement.code} was restored.`);
      facts.querySelector("h2").focus();
    } catch (error) {
      showProblem(error);
    }
  }

  async function remove(event) {
    if (!window.confirm(`Delete ${requirement.code}? You can restore it afterwards.`)) return;
    try {
      await busy(event.currentTarget, () => api.del(url, { headers: ifMatch(requirement.version), signal }));
      editCard.hidden = true;
      await reload();
      loadTrace();
      loadPanels();
      announce(`${requirement.code} was deleted.`);
      notices.querySelector("button").focus();
    } catch (error) {
      await reportWriteError(error, reload, "requirement");
    }
  }

  function openEdit() {
    actions.edit(editCard, {
      titleId: "edit-req-title", savedText: () => "Changes saved.",
      spec: [
        { name: "title", label: "Title", kind: "text", required: true, attrs: { maxlength: "300" } },
        { name: "module", label: "Module", kind: "select", options: MODULES },
        { name: "fit_gap", label: "Fit/gap", kind: "select", options: FIT_GAP },
        { name: "priority", label: "Priority", kind: "select", options: PRIORITIES },
        { name: "scope_item", label: "Scope item", kind: "text", attrs: { maxlength: "40" } },
        { name: "workshop_ref", label: "Workshop", kind: "text", attrs: { maxlength: "100" } },
        { name: "description", label: "Description", kind: "plain", wide: true },
      ],
    });
  }

  async function loadTrace() {
    traceCard.hidden = Boolean(requirement.deleted_at); // a deleted requirement is out of the trace
    if (traceCard.hidden) return;
    traceCard.replaceChildren(h("h2", { class: "card-title", id: "trace-title", text: "Trace: tests and defects" }), loading());
    const trace = await api.get(`${url}/trace`, { signal });
    const content = trace.test_cases.length
      ? tableWrap(h("table", { class: "table" },
        h("caption", { class: "visually-hidden", text: "Test cases proving this requirement" }),
        h("thead", {}, h("tr", {}, ["Test case", "Latest result", "Cycle", "Defects"].map((text) => h("th", { scope: "col", text })))),
        h("tbody", {}, trace.test_cases.map((tc) => h("tr", {},
          h("td", {}, h("span", { class: "cell-code", text: tc.code }), " ", tc.title),
          h("td", {}, statusChip(EXECUTION_STATUSES, tc.latest_execution ? tc.latest_execution.status : "not_run")),
          h("td", { text: tc.latest_execution && tc.latest_execution.cycle ? tc.latest_execution.cycle.name : "—" }),
          h("td", {}, tc.defects.length ? tc.defects.map((d) => h("span", { class: "defect-ref" },
            chip(label(SEVERITIES, d.severity).slice(0, 2), d.severity === "p1" ? "danger" : "warning"), " ",
            h("a", { href: `#/testing?project=${project.id}&tab=defects&defect=${d.id}`, text: d.code }), " ",
            h("span", { class: "muted", text: d.status }))) : "—"))))), "Trace table")
      : emptyState("No test case proves this requirement yet.");
    traceCard.replaceChildren(traceCard.firstChild, content);
  }

  /** A deleted requirement's files and thread are hidden (the API answers 404 for them until it is restored). */
  function loadPanels() {
    panels.hide(Boolean(requirement.deleted_at));
    return requirement.deleted_at ? null : panels.load();
  }

  async function loadHistory() {
    if (!can("audit.read")) return;
    await renderHistory(historyCard, { entityType: "ExploreRequirement", id: requirementId, titleId: "history-title", signal,
      names: NAMES, formats: { status: inWords(REQUIREMENT_STATUSES), fit_gap: inWords(FIT_GAP), priority: inWords(PRIORITIES),
        owner_id: (id) => (requirement.owner && requirement.owner.id === id ? requirement.owner.name : "another user"),
        alm_sync_status: (value) => value.replace("_", " "), alm_last_synced_at: formatDateTime, description: excerpt,
        deleted_at: formatDateTime } });
  }

  drawFacts();
  await Promise.all([loadTrace(), loadHistory(), loadPanels()]);
}
