// The WRICEF backlog of a project: filter by type and status, add an item tracing to a requirement; each code
// opens the item (explore-backlog-item.js) to edit it.

import { api } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { field, submitForm } from "../forms.js";
import { countText } from "../paged-list.js";
import { emptyState, h, label, loading, tableWrap } from "../ui.js";
import { BACKLOG_STATUSES, MODULES, WRICEF_TYPES, addressFilters, appendPresent, statusChip } from "./delivery.js";

export async function render(root, { project, query, signal }) {
  const url = `/api/v1/projects/${project.id}/backlog-items`;
  const type = query.get("wricef_type") || "";
  const status = query.get("status") || "";
  const typeField = field({ label: "Type", name: "wricef_type", type: "select", value: type, options: [["", "All types"], ...WRICEF_TYPES] });
  const statusField = field({ label: "Status", name: "status", type: "select", value: status, options: [["", "All statuses"], ...BACKLOG_STATUSES] });
  const filters = addressFilters("Filter backlog", [typeField, statusField], "explore", { project: project.id, tab: "backlog" });
  const results = h("div", {}, loading("Loading backlog…"));
  const card = h("section", { class: "card card-flush", "aria-label": "Backlog list" }, h("div", { class: "card-toolbar" }, filters), results);
  appendPresent(root, can("delivery.manage") ? await newItemCard(project, url, () => navigate(location.hash)) : null, card);

  const page = await api.get(url, { query: { limit: 200, wricef_type: type, status, sort: "code" }, signal });
  if (!page.items.length) {
    results.replaceChildren(emptyState("No backlog items match."));
    return;
  }
  const totalEffort = page.items.reduce((sum, item) => sum + (item.effort_days || 0), 0);
  results.replaceChildren(h("p", { class: "list-status", text: `${countText(page)} items · ${totalEffort} person-days` }),
    tableWrap(h("table", { class: "table" }, h("caption", { class: "visually-hidden", text: "WRICEF backlog" }),
      h("thead", {}, h("tr", {}, ["Code", "Type", "Title", "Module", "Status", "Effort (days)", "Requirement", "Assignee"]
        .map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, page.items.map((item) => h("tr", {},
        h("td", { class: "cell-code" }, h("a", { class: "row-link", href: `#/explore?project=${project.id}&tab=backlog&item=${item.id}`,
          text: item.code })), h("td", { text: label(WRICEF_TYPES, item.wricef_type) }),
        h("td", { text: item.title }), h("td", { text: item.module }), h("td", {}, statusChip(BACKLOG_STATUSES, item.status)),
        h("td", { text: item.effort_days ?? "—" }),
        h("td", {}, item.requirement ? h("a", { href: `#/explore?project=${project.id}&req=${item.requirement.id}`,
          text: item.requirement.code }) : "—"),
        h("td", { text: item.assignee ? item.assignee.name : "—" }))))), "Backlog table"));
}

async function newItemCard(project, url, reload) {
  const requirements = await api.get(`/api/v1/projects/${project.id}/requirements`, { query: { limit: 200, fit_gap: "gap,partial_fit" } });
  const fields = {
    wricef_type: field({ label: "Type", name: "wricef_type", type: "select", options: WRICEF_TYPES, value: "enhancement" }),
    title: field({ label: "Title", name: "title", required: true, attrs: { maxlength: "300" } }),
    module: field({ label: "Module", name: "module", type: "select", options: MODULES, value: "FI" }),
    effort_days: field({ label: "Effort (days)", name: "effort_days", type: "number", attrs: { min: "0", step: "0.5" } }),
    requirement_id: field({ label: "Requirement (gap)", name: "requirement_id", type: "select",
      options: [["", "None"], ...requirements.items.map((r) => [r.id, `${r.code} · ${r.title}`])] }),
  };
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Add to backlog" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New backlog item" }, problems,
    h("div", { class: "form-grid" }, Object.values(fields).map((f) => f.wrapper)), h("div", { class: "form-actions" }, submit));
  submitForm(form, {
    button: submit, busyText: "Adding…", problems,
    send: () => api.post(url, { wricef_type: fields.wricef_type.control.value, title: fields.title.control.value.trim(),
      module: fields.module.control.value, requirement_id: fields.requirement_id.control.value || null,
      effort_days: fields.effort_days.control.value === "" ? null : Number(fields.effort_days.control.value) }),
    onSuccess: (item) => {
      flash(`${item.code} was added to the backlog.`);
      reload();
    },
  });
  return h("details", { class: "card disclosure" }, h("summary", { class: "card-title", text: "New backlog item" }), form);
}
