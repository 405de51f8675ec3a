// One requirement: its facts, the workflow buttons the server would accept, its trace (test cases -> latest
// execution -> defects) and its change history (the audit trail).

import { ApiError, api, applyFieldErrors, clearFieldErrors, ifMatch, showMessage, showProblem } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { busy, chip, emptyState, field, formatDateTime, formatValue, h, label, loading, setTitle, tableWrap } from "../ui.js";
import {
  EXECUTION_STATUSES, FIT_GAP, MODULES, PRIORITIES, REQUIREMENT_STATUSES, SEVERITIES, TRANSITIONS, plainText, replacePresent,
  statusChip,
} from "./delivery.js";

const ACTION_TEXT = { in_review: "Send to review", approved: "Approve", rejected: "Reject", draft: "Back to draft",
  realized: "Mark realized", verified: "Mark verified" };
const HIDDEN = new Set(["id", "tenant_id", "project_id", "version", "created_at", "created_by", "updated_at", "updated_by",
  "deleted_by"]);

export async function render(root, { project, requirementId, signal }) {
  const url = `/api/v1/projects/${project.id}/requirements/${requirementId}`;
  const body = h("div", { class: "requirement-detail" }, loading("Loading requirement…"));
  root.append(body);
  let requirement;
  try {
    requirement = await api.get(url, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      body.replaceChildren(h("section", { class: "card" }, h("p", { text: "This requirement does not exist or was deleted." })));
      return;
    }
    throw error;
  }
  const facts = h("section", { class: "card", "aria-labelledby": "req-title" });
  const editCard = h("section", { class: "card", hidden: true, id: "edit-req-panel", "aria-labelledby": "edit-req-title" });
  const traceCard = h("section", { class: "card card-flush", "aria-labelledby": "trace-title" });
  const historyCard = h("section", { class: "card", "aria-labelledby": "history-title" });
  replacePresent(body, h("p", {}, h("a", { href: `#/explore?project=${project.id}`, text: "← All requirements" })),
    facts, editCard, traceCard, can("audit.read") ? historyCard : null);

  function drawFacts() {
    setTitle(`${requirement.code} · ${requirement.title}`);
    const actions = can("delivery.manage")
      ? TRANSITIONS[requirement.status].map((next) => h("button", { type: "button",
        class: next === "rejected" ? "btn btn-danger-outline btn-small" : "btn btn-secondary btn-small",
        text: ACTION_TEXT[next], onClick: (event) => move(next, event.currentTarget) }))
      : [];
    const sync = requirement.external_id
      ? `${requirement.external_id} (${requirement.alm_sync_status.replace("_", " ")}, ${formatDateTime(requirement.alm_last_synced_at)})`
      : "Not in SAP Cloud ALM yet";
    replacePresent(facts,
      h("h2", { class: "card-title", id: "req-title" }, h("span", { class: "cell-code", text: requirement.code }), " ",
        requirement.title),
      h("div", { class: "title-chips" }, statusChip(REQUIREMENT_STATUSES, requirement.status), " ",
        statusChip(FIT_GAP, requirement.fit_gap)),
      h("dl", { class: "facts" }, [
        ["Module", requirement.module], ["Scope item", requirement.scope_item || "—"],
        ["Priority", label(PRIORITIES, requirement.priority)], ["Owner", requirement.owner ? requirement.owner.name : "—"],
        ["Workshop", requirement.workshop_ref || "—"], ["SAP Cloud ALM", sync],
        ["Tests", `${requirement.coverage.passed}/${requirement.coverage.cases} passed, ${requirement.coverage.failed} failed`],
        ["Version", String(requirement.version)],
      ].map(([term, value]) => h("div", { class: "fact" }, h("dt", { text: term }), h("dd", { text: value })))),
      requirement.description ? h("p", { class: "prose", text: plainText(requirement.description) }) : null,
      can("delivery.manage") ? h("div", { class: "form-actions", role: "group", "aria-label": "Workflow" }, actions,
        h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Edit", "aria-controls": "edit-req-panel",
          onClick: openEdit }),
        h("button", { type: "button", class: "btn btn-danger-outline btn-small", text: "Delete", onClick: remove })) : null);
  }

  async function remove(event) {
    if (!window.confirm(`Delete ${requirement.code}? It can be restored from the API or by an admin.`)) return;
    try {
      await busy(event.currentTarget, () => api.del(url, { headers: ifMatch(requirement.version), signal }));
      flash(`${requirement.code} was deleted.`);
      navigate(`#/explore?project=${project.id}`);
    } catch (error) {
      showProblem(error);
    }
  }

  function openEdit() {
    const fields = {
      title: field({ label: "Title", name: "title", required: true, value: requirement.title, attrs: { maxlength: "300" } }),
      module: field({ label: "Module", name: "module", type: "select", options: MODULES, value: requirement.module }),
      fit_gap: field({ label: "Fit/gap", name: "fit_gap", type: "select", options: FIT_GAP, value: requirement.fit_gap }),
      priority: field({ label: "Priority", name: "priority", type: "select", options: PRIORITIES, value: requirement.priority }),
      scope_item: field({ label: "Scope item", name: "scope_item", value: requirement.scope_item, attrs: { maxlength: "40" } }),
      workshop_ref: field({ label: "Workshop", name: "workshop_ref", value: requirement.workshop_ref, attrs: { maxlength: "100" } }),
      description: field({ label: "Description", name: "description", type: "textarea", value: plainText(requirement.description) }),
    };
    const problems = h("div", { class: "form-alerts" });
    const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save changes" });
    const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: () => { editCard.hidden = true; } });
    const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "edit-req-title" }, problems,
      h("div", { class: "form-grid" }, Object.entries(fields).filter(([n]) => n !== "description").map(([, f]) => f.wrapper)),
      fields.description.wrapper, h("div", { class: "form-actions" }, save, cancel));
    const baseVersion = requirement.version;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      problems.replaceChildren();
      const changes = {};
      for (const [name, f] of Object.entries(fields)) {
        const value = f.control.value.trim();
        const before = name === "description" ? plainText(requirement.description).trim() : requirement[name];
        if (value !== before) changes[name] = value;
      }
      if (!Object.keys(changes).length) { editCard.hidden = true; return; }
      try {
        requirement = await busy(save, () => api.patch(url, changes, { headers: ifMatch(baseVersion), signal }), "Saving…");
        editCard.hidden = true;
        drawFacts();
        loadHistory();
        showMessage("Changes saved.");
      } catch (error) {
        if (error.errors) applyFieldErrors(form, error);
        showProblem(error.status === 409
          ? new ApiError({ title: "Someone else changed this requirement", detail: "Reload the page to see their changes, then edit again." }, 409)
          : error, { container: problems });
      }
    });
    editCard.replaceChildren(h("h2", { class: "card-title", id: "edit-req-title", text: `Edit ${requirement.code}` }), form);
    editCard.hidden = false;
    fields.title.control.focus();
  }

  async function move(next, button) {
    button.disabled = true;
    try {
      requirement = await api.patch(url, { status: next }, { headers: ifMatch(requirement.version), signal });
      showMessage(`${requirement.code} is now ${label(REQUIREMENT_STATUSES, next)}.`);
      drawFacts();
      loadHistory();
      facts.querySelector("h2").setAttribute("tabindex", "-1");
      facts.querySelector("h2").focus();
    } catch (error) {
      button.disabled = false;
      showProblem(error);
    }
  }

  async function loadTrace() {
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
            chip(label(SEVERITIES, d.severity).slice(0, 2), d.severity === "p1" ? "danger" : "warning"), ` ${d.code} `,
            h("span", { class: "muted", text: d.status }))) : "—"))))), "Trace table")
      : emptyState("No test case proves this requirement yet.");
    traceCard.replaceChildren(traceCard.firstChild, content);
  }

  async function loadHistory() {
    if (!can("audit.read")) return;
    historyCard.replaceChildren(h("h2", { class: "card-title", id: "history-title", text: "Change history" }), loading());
    const history = await api.get(`/api/v1/audit/ExploreRequirement/${requirementId}/history`, { query: { limit: 20 }, signal });
    historyCard.replaceChildren(historyCard.firstChild, h("ol", { class: "timeline" }, history.items.map((version) =>
      h("li", { class: "timeline-item" },
        h("div", { class: "timeline-head" }, h("span", { class: "timeline-version", text: `Version ${version.version}` }),
          chip(version.change_type.toLowerCase(), "neutral"),
          h("span", { class: "timeline-meta", text: `${version.author ? version.author.name : "System"} · ${formatDateTime(version.committed_at)}` })),
        h("ul", { class: "change-list" }, version.changes.filter((c) => !HIDDEN.has(c.property) && version.change_type !== "INITIAL")
          .map((c) => h("li", {}, h("strong", { text: c.property }), `: ${formatValue(c.left)} → ${formatValue(c.right)}`)))))));
  }

  drawFacts();
  await Promise.all([loadTrace(), loadHistory()]);
}
