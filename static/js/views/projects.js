// The projects list: text and phase filters, pagination, and a "New project" form for managers.

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { applyFieldErrors, busy, clearFieldErrors, field, submitForm, wireFilters } from "../forms.js";
import { offsetFrom, pagedList, replaceAddress } from "../paged-list.js";
import { PHASES, announce, chip, emptyState, formatDate, h, pageHeader, phaseChip, setTitle, tableWrap } from "../ui.js";

const LIMIT = 50;

function timezoneOptions() {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC", "Europe/Berlin", "Europe/Istanbul", "Europe/London", "America/New_York", "Asia/Kolkata"];
  }
}

function newProjectForm(onCreated, onCancel) {
  const listId = "timezone-options";
  const fields = {
    name: field({ label: "Name", name: "name", required: true, attrs: { maxlength: "200" } }),
    code: field({ label: "Code", name: "code", required: true, hint: "2–32 characters: letters, digits, - or _. Stored in capitals.",
      attrs: { maxlength: "32", autocapitalize: "characters", spellcheck: "false" } }),
    customer_name: field({ label: "Customer", name: "customer_name", attrs: { maxlength: "200" } }),
    go_live_date: field({ label: "Go-live date", name: "go_live_date", type: "date" }),
    phase: field({ label: "Phase", name: "phase", type: "select", options: PHASES, value: "explore" }),
    timezone: field({ label: "Time zone", name: "timezone", value: "UTC", required: true,
      hint: "An IANA name such as Europe/Istanbul.", attrs: { list: listId, spellcheck: "false" } }),
  };
  const datalist = h("datalist", { id: listId }, timezoneOptions().map((zone) => h("option", { value: zone })));
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Create project" });
  const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: onCancel });
  const problems = h("div", { class: "form-alerts" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New project" },
    problems,
    h("div", { class: "form-grid" }, Object.values(fields).map((item) => item.wrapper)),
    datalist,
    h("div", { class: "form-actions" }, submit, cancel));

  submitForm(form, {
    button: submit, busyText: "Creating…", problems,
    send: () => api.post("/api/v1/projects", {
      name: fields.name.control.value.trim(),
      code: fields.code.control.value.trim(),
      customer_name: fields.customer_name.control.value.trim(),
      go_live_date: fields.go_live_date.control.value || null,
      phase: fields.phase.control.value,
      timezone: fields.timezone.control.value.trim() || "UTC",
    }),
    onSuccess: onCreated,
  });
  return { form, focus: () => fields.name.control.focus() };
}

export async function render(root, { query, signal }) {
  setTitle("Projects");
  const manager = can("projects.manage");
  const state = {
    q: query.get("q") || "",
    phase: query.get("phase") || "",
    includeDeleted: manager && query.get("deleted") === "1",
  };

  const newButton = manager
    ? h("button", { type: "button", class: "btn btn-primary", "aria-expanded": "false", "aria-controls": "new-project-panel",
      text: "New project" })
    : null;
  const header = pageHeader({
    title: "Projects",
    subtitle: "SAP S/4HANA projects of your organisation.",
    actions: newButton ? [newButton] : [],
  });

  const panel = h("section", { class: "card", id: "new-project-panel", hidden: true, "aria-labelledby": "new-project-title" },
    h("h2", { class: "card-title", id: "new-project-title", text: "New project" }));
  if (manager) {
    const { form, focus } = newProjectForm((project) => {
      flash(`Project ${project.code} was created.`);
      navigate(`#/projects/${project.id}`);
    }, () => togglePanel(false));
    panel.append(form);
    newButton.addEventListener("click", () => togglePanel(panel.hidden));
    panel.focusFirst = focus;
  }
  function togglePanel(open) {
    panel.hidden = !open;
    newButton.setAttribute("aria-expanded", String(open));
    if (open) panel.focusFirst();
    else newButton.focus();
  }

  // Filters
  const search = field({ label: "Search", name: "q", type: "search", value: state.q,
    attrs: { placeholder: "Name, code or customer", spellcheck: "false" } });
  const phase = field({ label: "Phase", name: "phase", type: "select", value: state.phase,
    options: [["", "All phases"], ...PHASES] });
  const deleted = manager
    ? field({ label: "Show deleted", name: "deleted", type: "checkbox", value: state.includeDeleted })
    : null;
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter projects" },
    search.wrapper, phase.wrapper, deleted ? deleted.wrapper : null,
    h("button", { type: "submit", class: "btn btn-secondary", text: "Apply" }));

  const list = pagedList({
    noun: "project", limit: LIMIT, signal, loadingText: "Loading projects…",
    offset: offsetFrom(query),
    fetchPage: (offset) => api.get("/api/v1/projects", {
      query: { limit: LIMIT, offset, q: state.q, phase: state.phase, include_deleted: state.includeDeleted ? "true" : "" },
      signal,
    }),
    table: projectsTable,
    empty: () => {
      const filtered = state.q || state.phase;
      return emptyState(filtered ? "No projects match these filters." : "There are no projects yet.",
        !filtered && manager ? h("p", {}, "Use “New project” to create the first one.") : null);
    },
    onLoad: (offset) => replaceAddress("projects", { q: state.q, phase: state.phase, offset,
      deleted: state.includeDeleted ? "1" : "" }),
    onError: (error) => { if (error.errors) applyFieldErrors(filters, error); },
  });

  root.append(header, panel, h("section", { class: "card card-flush", "aria-label": "Project list" },
    h("div", { class: "card-toolbar" }, filters), ...list.nodes));

  function projectsTable(items) {
    const rows = items.map((project) => {
      const isDeleted = Boolean(project.deleted_at);
      const nameCell = isDeleted
        ? h("td", {}, h("span", { class: "muted-strong", text: project.name }), " ", chip("Deleted", "danger"))
        : h("td", {}, h("a", { href: `#/projects/${project.id}`, class: "row-link", text: project.name }));
      const actions = isDeleted && manager
        ? h("td", { class: "cell-actions" }, h("button", {
          type: "button", class: "btn btn-secondary btn-small", text: "Restore",
          "aria-label": `Restore ${project.name}`,
          onClick: (event) => restore(project, event.currentTarget),
        }))
        : h("td", { class: "cell-actions" });
      return h("tr", { class: isDeleted ? "row-deleted" : null },
        h("td", { class: "cell-code", text: project.code }),
        nameCell,
        h("td", { text: project.customer_name || "—" }),
        h("td", {}, phaseChip(project.phase)),
        h("td", { class: "cell-nowrap", text: formatDate(project.go_live_date) }),
        h("td", { class: "cell-nowrap", text: project.timezone }),
        actions);
    });
    return tableWrap(h("table", { class: "table" },
      h("caption", { class: "visually-hidden", text: "Projects" }),
      h("thead", {}, h("tr", {},
        ["Code", "Name", "Customer", "Phase", "Go-live", "Time zone"].map((text) => h("th", { scope: "col", text })),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })))),
      h("tbody", {}, rows)), "Projects table");
  }

  async function restore(project, button) {
    try {
      await busy(button, () => api.post(`/api/v1/projects/${project.id}/restore`, undefined, { signal }), "Restoring…");
      showMessage(`Project ${project.code} was restored.`);
      announce(`Project ${project.code} was restored.`);
      list.load();
    } catch (error) {
      showProblem(error);
    }
  }

  wireFilters(filters, {
    search: search.control,
    instant: [phase.control, deleted && deleted.control],
    apply: () => {
      clearFieldErrors(filters);
      state.q = search.control.value.trim();
      state.phase = phase.control.value;
      state.includeDeleted = Boolean(deleted && deleted.control.checked);
      list.go(0);
    },
    signal,
  });

  await list.load();
}
