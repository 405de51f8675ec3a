// Testing: a project's test cycles (progress bars, pass rate), test cases (CSV import/export) and defects.
// Addresses: #/testing?project=<id>[&tab=cases|defects][&cycle=<id>[&execution=<id>]] (the cycle opens its execution
// grid, on that execution's row, with its evidence), #/testing?project=<id>&tab=defects&defect=<id> (one defect),
// #/testing?project=<id>&tab=cases&case=<id> (one test case).

import { api } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { field, submitForm } from "../forms.js";
import { chip, emptyState, formatDate, h, label, loading, pageHeader, tableWrap } from "../ui.js";
import {
  CYCLE_STATUSES, CYCLE_TYPES, DEFECT_STATUSES, MODULES, SEVERITIES, addressFilters, appendPresent, openArea, percentBar,
  statusChip, tabs,
} from "./delivery.js";

export async function render(root, { query, signal }) {
  const { picker, project } = await openArea(root, { area: "testing", title: "Testing", query, signal });
  if (!project) return;
  const tab = ["cases", "defects"].includes(query.get("tab")) ? query.get("tab") : "cycles";
  const base = `#/testing?project=${project.id}`;
  root.append(pageHeader({ title: "Testing", subtitle: `${project.code} · ${project.name}` }),
    h("div", { class: "view-toolbar" }, picker, tabs([["cycles", "Test cycles", base], ["cases", "Test cases", `${base}&tab=cases`],
      ["defects", "Defects", `${base}&tab=defects`]], query.get("cycle") ? "cycles" : tab, "Testing sections")));
  if (query.get("cycle")) {
    const grid = await import("./testing-cycle.js");
    await grid.render(root, { project, cycleId: query.get("cycle"), executionId: query.get("execution"), signal });
  } else if (tab === "defects" && query.get("defect")) {
    const detail = await import("./testing-defect.js");
    await detail.render(root, { project, defectId: query.get("defect"), signal });
  } else if (tab === "cases" && query.get("case")) {
    const detail = await import("./testing-case.js");
    await detail.render(root, { project, caseId: query.get("case"), signal });
  } else if (tab === "cases") {
    const cases = await import("./testing-cases.js");
    await cases.render(root, { project, signal });
  } else if (tab === "defects") {
    await renderDefects(root, project, query, signal);
  } else {
    await renderCycles(root, project, signal);
  }
}

function openDefectsText(openDefects) {
  const parts = Object.entries(openDefects).filter(([, n]) => n).map(([sev, n]) => `${n} ${sev.toUpperCase()}`);
  return parts.length ? `Open defects: ${parts.join(", ")}` : "No open defects";
}

async function renderCycles(root, project, signal) {
  const url = `/api/v1/projects/${project.id}/test-cycles`;
  const list = h("div", { class: "cycle-grid" }, loading("Loading cycles…"));
  appendPresent(root, can("delivery.manage") ? newCycleForm(url) : null, list);
  const page = await api.get(url, { query: { limit: 200 }, signal });
  if (!page.items.length) {
    list.replaceChildren(emptyState("No test cycles yet."));
    return;
  }
  list.replaceChildren(...page.items.map((cycle) => {
    const p = cycle.progress;
    const titleId = `cycle-${cycle.id}`;
    return h("section", { class: "card cycle-card", "aria-labelledby": titleId },
      h("h2", { class: "card-title", id: titleId },
        h("a", { href: `#/testing?project=${project.id}&cycle=${cycle.id}`, text: cycle.name })),
      h("p", { class: "title-chips" }, chip(label(CYCLE_TYPES, cycle.cycle_type), "accent"), " ", statusChip(CYCLE_STATUSES, cycle.status),
        h("span", { class: "muted", text: ` ${formatDate(cycle.start_date)} – ${formatDate(cycle.end_date)}` })),
      percentBar(`Executed (${p.executed} of ${p.total})`, p.executed_pct),
      percentBar("Pass rate", p.pass_rate, p.pass_rate >= 90 ? "success" : p.pass_rate >= 70 ? "warning" : "danger"),
      h("p", { class: "muted", text: openDefectsText(p.open_defects) }));
  }));
}

function newCycleForm(url) {
  const fields = {
    name: field({ label: "Name", name: "name", required: true, attrs: { maxlength: "200" } }),
    cycle_type: field({ label: "Type", name: "cycle_type", type: "select", options: CYCLE_TYPES, value: "sit" }),
    start_date: field({ label: "Start", name: "start_date", type: "date" }),
    end_date: field({ label: "End", name: "end_date", type: "date" }),
  };
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Create cycle" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New test cycle" }, problems,
    h("div", { class: "form-grid" }, Object.values(fields).map((f) => f.wrapper)), h("div", { class: "form-actions" }, submit));
  submitForm(form, {
    button: submit, busyText: "Creating…", problems,
    send: () => api.post(url, { name: fields.name.control.value.trim(), cycle_type: fields.cycle_type.control.value,
      start_date: fields.start_date.control.value || null, end_date: fields.end_date.control.value || null }),
    onSuccess: (cycle) => {
      flash(`${cycle.name} was created. Plan test cases into it from the cycle page.`);
      navigate(`${location.hash.split("&")[0]}&cycle=${cycle.id}`);
    },
  });
  return h("details", { class: "card disclosure" }, h("summary", { class: "card-title", text: "New test cycle" }), form);
}

async function renderDefects(root, project, query, signal) {
  const url = `/api/v1/projects/${project.id}/defects`;
  const severity = query.get("severity") || "";
  const status = query.get("status") || "";
  const severityField = field({ label: "Severity", name: "severity", type: "select", value: severity, options: [["", "All"], ...SEVERITIES] });
  const statusField = field({ label: "Status", name: "status", type: "select", value: status, options: [["", "All"], ...DEFECT_STATUSES] });
  const filters = addressFilters("Filter defects", [severityField, statusField], "testing", { project: project.id, tab: "defects" });
  const results = h("div", {}, loading("Loading defects…"));
  appendPresent(root, can("testing.execute") ? newDefectForm(url) : null,
    h("section", { class: "card card-flush", "aria-label": "Defect list" }, h("div", { class: "card-toolbar" }, filters), results));
  const page = await api.get(url, { query: { limit: 200, severity, status }, signal });
  if (!page.items.length) {
    results.replaceChildren(emptyState("No defects match."));
    return;
  }
  results.replaceChildren(tableWrap(h("table", { class: "table" }, h("caption", { class: "visually-hidden", text: "Defects" }),
    h("thead", {}, h("tr", {}, ["Code", "Severity", "Title", "Module", "Status", "Assignee"].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, page.items.map((d) => h("tr", {},
      h("td", { class: "cell-code" }, h("a", { class: "row-link", href: `#/testing?project=${project.id}&tab=defects&defect=${d.id}`,
        text: d.code })), h("td", {}, statusChip(SEVERITIES, d.severity)), h("td", { text: d.title }),
      h("td", { text: d.module }), h("td", {}, statusChip(DEFECT_STATUSES, d.status)),
      h("td", { text: d.assignee ? d.assignee.name : "—" }))))), "Defects table"));
}

function newDefectForm(url) {
  const fields = {
    title: field({ label: "Title", name: "title", required: true, attrs: { maxlength: "300" } }),
    severity: field({ label: "Severity", name: "severity", type: "select", options: SEVERITIES, value: "p3" }),
    module: field({ label: "Module", name: "module", type: "select", options: MODULES, value: "FI" }),
  };
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Raise defect" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New defect" }, problems,
    h("div", { class: "form-grid" }, Object.values(fields).map((f) => f.wrapper)), h("div", { class: "form-actions" }, submit));
  submitForm(form, {
    button: submit, problems,
    send: () => api.post(url, Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.control.value.trim()]))),
    onSuccess: (defect) => {
      flash(`${defect.code} was raised.`);
      navigate(location.hash);
    },
  });
  return h("details", { class: "card disclosure" }, h("summary", { class: "card-title", text: "Raise a defect" }), form);
}
