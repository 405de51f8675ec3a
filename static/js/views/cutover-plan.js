// A runbook's plan: the schedule at a glance, the Gantt chart, and the activity table with its dependencies,
// start, finish and slack. Cutover managers add and edit activities (a change that would close a cycle is refused
// by the server, which names the activities) and move the plan in and out of Excel.

import { showMessage, showProblem } from "../alerts.js";
import { api, ifMatch } from "../api.js";
import { can } from "../app.js";
import { csvImportControl } from "../csv_import.js";
import { busy, field, submitForm } from "../forms.js";
import { chip, emptyState, h, tableWrap } from "../ui.js";
import { KINDS, instant, labelOf, localInput, minutes, people, shortWhen, timeZoneNote, when } from "./cutover-common.js";
import { gantt } from "./cutover-gantt.js";
import { replacePresent } from "./delivery.js";

/** Paint the plan of `runbook` into `region`; `reload()` repaints it (after an edit or an import). */
export async function mountPlan(region, { url, runbook, signal }) {
  const manager = can("cutover.manage");
  const owners = manager ? await people(signal) : [];
  const panel = h("div", { class: "card-section", hidden: true, id: "activity-panel" });
  const body = h("div", {});

  async function reload() {
    const plan = await api.get(`${url}/schedule`, { signal });
    paint(plan);
  }

  /** The activity form in the panel above the table; `opener` gets the focus back on cancel. */
  function openForm(plan, activity, opener) {
    panel.replaceChildren(activityForm({ url, plan, activity, owners, onDone: async (message) => {
      panel.hidden = true;
      panel.replaceChildren();
      showMessage(message);
      await reload();
      document.getElementById("plan-title").focus();
    }, onCancel: () => {
      panel.hidden = true;
      panel.replaceChildren();
      if (opener && opener.isConnected) opener.focus();
    } }));
    panel.hidden = false;
    panel.querySelector("input, select, textarea").focus();
  }

  function paint(plan) {
    const byId = new Map(plan.activities.map((a) => [a.id, a]));
    const onPath = new Set(plan.critical_path);
    const fact = (term, value) => h("div", { class: "fact" }, h("dt", { text: term }), h("dd", {}, value));
    const facts = h("dl", { class: "facts" },
      fact("Planned start", when(plan.start)),
      fact("Planned finish", when(plan.finish)),
      fact("Duration", minutes(plan.duration_minutes)),
      fact("Critical path", `${plan.critical_path.length} of ${plan.activities.length} activities`),
      fact("Fixed starts broken", plan.conflicts.length ? chip(`${plan.conflicts.length}`, "danger") : "None"));
    const toolbar = h("div", { class: "toolbar-actions" },
      h("a", { class: "btn btn-secondary btn-small", href: `${url}/export`, download: "", text: "Export .xlsx" }),
      manager ? csvImportControl(`${url}/import`, { id: "runbook-import-file", label: "Import .xlsx", accept: ".xlsx",
        onDone: async (result) => {
          showMessage(`Imported: ${result.created} new, ${result.updated} updated, ${result.unchanged} unchanged`
            + `${result.not_in_file.length ? `; kept ${result.not_in_file.length} not in the file` : ""}.`);
          await reload();
        } }) : null,
      manager ? h("button", { type: "button", class: "btn btn-primary btn-small", text: "New activity",
        "aria-controls": "activity-panel", onClick: (event) => openForm(plan, null, event.currentTarget) }) : null);
    const chart = plan.activities.length ? gantt({ items: plan.activities, start: plan.start, finish: plan.finish,
      caption: "Gantt chart of the plan", onPath }) : null;
    replacePresent(body, facts, timeZoneNote(), toolbar,
      plan.activities.length ? [chart, activityTable(plan, byId, onPath, manager ? (a, opener) => openForm(plan, a, opener) : null)]
        : emptyState("No activities yet. Add the first one, or import a spreadsheet."));
  }

  region.replaceChildren(h("h2", { class: "card-title", id: "plan-title", tabindex: "-1", text: "Plan" }), panel, body);
  await reload();
  return { reload };
}

function activityTable(plan, byId, onPath, onEdit) {
  const rows = plan.activities.map((a) => {
    const predecessors = a.depends_on.map((id) => (byId.get(id) ? byId.get(id).code : id));
    return h("tr", { class: a.critical ? "row-critical" : null, dataset: { code: a.code } },
      h("td", { class: "cell-code", text: a.code }),
      h("td", { class: "cell-wrap" }, h("span", { class: "cell-strong", text: a.title }),
        a.system || a.kind !== "task" ? h("p", { class: "muted cell-note",
          text: [a.kind !== "task" ? labelOf(KINDS, a.kind) : "", a.system].filter(Boolean).join(" · ") }) : null),
      h("td", { text: a.team || "—" }),
      h("td", { text: a.owner ? a.owner.name : "—" }),
      h("td", { class: "cell-nowrap", text: minutes(a.duration_minutes) }),
      h("td", { class: "cell-nowrap" }, shortWhen(a.start),
        a.fixed_start ? h("p", { class: "muted cell-note", text: `Not before ${shortWhen(a.fixed_start)}` }) : null,
        a.fixed_start_conflict ? chip("Fixed start broken", "danger") : null),
      h("td", { class: "cell-nowrap", text: shortWhen(a.finish) }),
      h("td", { class: "cell-nowrap" }, a.critical ? chip(onPath.has(a.id) ? "Critical path" : "Critical", "danger")
        : minutes(a.slack_minutes)),
      h("td", { class: "cell-code cell-wrap", text: predecessors.join(", ") || "—" }),
      onEdit ? h("td", { class: "cell-actions" }, h("button", { type: "button", class: "btn btn-secondary btn-small",
        text: "Edit", "aria-label": `Edit ${a.code}`, "aria-controls": "activity-panel",
        onClick: (event) => onEdit(a, event.currentTarget) })) : null);
  });
  const headings = ["Code", "Activity", "Team", "Owner", "Duration", "Start", "Finish", "Slack", "Predecessors"];
  return tableWrap(h("table", { class: "table table-compact activity-table" },
    h("caption", { class: "visually-hidden", text: "Activities in plan order with their schedule" }),
    h("thead", {}, h("tr", {}, [...headings, ...(onEdit ? ["Actions"] : [])].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, rows)), "Activities");
}

function activityForm({ url, plan, activity, owners, onDone, onCancel }) {
  const editing = Boolean(activity);
  const others = plan.activities.filter((a) => !activity || a.id !== activity.id);
  const value = (name, fallback = "") => (activity ? activity[name] ?? fallback : fallback);
  const fields = {
    code: field({ label: "Code", name: "code", value: value("code"), attrs: { maxlength: "40" },
      hint: editing ? "The key a spreadsheet re-import matches on." : "Leave empty for the next CUT-nnn." }),
    title: field({ label: "Title", name: "title", value: value("title"), required: true, attrs: { maxlength: "200" } }),
    team: field({ label: "Team", name: "team", value: value("team"), attrs: { maxlength: "120" } }),
    owner_id: field({ label: "Owner", name: "owner_id", type: "select", value: activity && activity.owner ? activity.owner.id : "",
      options: [["", "No owner yet"], ...owners] }),
    kind: field({ label: "Kind", name: "kind", type: "select", value: value("kind", "task"), options: KINDS,
      hint: "A milestone is a point in time (0 minutes)." }),
    system: field({ label: "System", name: "system", value: value("system"), attrs: { maxlength: "120" } }),
    duration_minutes: field({ label: "Duration (minutes)", name: "duration_minutes", type: "number",
      value: String(value("duration_minutes", 60)), required: true, attrs: { min: "0", step: "1" } }),
    planned_start: field({ label: "Fixed start (not before)", name: "planned_start", type: "datetime-local",
      value: localInput(value("fixed_start", null)), hint: "Optional: the activity starts no earlier than this." }),
  };
  const predecessors = field({ label: "Predecessors", name: "depends_on", type: "select",
    options: others.map((a) => [a.id, `${a.code} · ${a.title}`]),
    attrs: { multiple: true, size: String(Math.min(8, Math.max(3, others.length))) },
    hint: "Activities that must be done or skipped first. Ctrl/⌘ or Shift selects several." });
  for (const option of predecessors.control.options) {
    option.selected = option.defaultSelected = Boolean(activity && activity.depends_on.includes(option.value));
  }
  const problems = h("div", { class: "form-alerts" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: editing ? "Save activity" : "Add activity" });
  const remove = editing ? h("button", { type: "button", class: "btn btn-danger-outline", text: "Delete activity" }) : null;
  const form = h("form", { class: "form", novalidate: true, "aria-label": editing ? `Edit ${activity.code}` : "New activity" },
    h("h3", { class: "subheading", text: editing ? `Edit ${activity.code}` : "New activity" }), problems,
    h("div", { class: "form-grid" }, Object.values(fields).map((f) => f.wrapper), predecessors.wrapper),
    h("div", { class: "form-actions" }, save, remove,
      h("button", { type: "button", class: "btn btn-ghost", text: "Cancel", onClick: onCancel })));
  submitForm(form, {
    button: save, problems,
    send: () => {
      const body = {
        title: fields.title.control.value.trim(),
        team: fields.team.control.value.trim(),
        owner_id: fields.owner_id.control.value || null,
        kind: fields.kind.control.value,
        system: fields.system.control.value.trim(),
        duration_minutes: Number(fields.duration_minutes.control.value),
        planned_start: instant(fields.planned_start.control.value),
        depends_on: [...predecessors.control.selectedOptions].map((option) => option.value),
      };
      const code = fields.code.control.value.trim();
      if (code) body.code = code;
      return editing
        ? api.patch(`${url}/activities/${activity.id}`, body, { headers: ifMatch(activity.version) })
        : api.post(`${url}/activities`, body);
    },
    onSuccess: (saved) => onDone(`${saved.code} was ${editing ? "saved" : "added"}; the schedule is recomputed.`),
  });
  if (remove) {
    let armed = false;
    remove.addEventListener("click", async () => {
      if (!armed) {
        armed = true;
        remove.textContent = `Really delete ${activity.code}?`;
        return;
      }
      try {
        await busy(remove, () => api.del(`${url}/activities/${activity.id}`, { headers: ifMatch(activity.version) }), "Deleting…");
        await onDone(`${activity.code} was deleted.`);
      } catch (error) {
        armed = false;
        remove.textContent = "Delete activity";
        showProblem(error, { container: problems });
      }
    });
  }
  return form;
}
