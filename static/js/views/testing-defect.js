// One defect: its facts, where it was found (cycle, test case, result), the next steps of its lifecycle, an edit
// form (title, severity, status, module, assignee, description) and its change history.
// Address: #/testing?project=<id>&tab=defects&defect=<id>.

import { ApiError, api, apiPath } from "../api.js";
import { can } from "../app.js";
import { formatDateTime, h, loading, setTitle } from "../ui.js";
import {
  DEFECT_STATUSES, EXECUTION_STATUSES, MODULES, SEVERITIES, plainText, replacePresent, statusChip,
} from "./delivery.js";
import {
  assigneeOptions, detailActions, excerpt, factList, inWords, projectPeople, renderHistory,
} from "./delivery-edit.js";
import { workItemPanels } from "./work-item-panels.js";

// The usual defect lifecycle, offered as one-click next steps. The server keeps no defect workflow (any status
// can be set, e.g. to correct a slip, through Edit); should it answer 409 with allowed_transitions, it says so.
const NEXT = {
  new: [["open", "Confirm"], ["rejected", "Reject"]],
  open: [["in_progress", "Start work"], ["rejected", "Reject"]],
  in_progress: [["fixed", "Mark fixed"]],
  fixed: [["retest", "Ready for retest"]],
  retest: [["closed", "Close"], ["open", "Retest failed"]],
  closed: [["open", "Reopen"]],
  rejected: [["open", "Reopen"]],
};
const NAMES = { title: "Title", description: "Description", severity: "Severity", status: "Status", module: "Module",
  assignee_id: "Assignee", execution_id: "Execution", deleted_at: "Deleted" };

export async function render(root, { project, defectId, signal }) {
  const url = apiPath`/api/v1/projects/${project.id}/defects/${defectId}`;
  const mayEdit = can("testing.execute");
  const body = h("div", { class: "defect-detail" }, loading("Loading defect…"));
  root.append(h("p", {}, h("a", { href: `#/testing?project=${project.id}&tab=defects`, text: "← All defects" })), body);
  let defect;
  let people;
  try {
    [defect, people] = await Promise.all([api.get(url, { signal }), projectPeople(project, signal)]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      body.replaceChildren(h("section", { class: "card" }, h("p", { text: "This defect does not exist or was deleted." })));
      return;
    }
    throw error;
  }
  const names = new Map(people);
  const facts = h("section", { class: "card", "aria-labelledby": "defect-title" });
  const editCard = h("section", { class: "card", hidden: true, id: "edit-defect-panel", "aria-labelledby": "edit-defect-title" });
  const historyCard = h("section", { class: "card", "aria-labelledby": "defect-history-title" });
  const panels = workItemPanels({ url, project, upload: "delivery.manage", manage: "delivery.manage", discussion: true, signal });
  replacePresent(body, facts, editCard, ...panels.nodes, can("audit.read") ? historyCard : null);

  function foundIn() {
    const found = defect.execution;
    if (!found) return "Raised directly, not from a test run";
    const cycle = found.cycle.deleted ? h("span", { text: `${found.cycle.name} (deleted cycle)` })
      : h("a", { href: `#/testing?project=${project.id}&cycle=${found.cycle.id}&execution=${found.id}`,
        text: found.cycle.name });
    return h("span", { class: "found-in" }, cycle, " · ", h("span", { class: "cell-code", text: found.test_case.code }),
      ` ${found.test_case.title} `, statusChip(EXECUTION_STATUSES, found.status),
      found.removed ? h("span", { class: "muted", text: " (since taken out of the cycle)" }) : null);
  }

  function drawFacts() {
    setTitle(`${defect.code} · ${defect.title}`);
    const steps = mayEdit ? (NEXT[defect.status] || []).map(([next, text]) => h("button", { type: "button",
      class: next === "rejected" ? "btn btn-danger-outline btn-small" : "btn btn-secondary btn-small", text,
      onClick: (event) => actions.move(next, event.currentTarget) })) : [];
    replacePresent(facts,
      h("h2", { class: "card-title", id: "defect-title", tabindex: "-1" }, h("span", { class: "cell-code", text: defect.code }),
        " ", defect.title),
      h("div", { class: "title-chips" }, statusChip(SEVERITIES, defect.severity), " ", statusChip(DEFECT_STATUSES, defect.status)),
      factList([
        ["Module", defect.module], ["Assignee", defect.assignee ? defect.assignee.name : "Unassigned"],
        ["Found in", foundIn()],
        ["Reported", `${defect.reporter ? defect.reporter.name : "—"} · ${formatDateTime(defect.created_at)}`],
        ["Last changed", formatDateTime(defect.updated_at)],
        defect.external_id ? ["SAP Cloud ALM", defect.external_id] : null,
        ["Version", String(defect.version)],
      ].filter(Boolean)),
      defect.description ? h("p", { class: "prose", text: plainText(defect.description) }) : null,
      mayEdit ? h("div", { class: "form-actions", role: "group", "aria-label": "Next step" }, steps,
        h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Edit", "aria-controls": "edit-defect-panel",
          onClick: openEdit })) : null);
  }

  /** Show `next` as the defect of this page: its facts and its history. */
  function show(next) {
    defect = next;
    drawFacts();
    loadHistory();
    return defect;
  }

  async function reload() {
    return show(await api.get(url, { signal }));
  }

  const actions = detailActions({ url, noun: "defect", statuses: DEFECT_STATUSES, signal, current: () => defect, show,
    reload, afterMove: () => facts.querySelector("h2").focus() });

  function openEdit() {
    actions.edit(editCard, {
      titleId: "edit-defect-title",
      spec: [
        { name: "title", label: "Title", kind: "text", required: true, attrs: { maxlength: "300" } },
        { name: "severity", label: "Severity", kind: "select", options: SEVERITIES },
        { name: "status", label: "Status", kind: "select", options: DEFECT_STATUSES },
        { name: "module", label: "Module", kind: "select", options: MODULES },
        { name: "assignee_id", label: "Assignee", kind: "nullable", options: assigneeOptions(people, defect.assignee) },
        { name: "description", label: "Description", kind: "plain", wide: true },
      ],
    });
  }

  async function loadHistory() {
    if (!can("audit.read")) return;
    await renderHistory(historyCard, { entityType: "Defect", id: defectId, titleId: "defect-history-title", signal,
      names: NAMES, formats: { severity: inWords(SEVERITIES), status: inWords(DEFECT_STATUSES),
        assignee_id: (id) => names.get(id) || (defect.assignee && defect.assignee.id === id ? defect.assignee.name : "someone else"),
        description: excerpt, deleted_at: formatDateTime } });
  }

  drawFacts();
  await Promise.all([loadHistory(), panels.load()]);
}
