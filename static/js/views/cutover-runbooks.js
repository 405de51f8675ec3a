// The Runbooks tab of the Cutover view: the project's runbooks (a new one for cutover managers), and one runbook
// with its three sections — the plan (activities, dependencies, Gantt), the runs (rehearsals and the live board)
// and the go/no-go. Each section is an address: #/cutover?project=…&tab=runbooks&runbook=…&section=plan|runs|gonogo.

import { api, apiPath, ifMatch } from "../api.js";
import { can, flash, navigate } from "../app.js";
import { field, submitForm } from "../forms.js";
import { emptyState, h, loading, tableWrap } from "../ui.js";
import { DECISIONS, cutoverHref, instant, localInput, runbooksUrl, statusChip, timeZoneNote, when } from "./cutover-common.js";
import { mountGoNoGo } from "./cutover-gonogo.js";
import { mountPlan } from "./cutover-plan.js";
import { mountRuns } from "./cutover-run.js";
import { replacePresent, tabs } from "./delivery.js";

const SECTIONS = [["plan", "Plan"], ["runs", "Runs"], ["gonogo", "Go / no-go"]];

export async function renderRunbooks(root, { project, query, signal }) {
  const runbookId = query.get("runbook");
  if (runbookId) {
    await renderRunbook(root, { project, runbookId, query, signal });
  } else {
    await renderList(root, { project, signal });
  }
}

async function renderList(root, { project, signal }) {
  const url = runbooksUrl(project.id);
  const card = h("section", { class: "card", "aria-labelledby": "runbooks-title" }, loading("Loading runbooks…"));
  root.append(card);
  const page = await api.get(url, { query: { limit: 200 }, signal });
  const table = page.items.length ? tableWrap(h("table", { class: "table runbook-table" },
    h("caption", { class: "visually-hidden", text: "Runbooks of the project" }),
    h("thead", {}, h("tr", {}, ["Runbook", "Planned start", "Activities", "Author", "Go / no-go"].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, page.items.map((runbook) => h("tr", {},
      h("td", {}, h("a", { class: "row-link", href: cutoverHref(project.id, { runbook: runbook.id }), text: runbook.name })),
      h("td", { class: "cell-nowrap", text: when(runbook.planned_start) }),
      h("td", { text: String(runbook.activity_count) }),
      h("td", { text: runbook.author ? runbook.author.name : "—" }),
      h("td", {}, runbook.decision ? statusChip(DECISIONS, runbook.decision) : "Open"))))), "Runbooks")
    : emptyState("No runbook yet. A runbook is the hour-by-hour plan of the go-live weekend.");
  replacePresent(card, h("h2", { class: "card-title", id: "runbooks-title", text: "Runbooks" }), table, timeZoneNote(),
    can("cutover.manage") ? runbookForm(url, null, (saved) => {
      flash(`${saved.name} was created; add its activities.`);
      navigate(cutoverHref(project.id, { runbook: saved.id }));
    }) : null);
}

/** The form for a new runbook, or for editing `runbook` (If-Match). */
function runbookForm(url, runbook, onSaved) {
  const name = field({ label: "Name", name: "name", value: runbook ? runbook.name : "", required: true, attrs: { maxlength: "200" } });
  const start = field({ label: "Planned start", name: "planned_start", type: "datetime-local", required: true,
    value: runbook ? localInput(runbook.planned_start) : "", hint: "When the first activity may begin, in your time." });
  const description = field({ label: "Description", name: "description", type: "textarea", value: runbook ? runbook.description : "" });
  const problems = h("div", { class: "form-alerts" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: runbook ? "Save runbook" : "Create runbook" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": runbook ? "Edit runbook" : "New runbook" }, problems,
    h("div", { class: "form-grid" }, name.wrapper, start.wrapper, description.wrapper), h("div", { class: "form-actions" }, save));
  submitForm(form, {
    button: save, problems,
    validate: () => (instant(start.control.value) ? null : { planned_start: ["Give the date and time the weekend starts."] }),
    send: () => {
      const body = { name: name.control.value.trim(), planned_start: instant(start.control.value), description: description.control.value };
      return runbook ? api.patch(`${url}/${runbook.id}`, body, { headers: ifMatch(runbook.version) }) : api.post(url, body);
    },
    onSuccess: onSaved,
  });
  return h("details", { class: "disclosure" }, h("summary", { class: "subheading", text: runbook ? "Edit the runbook" : "New runbook" }), form);
}

async function renderRunbook(root, { project, runbookId, query, signal }) {
  const url = runbooksUrl(project.id) + apiPath`/${runbookId}`;
  const runbook = await api.get(url, { signal });
  const section = SECTIONS.some(([id]) => id === query.get("section")) ? query.get("section") : "plan";
  const fact = (term, value) => h("div", { class: "fact" }, h("dt", { text: term }), h("dd", {}, value));
  const head = h("section", { class: "card runbook-head", "aria-labelledby": "runbook-title" },
    h("p", { class: "breadcrumb-back" }, h("a", { href: cutoverHref(project.id), text: "All runbooks" })),
    h("h2", { class: "card-title", id: "runbook-title", text: runbook.name }),
    runbook.description ? h("p", { class: "prose", text: runbook.description }) : null,
    h("dl", { class: "facts" }, fact("Planned start", when(runbook.planned_start)), fact("Activities", String(runbook.activity_count)),
      fact("Author", runbook.author ? runbook.author.name : "—"),
      fact("Go / no-go", runbook.decision ? statusChip(DECISIONS, runbook.decision) : "Open")),
    can("cutover.manage") ? runbookForm(runbooksUrl(project.id), runbook, (saved) => {
      flash(`${saved.name} was saved.`);
      navigate(location.hash);
    }) : null,
    tabs(SECTIONS.map(([id, text]) => [id, text, cutoverHref(project.id, { runbook: runbook.id, section: id })]), section, "Runbook sections"));
  const body = h("section", { class: "card", "aria-label": SECTIONS.find(([id]) => id === section)[1] }, loading());
  root.append(head, body);
  if (section === "plan") await mountPlan(body, { url, runbook, signal });
  else if (section === "runs") await mountRuns(body, { url, project, runbook, query, signal });
  else {
    await mountGoNoGo(body, { url, runbook, signal, onDecided: (message) => {
      flash(message);
      navigate(location.hash);
    } });
  }
}
