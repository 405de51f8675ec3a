// One WRICEF backlog item: its facts, the next build step, an edit form (type, title, module, status, effort,
// requirement, assignee, description) and its change history.
// Address: #/explore?project=<id>&tab=backlog&item=<id>.

import { ApiError, api, apiPath } from "../api.js";
import { can } from "../app.js";
import { chip, formatDateTime, h, label, loading, setTitle } from "../ui.js";
import { BACKLOG_STATUSES, MODULES, WRICEF_TYPES, plainText, replacePresent, statusChip } from "./delivery.js";
import {
  assigneeOptions, detailActions, excerpt, factList, inWords, projectPeople, renderHistory,
} from "./delivery-edit.js";
import { workItemPanels } from "./work-item-panels.js";

// The build steps in order; "Move to <next>" is offered until done. Any status can be set through Edit.
const FLOW = ["new", "design", "build", "unit_test", "done"];
const NAMES = { wricef_type: "Type", title: "Title", description: "Description", module: "Module", status: "Status",
  effort_days: "Effort (days)", requirement_id: "Requirement", assignee_id: "Assignee", deleted_at: "Deleted" };

export async function render(root, { project, itemId, signal }) {
  const url = apiPath`/api/v1/projects/${project.id}/backlog-items/${itemId}`;
  const manager = can("delivery.manage");
  const body = h("div", { class: "backlog-detail" }, loading("Loading backlog item…"));
  root.append(h("p", {}, h("a", { href: `#/explore?project=${project.id}&tab=backlog`, text: "← WRICEF backlog" })), body);
  let item;
  let people;
  let requirements;
  try {
    [item, people, requirements] = await Promise.all([api.get(url, { signal }), projectPeople(project, signal),
      api.get(`/api/v1/projects/${project.id}/requirements`, { query: { limit: 200, sort: "code" }, signal })
        .then((page) => page.items.map((r) => [r.id, `${r.code} · ${r.title}`, r.code]))]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      body.replaceChildren(h("section", { class: "card" }, h("p", { text: "This backlog item does not exist or was deleted." })));
      return;
    }
    throw error;
  }
  const personName = new Map(people);
  const requirementCode = new Map(requirements.map(([id, , code]) => [id, code]));
  const facts = h("section", { class: "card", "aria-labelledby": "item-title" });
  const editCard = h("section", { class: "card", hidden: true, id: "edit-item-panel", "aria-labelledby": "edit-item-title" });
  const historyCard = h("section", { class: "card", "aria-labelledby": "item-history-title" });
  const panels = workItemPanels({ url, project, upload: "delivery.manage", manage: "delivery.manage", discussion: true, signal });
  replacePresent(body, facts, editCard, ...panels.nodes, can("audit.read") ? historyCard : null);

  function requirementOptions() {
    const options = [["", "None"], ...requirements.map(([id, text]) => [id, text])];
    if (item.requirement && !requirementCode.has(item.requirement.id)) {
      options.push([item.requirement.id, `${item.requirement.code} · ${item.requirement.title}`]);
    }
    return options;
  }

  function drawFacts() {
    setTitle(`${item.code} · ${item.title}`);
    const position = FLOW.indexOf(item.status);
    const next = position >= 0 && position < FLOW.length - 1 ? FLOW[position + 1] : null;
    replacePresent(facts,
      h("h2", { class: "card-title", id: "item-title", tabindex: "-1" }, h("span", { class: "cell-code", text: item.code }),
        " ", item.title),
      h("div", { class: "title-chips" }, chip(label(WRICEF_TYPES, item.wricef_type), "accent"), " ",
        statusChip(BACKLOG_STATUSES, item.status)),
      factList([
        ["Module", item.module], ["Effort", item.effort_days === null ? "Not estimated" : `${item.effort_days} person-days`],
        ["Requirement", item.requirement ? h("a", { href: `#/explore?project=${project.id}&req=${item.requirement.id}`,
          text: `${item.requirement.code} · ${item.requirement.title}` }) : "—"],
        ["Assignee", item.assignee ? item.assignee.name : "Unassigned"],
        ["Hypercare incidents", item.incident_count ? h("a", {
          href: `#/hypercare?project=${project.id}&status=all&backlog_item=${item.id}`,
          text: `${item.incident_count} caused by this item` }) : "None"],
        ["Last changed", formatDateTime(item.updated_at)], ["Version", String(item.version)],
      ]),
      item.description ? h("p", { class: "prose", text: plainText(item.description) }) : null,
      manager ? h("div", { class: "form-actions", role: "group", "aria-label": "Actions" },
        next ? h("button", { type: "button", class: "btn btn-secondary btn-small", text: `Move to ${label(BACKLOG_STATUSES, next)}`,
          onClick: (event) => actions.move(next, event.currentTarget) }) : null,
        h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Edit", "aria-controls": "edit-item-panel",
          onClick: openEdit })) : null);
  }

  /** Show `next` as the backlog item of this page: its facts and its history. */
  function show(next) {
    item = next;
    drawFacts();
    loadHistory();
    return item;
  }

  async function reload() {
    return show(await api.get(url, { signal }));
  }

  const actions = detailActions({ url, noun: "backlog item", statuses: BACKLOG_STATUSES, signal, current: () => item, show,
    reload, afterMove: () => facts.querySelector("h2").focus() });

  function openEdit() {
    actions.edit(editCard, {
      titleId: "edit-item-title",
      spec: [
        { name: "title", label: "Title", kind: "text", required: true, attrs: { maxlength: "300" } },
        { name: "wricef_type", label: "Type", kind: "select", options: WRICEF_TYPES,
          hint: `The code stays ${item.code} when the type changes.` },
        { name: "module", label: "Module", kind: "select", options: MODULES },
        { name: "status", label: "Status", kind: "select", options: BACKLOG_STATUSES },
        { name: "effort_days", label: "Effort (days)", kind: "number", attrs: { min: "0", step: "0.5" } },
        { name: "requirement_id", label: "Requirement", kind: "nullable", options: requirementOptions() },
        { name: "assignee_id", label: "Assignee", kind: "nullable", options: assigneeOptions(people, item.assignee) },
        { name: "description", label: "Description", kind: "plain", wide: true },
      ],
    });
  }

  async function loadHistory() {
    if (!can("audit.read")) return;
    await renderHistory(historyCard, { entityType: "BacklogItem", id: itemId, titleId: "item-history-title", signal,
      names: NAMES, formats: { wricef_type: inWords(WRICEF_TYPES), status: inWords(BACKLOG_STATUSES),
        effort_days: (days) => String(Number(days)), // stored as a decimal string, "12.0"
        requirement_id: (id) => requirementCode.get(id) || "a deleted requirement",
        assignee_id: (id) => personName.get(id) || "someone else", description: excerpt, deleted_at: formatDateTime } });
  }

  drawFacts();
  await Promise.all([loadHistory(), panels.load()]);
}
