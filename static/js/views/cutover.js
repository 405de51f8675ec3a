// Cutover: the "Go-Live + Hypercare" tab of seed 002 §7.2 — the project's go-live date and hypercare window
// (editable by project managers), the hypercare state at a glance with the way into the war room, and the SLA
// targets with the support calendar they are measured against (editable by PMs and admins) — and the
// "Runbooks" tab of issue 18 (cutover-runbooks.js): the go-live weekend's plan, its rehearsals and live run,
// and the go/no-go. Address: #/cutover?project=<id>[&tab=runbooks&runbook=<id>&section=plan|runs|gonogo].

import { showMessage } from "../alerts.js";
import { api, ifMatch } from "../api.js";
import { can } from "../app.js";
import { field, submitForm } from "../forms.js";
import { chip, formatDate, h, loading, pageHeader, tableWrap } from "../ui.js";
import { openArea, tabs } from "./delivery.js";
import { renderRunbooks } from "./cutover-runbooks.js";
import { PRIORITIES, duration, priorityChip } from "./hypercare-common.js";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const CALENDARS = [["24x7", "24×7"], ["business_hours", "Business hours"]];

export async function render(root, { query, signal }) {
  const { picker, project } = await openArea(root, { area: "cutover", title: "Cutover", query, signal });
  if (!project) return;
  const base = `#/cutover?project=${project.id}`;
  const tab = query.get("tab") === "runbooks" && can("cutover.read") ? "runbooks" : "golive";
  const items = [["golive", "Go-Live + Hypercare", base]];
  if (can("cutover.read")) items.push(["runbooks", "Runbooks", `${base}&tab=runbooks`]);
  root.append(pageHeader({ title: "Cutover", subtitle: `${project.code} · ${project.name}` }),
    h("div", { class: "view-toolbar" }, picker, tabs(items, tab, "Cutover sections")));
  if (tab === "runbooks") {
    await renderRunbooks(root, { project, query, signal });
    return;
  }
  const windowCard = h("section", { class: "card", "aria-labelledby": "golive-title" }, loading());
  const glanceCard = h("section", { class: "card", "aria-labelledby": "glance-title" }, loading());
  const slaCard = h("section", { class: "card", "aria-labelledby": "sla-title" }, loading());
  root.append(windowCard, glanceCard, slaCard);
  const hypercare = `/api/v1/projects/${project.id}/hypercare`;
  const [current, metrics, settings] = await Promise.all([api.get(`/api/v1/projects/${project.id}`, { signal }),
    api.get(`${hypercare}/metrics`, { signal }), api.get(`${hypercare}/sla`, { signal })]);
  paintWindow(windowCard, current);
  paintGlance(glanceCard, project, metrics);
  paintSla(slaCard, hypercare, settings);
}

function relativeDays(dateText) {
  const days = Math.round((Date.parse(`${dateText}T00:00:00Z`) - Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`)) / 86400000);
  if (days === 0) return "today";
  return days > 0 ? `in ${days} day${days === 1 ? "" : "s"}` : `${-days} day${days === -1 ? "" : "s"} ago`;
}

function paintWindow(card, project) {
  const fact = (term, value) => h("div", { class: "fact" }, h("dt", { text: term }), h("dd", { text: value }));
  const facts = h("dl", { class: "facts" },
    fact("Go-live", project.go_live_date ? `${formatDate(project.go_live_date)} (${relativeDays(project.go_live_date)})` : "Not set"),
    fact("Hypercare starts", project.hypercare_start ? formatDate(project.hypercare_start) : "Not set"),
    fact("Hypercare ends", project.hypercare_end ? `${formatDate(project.hypercare_end)} (${relativeDays(project.hypercare_end)})` : "Not set"),
    fact("Time zone for SLAs", project.timezone));
  card.replaceChildren(h("h2", { class: "card-title", id: "golive-title", text: "Go-live and hypercare window" }), facts,
    can("projects.manage") ? windowForm(card, project) : null);
}

function windowForm(card, project) {
  const fields = {
    go_live_date: field({ label: "Go-live date", name: "go_live_date", type: "date", value: project.go_live_date }),
    hypercare_start: field({ label: "Hypercare start", name: "hypercare_start", type: "date", value: project.hypercare_start }),
    hypercare_end: field({ label: "Hypercare end", name: "hypercare_end", type: "date", value: project.hypercare_end,
      hint: "Hypercare usually runs 4–8 weeks after go-live." }),
  };
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save dates" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "Go-live and hypercare dates" },
    h("div", { class: "form-grid" }, Object.values(fields).map((f) => f.wrapper)), h("div", { class: "form-actions" }, save));
  submitForm(form, {
    button: save,
    send: () => api.patch(`/api/v1/projects/${project.id}`,
      Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.control.value || null])),
      { headers: ifMatch(project.version) }),
    onSuccess: (saved) => {
      showMessage("The go-live and hypercare dates were saved.");
      paintWindow(card, saved);
    },
  });
  return h("details", { class: "disclosure" }, h("summary", { class: "subheading", text: "Change the dates" }), form);
}

function paintGlance(card, project, metrics) {
  const open = PRIORITIES.map(([p]) => [p, metrics.open_by_priority[p]]).filter(([, n]) => n);
  card.replaceChildren(h("h2", { class: "card-title", id: "glance-title", text: "Hypercare at a glance" }),
    h("p", {}, open.length ? open.map(([p, n]) => [priorityChip(p), ` ${n} open `]) : "No open incidents. ",
      metrics.sla_breached ? chip(`${metrics.sla_breached} SLA breached`, "danger") : chip("All SLAs on track", "success")),
    h("p", { class: "muted", text: `${metrics.total} incidents since go-live · SLA compliance `
      + `${metrics.sla_compliance_pct === null ? "—" : `${metrics.sla_compliance_pct}%`} · CSAT `
      + `${metrics.csat_average === null ? "—" : `${metrics.csat_average}/5`} · `
      + `${metrics.change_requests.by_status.pending_approval || 0} change request(s) awaiting approval` }),
    h("p", {}, h("a", { class: "btn btn-primary btn-small", href: `#/hypercare?project=${project.id}`, text: "Open the war room" })));
}

function paintSla(card, url, settings) {
  const manager = can("hypercare.sla.manage");
  const hours = (minutes) => String(Math.round((minutes / 60) * 100) / 100);
  const rows = PRIORITIES.map(([priority, text]) => {
    const target = settings.targets.find((t) => t.priority === priority);
    const input = (name, minutes) => (manager
      ? h("input", { type: "number", name: `${priority}.${name}`, min: "0.25", step: "0.25", value: hours(minutes), class: "input-hours",
        "aria-label": `${priority.toUpperCase()} ${name === "response" ? "response" : "resolution"} target in hours` })
      : duration(minutes));
    const calendar = manager
      ? h("select", { name: `${priority}.calendar`, "aria-label": `${priority.toUpperCase()} calendar` },
        CALENDARS.map(([value, label]) => h("option", { value, text: label, selected: target.calendar === value })))
      : CALENDARS.find(([value]) => value === target.calendar)[1];
    return h("tr", {}, h("th", { scope: "row" }, priorityChip(priority), ` ${text.split(" – ")[1]}`),
      h("td", {}, input("response", target.response_minutes)), h("td", {}, input("resolution", target.resolution_minutes)), h("td", {}, calendar));
  });
  const table = tableWrap(h("table", { class: "table table-compact" },
    h("caption", { class: "visually-hidden", text: "SLA targets per priority" }),
    h("thead", {}, h("tr", {}, ["Priority", manager ? "Response (hours)" : "Response", manager ? "Resolution (hours)" : "Resolution", "Calendar"]
      .map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, rows)), "SLA targets");
  const support = settings.business_hours;
  const calendarText = `Support hours ${support.start}–${support.end} (${support.timezone}), `
    + `${support.working_days.map((d) => WEEKDAYS[d]).join(", ")}; ${settings.holidays.length} holiday(s)`;
  if (!manager) {
    card.replaceChildren(h("h2", { class: "card-title", id: "sla-title", text: "SLA targets" }), table,
      h("p", { class: "muted", text: calendarText }));
    return;
  }
  const days = h("fieldset", { class: "weekday-picker" }, h("legend", { text: "Working days" }),
    WEEKDAYS.map((name, index) => h("label", {}, h("input", { type: "checkbox", name: "working_days", value: String(index),
      checked: support.working_days.includes(index) }), ` ${name}`)));
  const start = field({ label: "Support from", name: "start", type: "time", value: support.start });
  const end = field({ label: "Support until", name: "end", type: "time", value: support.end });
  const holidays = field({ label: "Holidays", name: "holidays", type: "textarea", value: settings.holidays.join("\n"),
    hint: "One date per line (YYYY-MM-DD). Business-hours clocks stop on these days." });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save SLA settings" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "SLA settings" }, table,
    h("div", { class: "form-grid" }, days, start.wrapper, end.wrapper, holidays.wrapper),
    h("p", { class: "muted", text: "Open incidents keep the deadlines they were opened with until their priority changes." }),
    h("div", { class: "form-actions" }, save));
  const minutes = (name) => Math.round(Number(form.elements.namedItem(name).value) * 60);
  submitForm(form, {
    button: save,
    send: () => api.put(`${url}/sla`, {
      targets: PRIORITIES.map(([p]) => ({ priority: p, response_minutes: minutes(`${p}.response`),
        resolution_minutes: minutes(`${p}.resolution`), calendar: form.elements.namedItem(`${p}.calendar`).value })),
      business_hours: { working_days: [...form.querySelectorAll("input[name=working_days]:checked")].map((c) => Number(c.value)),
        start: start.control.value, end: end.control.value },
      holidays: holidays.control.value.split(/[\s,]+/).map((d) => d.trim()).filter(Boolean),
    }),
    onSuccess: (saved) => {
      showMessage("The SLA settings were saved; new incidents use them.");
      paintSla(card, url, saved);
    },
  });
  card.replaceChildren(h("h2", { class: "card-title", id: "sla-title", text: "SLA targets and support calendar" }), form);
}
