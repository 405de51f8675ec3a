// A project's test cases: the requirements each one proves, CSV export/import and a "new test case" form.

import { api } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { csvImportControl } from "../csv_import.js";
import { field, submitForm } from "../forms.js";
import { emptyState, h, loading, tableWrap } from "../ui.js";
import { MODULES, appendPresent, plainText } from "./delivery.js";

export async function render(root, { project, signal }) {
  const url = `/api/v1/projects/${project.id}/test-cases`;
  const manager = can("delivery.manage");
  const results = h("div", {}, loading("Loading test cases…"));
  const toolbar = h("div", { class: "card-toolbar toolbar-actions" },
    h("a", { class: "btn btn-secondary btn-small", href: `${url}/export`, download: "", text: "Export CSV" }),
    h("a", { class: "btn btn-secondary btn-small", href: `${url}/export?format=excel`, download: "", text: "Export for Excel" }),
    manager ? importButton(url) : null);
  appendPresent(root, manager ? await newCaseForm(project, url) : null,
    h("section", { class: "card card-flush", "aria-label": "Test case list" }, toolbar, results));
  const page = await api.get(url, { query: { limit: 200 }, signal });
  if (!page.items.length) {
    results.replaceChildren(emptyState("No test cases yet."));
    return;
  }
  results.replaceChildren(tableWrap(h("table", { class: "table" }, h("caption", { class: "visually-hidden", text: "Test cases" }),
    h("thead", {}, h("tr", {}, ["Code", "Title", "Module", "Expected result", "Requirements"].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, page.items.map((tc) => h("tr", {},
      h("td", { class: "cell-code" }, h("a", { href: `#/testing?project=${project.id}&tab=cases&case=${tc.id}`, text: tc.code })),
      h("td", { text: tc.title }), h("td", { text: tc.module }),
      h("td", { class: "muted", text: plainText(tc.expected_result) || "—" }),
      h("td", {}, tc.requirements.length ? tc.requirements.map((r) => h("a", { class: "req-ref",
        href: `#/explore?project=${project.id}&req=${r.id}`, text: r.code })) : "—"))))), "Test cases table"));
}

function importButton(url) {
  return csvImportControl(`${url}/import`, { id: "case-import-file", onDone: (result) => {
    flash(`Imported: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged.`);
    navigate(location.hash);
  } });
}

async function newCaseForm(project, url) {
  const requirements = (await api.get(`/api/v1/projects/${project.id}/requirements`, { query: { limit: 200 } })).items;
  const fields = {
    title: field({ label: "Title", name: "title", required: true, attrs: { maxlength: "300" } }),
    module: field({ label: "Module", name: "module", type: "select", options: MODULES, value: "FI" }),
    steps: field({ label: "Steps", name: "steps", type: "textarea" }),
    expected_result: field({ label: "Expected result", name: "expected_result", type: "textarea" }),
  };
  const select = h("select", { id: "case-requirements", name: "requirement_ids", multiple: true, size: "5" },
    requirements.map((r) => h("option", { value: r.id, text: `${r.code} · ${r.title}` })));
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Create test case" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New test case" }, problems,
    h("div", { class: "form-grid" }, fields.title.wrapper, fields.module.wrapper),
    fields.steps.wrapper, fields.expected_result.wrapper,
    h("div", { class: "field" }, h("label", { for: "case-requirements", text: "Proves requirements" }), select),
    h("div", { class: "form-actions" }, submit));
  submitForm(form, {
    button: submit, busyText: "Creating…", problems,
    send: () => {
      const body = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.control.value.trim()]));
      body.requirement_ids = [...select.selectedOptions].map((option) => option.value);
      return api.post(url, body);
    },
    onSuccess: (created) => {
      flash(`${created.code} was created.`);
      navigate(location.hash);
    },
  });
  return h("details", { class: "card disclosure" }, h("summary", { class: "card-title", text: "New test case" }), form);
}
