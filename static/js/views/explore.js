// Explore: the requirements of one project (fit/gap chart, status chips, filters, bulk status, CSV import and
// export, new requirement, show and restore deleted ones) and its WRICEF backlog.
// Addresses: #/explore?project=<id>[&tab=backlog[&item=<id>]][&req=<id>].
// Filters live in the address too, so a filtered list can be bookmarked and shared.

import { showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { csvImportControl } from "../csv_import.js";
import { busy, field, submitForm } from "../forms.js";
import { countText, hasMore, offsetFrom } from "../paged-list.js";
import { chip, emptyState, h, label, loading, pageHeader, tableWrap } from "../ui.js";
import {
  FIT_GAP, MODULES, PRIORITIES, REQUIREMENT_STATUSES, TRANSITIONS, appendPresent, openArea, stackedBar,
  statusChip, tabs,
} from "./delivery.js";
import { openConflictDialog, renderSyncPanel, syncBadge } from "./cloud-alm.js";

const LIMIT = 50;
const FILTER_NAMES = ["q", "status", "module", "fit_gap", "priority"];

export async function render(root, { query, signal }) {
  const { picker, project } = await openArea(root, { area: "explore", title: "Explore", query, signal });
  if (!project) return;
  const tab = query.get("tab") === "backlog" ? "backlog" : "requirements";
  const base = `#/explore?project=${project.id}`;
  root.append(pageHeader({ title: "Explore", subtitle: `${project.code} · ${project.name}` }),
    h("div", { class: "view-toolbar" }, picker,
      tabs([["requirements", "Requirements", base], ["backlog", "WRICEF backlog", `${base}&tab=backlog`]], tab,
        "Explore sections")));
  if (query.get("req")) {
    const detail = await import("./explore-requirement.js");
    await detail.render(root, { project, requirementId: query.get("req"), signal });
  } else if (tab === "backlog" && query.get("item")) {
    const item = await import("./explore-backlog-item.js");
    await item.render(root, { project, itemId: query.get("item"), signal });
  } else if (tab === "backlog") {
    const backlog = await import("./explore-backlog.js");
    await backlog.render(root, { project, query, signal });
  } else {
    await renderRequirements(root, project, query, signal);
  }
}

function hashWith(project, query, changes) {
  const params = new URLSearchParams();
  params.set("project", project.id);
  for (const name of [...FILTER_NAMES, "deleted", "offset"]) {
    const value = name in changes ? changes[name] : query.get(name);
    if (value) params.set(name, value);
  }
  return `#/explore?${params.toString()}`;
}

async function renderRequirements(root, project, query, signal) {
  const manager = can("delivery.manage");
  const url = `/api/v1/projects/${project.id}/requirements`;
  const offset = offsetFrom(query);
  const filterValues = Object.fromEntries(FILTER_NAMES.map((name) => [name, query.get(name) || ""]));
  const showDeleted = manager && query.get("deleted") === "1"; // the API lists deleted rows only for staff who manage

  const summary = h("section", { class: "card summary-card", "aria-labelledby": "req-summary-title" },
    h("h2", { class: "card-title", id: "req-summary-title", text: "Fit/gap overview" }), loading());
  const panel = h("section", { class: "card", hidden: true, id: "new-req-panel", "aria-labelledby": "new-req-title" });
  const listCard = h("section", { class: "card card-flush", "aria-label": "Requirement list" });
  const almCard = can("integrations.read")
    ? h("section", { class: "card", id: "alm-sync", "aria-labelledby": "alm-sync-title" }, loading()) : null;
  appendPresent(root, summary, almCard, panel, listCard);
  if (almCard) {
    renderSyncPanel(almCard, project, { signal, onChanged: () => navigate(hashWith(project, query, {})) })
      .catch((error) => { if (error.name !== "AbortError") showProblem(error); });
  }

  // Filters -------------------------------------------------------------------------------------
  const controls = {
    q: field({ label: "Search", name: "q", type: "search", value: filterValues.q,
      attrs: { placeholder: "Words in title or description" } }),
    status: field({ label: "Status", name: "status", type: "select", value: filterValues.status,
      options: [["", "All statuses"], ...REQUIREMENT_STATUSES] }),
    module: field({ label: "Module", name: "module", type: "select", value: filterValues.module,
      options: [["", "All modules"], ...MODULES] }),
    fit_gap: field({ label: "Fit/gap", name: "fit_gap", type: "select", value: filterValues.fit_gap,
      options: [["", "All"], ...FIT_GAP] }),
    priority: field({ label: "Priority", name: "priority", type: "select", value: filterValues.priority,
      options: [["", "All priorities"], ...PRIORITIES] }),
  };
  const deletedBox = manager ? field({ label: "Show deleted", name: "deleted", type: "checkbox", value: showDeleted }) : null;
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter requirements" },
    Object.values(controls).map((item) => item.wrapper), deletedBox ? deletedBox.wrapper : null,
    h("button", { type: "submit", class: "btn btn-secondary", text: "Apply" }));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = { offset: "", deleted: deletedBox && deletedBox.control.checked ? "1" : "" };
    for (const name of FILTER_NAMES) changes[name] = controls[name].control.value.trim();
    navigate(hashWith(project, query, changes));
  });

  const exportLinks = h("div", { class: "toolbar-actions" },
    h("a", { class: "btn btn-secondary btn-small", href: `${url}/export`, download: "", text: "Export CSV" }),
    h("a", { class: "btn btn-secondary btn-small", href: `${url}/export?format=excel`, download: "",
      text: "Export for Excel" }),
    manager ? importControl(url, () => navigate(hashWith(project, query, {}))) : null,
    manager ? h("button", { type: "button", class: "btn btn-primary btn-small", text: "New requirement",
      "aria-controls": "new-req-panel", "aria-expanded": "false",
      onClick: (event) => toggleNew(event.currentTarget) }) : null);

  function toggleNew(button) {
    const open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      panel.replaceChildren(h("h2", { class: "card-title", id: "new-req-title", text: "New requirement" }),
        newRequirementForm(url, (created) => navigate(`#/explore?project=${project.id}&req=${created.id}`)));
      panel.querySelector("input").focus();
    } else {
      button.focus();
    }
  }

  const status = h("p", { class: "list-status", role: "status", "aria-live": "polite" });
  const results = h("div", {}, loading("Loading requirements…"));
  const pager = h("nav", { class: "pager", "aria-label": "Pagination" });
  listCard.append(h("div", { class: "card-toolbar" }, filters, exportLinks), status, results, pager);

  // Data ----------------------------------------------------------------------------------------
  const apiQuery = { limit: LIMIT, offset, sort: "code" };
  for (const name of FILTER_NAMES) if (filterValues[name]) apiQuery[name] = filterValues[name];
  if (showDeleted) apiQuery.include_deleted = "1";
  const [stats, page] = await Promise.all([api.get(`${url}/stats`, { signal }), api.get(url, { query: apiQuery, signal })]);

  summary.replaceChildren(summary.firstChild,
    stackedBar(FIT_GAP.map(([key, text]) => [key, text, stats.by_fit_gap[key]]), { title: `Fit/gap of ${stats.total} requirements` }),
    h("div", { class: "chip-filters", role: "group", "aria-label": "Filter by status" },
      REQUIREMENT_STATUSES.map(([key, text]) => h("a", {
        class: "chip-link", href: hashWith(project, query, { status: filterValues.status === key ? "" : key, offset: "" }),
        "aria-current": filterValues.status === key ? "true" : null,
      }, statusChip(REQUIREMENT_STATUSES, key), ` ${stats.by_status[key]}`, h("span", { class: "visually-hidden", text: ` ${text}` })))));

  status.textContent = page.total
    ? `Showing ${offset + 1}–${offset + page.items.length} of ${countText(page)} requirements${showDeleted ? ", deleted ones included" : ""}`
    : "No requirements match.";
  if (!page.items.length) {
    results.replaceChildren(emptyState(stats.total ? "No requirement matches these filters." : "No requirements yet."));
  } else {
    results.replaceChildren(requirementTable(page.items, project, manager, url, () => navigate(hashWith(project, query, {}))));
  }
  pager.replaceChildren(...[
    offset > 0 ? h("a", { class: "btn btn-secondary btn-small", href: hashWith(project, query, { offset: String(Math.max(0, offset - LIMIT)) }), text: "Previous" }) : null,
    hasMore(page, offset, LIMIT) ? h("a", { class: "btn btn-secondary btn-small", href: hashWith(project, query, { offset: String(offset + LIMIT) }), text: "Next" }) : null,
  ].filter(Boolean));
}

function coverageText(coverage) {
  if (!coverage || !coverage.cases) return "No tests";
  if (coverage.not_run === coverage.cases) return `${coverage.cases} not run yet`;
  return `${coverage.passed}/${coverage.cases} passed${coverage.failed ? `, ${coverage.failed} failed` : ""}`;
}

function requirementTable(items, project, manager, url, reload) {
  const selected = new Set();
  const bulkStatus = field({ label: "Move selected to", name: "bulk_status", type: "select",
    options: REQUIREMENT_STATUSES });
  const apply = h("button", { type: "submit", class: "btn btn-secondary btn-small", text: "Apply to selected", disabled: true });
  const count = h("span", { class: "muted", role: "status", text: "0 selected" });
  const bulk = manager ? h("form", { class: "bulk-bar", "aria-label": "Bulk status change" }, bulkStatus.wrapper, apply, count) : null;
  const refresh = () => {
    count.textContent = `${selected.size} selected`;
    apply.disabled = selected.size === 0;
  };
  if (bulk) {
    submitForm(bulk, {
      button: apply, busyText: null,
      send: () => api.post(`${url}/bulk-status`, { ids: [...selected], status: bulkStatus.control.value }),
      onSuccess: (result) => {
        flash(`${result.updated} requirements moved to ${label(REQUIREMENT_STATUSES, bulkStatus.control.value)}.`);
        reload();
      },
      onError: (error) => {
        // The requirements the workflow refused, one line each, under the problem.
        if (error.problem && error.problem.refused) error.unmatchedFieldErrors = error.problem.refused;
        showProblem(error);
        return true;
      },
    });
  }
  const table = h("table", { class: "table requirement-table" },
    h("caption", { class: "visually-hidden", text: "Requirements" }),
    h("thead", {}, h("tr", {},
      manager ? h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Select" })) : null,
      ["Code", "Title", "Module", "Fit/gap", "Priority", "Status", "Cloud ALM", "Owner", "Tests"].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, items.map((req) => h("tr", { class: req.deleted_at ? "row-deleted" : null },
      manager ? h("td", {}, req.deleted_at ? null : h("input", { type: "checkbox", "aria-label": `Select ${req.code}`,
        onChange: (event) => { if (event.target.checked) selected.add(req.id); else selected.delete(req.id); refresh(); } })) : null,
      h("td", { class: "cell-code" }, h("a", { class: "row-link", href: `#/explore?project=${project.id}&req=${req.id}`, text: req.code })),
      h("td", { text: req.title }),
      h("td", { text: req.module }),
      h("td", {}, statusChip(FIT_GAP, req.fit_gap)),
      h("td", { text: label(PRIORITIES, req.priority) }),
      h("td", {}, req.deleted_at ? h("span", { class: "restore-cell" }, chip("Deleted", "danger"),
        h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Restore", "aria-label": `Restore ${req.code}`,
          onClick: (event) => restore(req, event.currentTarget) })) : statusChip(REQUIREMENT_STATUSES, req.status)),
      h("td", { class: "cell-nowrap", dataset: { almSync: req.alm_sync_status } }, syncBadge(req.alm_sync_status),
        manager && req.alm_sync_status === "conflict" ? h("button", { type: "button", class: "btn btn-ghost btn-small",
          text: "Resolve", "aria-label": `Resolve the Cloud ALM conflict of ${req.code}`,
          onClick: () => openConflictDialog(project, req, reload) }) : null),
      h("td", { text: req.owner ? req.owner.name : "—" }),
      h("td", { class: "cell-nowrap", text: coverageText(req.coverage) })))));
  async function restore(req, button) {
    try {
      await busy(button, () => api.post(`${url}/${req.id}/restore`), "Restoring…");
      flash(`${req.code} was restored.`);
      reload();
    } catch (error) {
      showProblem(error);
    }
  }
  return h("div", {}, bulk, tableWrap(table, "Requirements table"));
}

function importControl(url, onDone) {
  return csvImportControl(`${url}/import`, { id: "req-import-file", onDone: (result) => {
    flash(`Imported: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged.`);
    onDone();
  } });
}

function newRequirementForm(url, onCreated) {
  const fields = {
    title: field({ label: "Title", name: "title", required: true, attrs: { maxlength: "300" } }),
    module: field({ label: "Module", name: "module", type: "select", options: MODULES, value: "FI" }),
    fit_gap: field({ label: "Fit/gap", name: "fit_gap", type: "select", options: FIT_GAP, value: "fit" }),
    priority: field({ label: "Priority", name: "priority", type: "select", options: PRIORITIES, value: "medium" }),
    scope_item: field({ label: "Scope item", name: "scope_item", hint: "SAP Best Practices scope item, e.g. J58.",
      attrs: { maxlength: "40" } }),
    workshop_ref: field({ label: "Workshop", name: "workshop_ref", attrs: { maxlength: "100" } }),
    description: field({ label: "Description", name: "description", type: "textarea" }),
  };
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Create requirement" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New requirement" }, problems,
    h("div", { class: "form-grid" }, Object.entries(fields).filter(([n]) => n !== "description").map(([, f]) => f.wrapper)),
    fields.description.wrapper, h("div", { class: "form-actions" }, submit));
  submitForm(form, {
    button: submit, busyText: "Creating…", problems,
    send: () => api.post(url, Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.control.value.trim()]))),
    onSuccess: (created) => {
      flash(`${created.code} was created.`);
      onCreated(created);
    },
  });
  return form;
}

export { TRANSITIONS };
