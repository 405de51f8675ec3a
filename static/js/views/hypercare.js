// Hypercare war room (seed 002 §7.1): go-live +N banner, SLA tiles per priority, the incident queue with live
// SLA countdowns, a new-incident form, trend and per-module charts and the change board. It refreshes itself
// every 30 s in place: forms and filters are never rebuilt, and a region holding the keyboard focus waits.
// Addresses: #/hypercare?project=<id>[&incident=<id> | &cr=<id>][&q=&status=&priority=&module=&assignee=&breached=1&offset=]

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can } from "../app.js";
import { busy, field, submitForm, wireFilters } from "../forms.js";
import { countText, hasMore, offsetFrom } from "../paged-list.js";
import { announce, chip, emptyState, formatDate, formatDateTime, h, loading, pageHeader, tableWrap } from "../ui.js";
import { MODULES, openArea } from "./delivery.js";
import { moduleChart, trendChart } from "./hypercare-charts.js";
import { mountChangeBoard } from "./hypercare-changes.js";
import { screenshotDrop } from "./incident-screenshot.js";
import { mountFormAssistant } from "./hypercare-triage.js";
import { mountOrderFlow } from "./order-flow.js";
import {
  INCIDENT_STATUSES, INCIDENT_TYPES, PRIORITIES, UNRESOLVED, duration, panelToggle, priorityChip, projectStaff, slaClock,
  slaTargetText, statusChip, tickClocks,
} from "./hypercare-common.js";

const LIMIT = 50;
const REFRESH_MS = 30000;
const TICK_MS = 15000;
const FILTER_NAMES = ["q", "status", "priority", "module", "assignee", "breached", "backlog_item"];

export async function render(root, { query, signal }) {
  const { picker, project } = await openArea(root, { area: "hypercare", title: "Hypercare", query, signal });
  if (!project) return;
  if (query.get("incident")) {
    const detail = await import("./hypercare-incident.js");
    await detail.render(root, { project, incidentId: query.get("incident"), signal });
    return;
  }
  if (query.get("cr")) {
    const detail = await import("./hypercare-change-request.js");
    await detail.render(root, { project, crId: query.get("cr"), signal });
    return;
  }
  await renderWarRoom(root, project, picker, query, signal);
}

function hashFor(project, filters, offset = 0) {
  const params = new URLSearchParams({ project: project.id });
  for (const name of FILTER_NAMES) if (filters[name]) params.set(name, filters[name]);
  if (offset) params.set("offset", String(offset));
  return `#/hypercare?${params}`;
}

/** The list query: unresolved incidents unless the user picked a status ("all" lifts the filter). */
function listQuery(filters, offset) {
  const query = { limit: LIMIT, offset, status: filters.status === "all" ? "" : filters.status || UNRESOLVED };
  for (const name of ["q", "priority", "module", "assignee", "backlog_item"]) if (filters[name]) query[name] = filters[name];
  if (filters.breached) query.breached = "true";
  return query;
}

async function renderWarRoom(root, project, picker, query, signal) {
  const base = `/api/v1/projects/${project.id}/hypercare`;
  const filters = Object.fromEntries(FILTER_NAMES.map((name) => [name, query.get(name) || ""]));
  let offset = offsetFrom(query);

  const updated = h("span", { class: "muted refresh-status", text: "" });
  const refreshButton = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Refresh",
    onClick: () => busy(refreshButton, () => refresh({ force: true }), "Refreshing…") });
  const newButton = can("hypercare.report") ? h("button", { type: "button", class: "btn btn-primary btn-small", text: "New incident",
    "aria-controls": "new-incident-panel", "aria-expanded": "false", onClick: () => toggleNew() }) : null;
  const bannerRegion = h("section", { class: "golive-banner", "aria-label": "Go-live status" }, loading());
  const tilesRegion = h("section", { class: "sla-tiles", "aria-label": "SLA status per priority" });
  const chartsRegion = h("section", { class: "card hypercare-charts", "aria-label": "Hypercare trend" });
  const newPanel = h("section", { class: "card", id: "new-incident-panel", hidden: true, "aria-labelledby": "new-incident-title" });
  const results = h("div", { class: "incident-results" }, loading("Loading incidents…"));
  const listStatus = h("p", { class: "list-status", role: "status", "aria-live": "polite" });
  const pager = h("nav", { class: "pager", "aria-label": "Pagination" });
  const boardRegion = h("section", { class: "card card-flush", id: "change-board", "aria-labelledby": "change-board-title" });
  const flowRegion = can("integrations.read")
    ? h("section", { class: "card card-flush", id: "order-flow", "aria-labelledby": "order-flow-title" }) : null;

  root.append(
    pageHeader({ title: "Hypercare war room", subtitle: `${project.code} · ${project.name}`,
      actions: [updated, refreshButton, newButton].filter(Boolean) }),
    h("div", { class: "view-toolbar" }, picker),
    bannerRegion, tilesRegion, newPanel,
    h("section", { class: "card card-flush", "aria-labelledby": "incident-queue-title" },
      h("h2", { class: "card-title card-title-padded", id: "incident-queue-title", text: "Incident queue" }),
      h("div", { class: "card-toolbar" }, filterForm()), listStatus, results, pager),
    chartsRegion, flowRegion, boardRegion);

  const board = mountChangeBoard(boardRegion, project, { signal });
  const flow = flowRegion ? mountOrderFlow(flowRegion, project, { signal }) : null;
  let settings = null;

  function filterForm() {
    const controls = {
      q: field({ label: "Search", name: "q", type: "search", value: filters.q, attrs: { placeholder: "Number, title or text" } }),
      status: field({ label: "Status", name: "status", type: "select", value: filters.status,
        options: [["", "Unresolved"], ["all", "All"], ...INCIDENT_STATUSES] }),
      priority: field({ label: "Priority", name: "priority", type: "select", value: filters.priority,
        options: [["", "All priorities"], ...PRIORITIES] }),
      module: field({ label: "Module", name: "module", type: "select", value: filters.module, options: [["", "All modules"], ...MODULES] }),
      assignee: field({ label: "Assignee", name: "assignee", type: "select", value: filters.assignee,
        options: [["", "Anyone"], ["me", "Me"], ["none", "Unassigned"]] }),
      breached: field({ label: "SLA breached only", name: "breached", type: "checkbox", value: filters.breached === "1" }),
    };
    const form = h("form", { class: "filters", role: "search", "aria-label": "Filter incidents" },
      Object.values(controls).map((c) => c.wrapper), h("button", { type: "submit", class: "btn btn-secondary", text: "Apply" }));
    wireFilters(form, {
      search: controls.q.control,
      instant: [controls.status.control, controls.priority.control, controls.module.control, controls.assignee.control,
        controls.breached.control],
      signal,
      apply: () => {
        for (const name of ["q", "status", "priority", "module", "assignee"]) filters[name] = controls[name].control.value.trim();
        filters.breached = controls.breached.control.checked ? "1" : "";
        offset = 0;
        history.replaceState(null, "", hashFor(project, filters)); // the address follows, the page stays
        refresh({ force: true }).catch(report);
      },
    });
    return form;
  }

  const toggleNew = newButton ? panelToggle(newPanel, newButton, (close) => [
    h("h2", { class: "card-title", id: "new-incident-title", text: "Report an incident" }),
    newIncidentForm(project, base, signal, async (incident, triageNote) => {
      close();
      showMessage(`${incident.number} was reported. ${triageNote}${incident.sla_response_deadline
        ? `First response due ${formatDateTime(incident.sla_response_deadline)}.` : ""}`);
      await refresh({ force: true });
    }, close)]) : null;

  /** Fetch and repaint; a region the user is working in (focus inside) keeps its content until next time. The
   * timer's polls may get the page every screen shares (up to 5 s old); a refresh the user asked for gets it now. */
  async function refresh({ force = false } = {}) {
    const [metrics, page, sla] = await Promise.all([
      api.get(`${base}/metrics`, { signal }),
      api.get(`${base}/incidents`, { query: listQuery(filters, offset), signal,
        headers: force ? { "Cache-Control": "no-cache" } : undefined }),
      settings ? settings : api.get(`${base}/sla`, { signal }),
    ]);
    settings = sla;
    const idle = (region) => force || !region.contains(document.activeElement);
    if (idle(bannerRegion)) bannerRegion.replaceChildren(...banner(project, metrics));
    if (idle(tilesRegion)) tilesRegion.replaceChildren(...tiles(project, metrics, settings));
    if (idle(chartsRegion)) {
      chartsRegion.replaceChildren(h("h2", { class: "card-title", text: "Since go-live" }),
        h("div", { class: "chart-pair" }, trendChart(metrics.backlog_trend), moduleChart(metrics.by_module)),
        summaryFacts(metrics));
    }
    if (idle(results)) {
      results.replaceChildren(page.items.length ? incidentTable(project, page.items, settings)
        : emptyState(filters.breached ? "No breached incidents match." : "No incidents match."));
      listStatus.replaceChildren(h("span", {}, `${countText(page)} incident${page.total === 1 ? "" : "s"}`, filters.backlog_item ? [
        " caused by one WRICEF item · ", h("a", { href: hashFor(project, { ...filters, backlog_item: "" }), text: "show all" })] : null));
      pager.replaceChildren(...[
        offset > 0 ? h("a", { class: "btn btn-secondary btn-small", href: hashFor(project, filters, Math.max(0, offset - LIMIT)), text: "Previous" }) : null,
        hasMore(page, offset, LIMIT) ? h("a", { class: "btn btn-secondary btn-small", href: hashFor(project, filters, offset + LIMIT), text: "Next" }) : null,
      ].filter(Boolean));
    }
    await Promise.all([board.refresh({ force }), flow ? flow.refresh({ force }) : null]);
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  function report(error) {
    if (error.name === "AbortError" || signal.aborted) return;
    updated.textContent = "Refresh failed; retrying";
    showProblem(error);
  }

  await refresh({ force: true });
  const refreshTimer = window.setInterval(() => { if (!document.hidden) refresh().catch(report); }, REFRESH_MS);
  const tickTimer = window.setInterval(() => tickClocks(results), TICK_MS);
  signal.addEventListener("abort", () => {
    window.clearInterval(refreshTimer);
    window.clearInterval(tickTimer);
  });
}

function banner(project, metrics) {
  const days = metrics.days_since_go_live;
  let headline = "No go-live date set";
  if (days !== null && days !== undefined) headline = days >= 0 ? `Go-live +${days} day${days === 1 ? "" : "s"}` : `Go-live in ${-days} days`;
  const breaches = metrics.sla_breached;
  const tone = breaches ? "danger" : "success";
  let windowText = "No hypercare window set";
  if (project.hypercare_end) {
    const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    const left = Math.round((Date.parse(`${project.hypercare_end}T00:00:00Z`) - today) / 86400000);
    windowText = `Hypercare ${formatDate(project.hypercare_start || project.go_live_date)} – ${formatDate(project.hypercare_end)} · `
      + (left >= 0 ? `${left} day${left === 1 ? "" : "s"} left` : "ended");
  }
  return [
    h("p", { class: `golive-headline golive-${tone}` }, h("strong", { text: headline }), " ",
      chip(breaches ? `${breaches} open SLA breach${breaches === 1 ? "" : "es"}` : "All SLAs on track", tone)),
    h("p", { class: "muted", text: `${windowText} · ${metrics.open} open, ${metrics.waiting_customer} waiting for the customer, `
      + `${metrics.resolved_this_week} resolved this week` }),
  ];
}

function tiles(project, metrics, settings) {
  const link = (params, text) => h("a", { href: `#/hypercare?${new URLSearchParams({ project: project.id, ...params })}`, text });
  const perPriority = PRIORITIES.map(([priority, text]) => {
    const open = metrics.open_by_priority[priority];
    const breached = metrics.breached_by_priority[priority];
    const target = settings.targets.find((t) => t.priority === priority);
    return h("article", { class: `sla-tile sla-tile-${priority}`, "aria-label": `${priority.toUpperCase()}: ${open} open, ${breached} breached` },
      h("p", { class: "tile-label" }, priorityChip(priority), ` ${text.split(" – ")[1]}`),
      h("p", { class: "tile-value" }, link({ priority }, `${open} open`)),
      breached ? chip(`${breached} breached`, "danger") : chip(open ? "Within SLA" : "Clear", "success"),
      h("p", { class: "tile-hint", text: slaTargetText(target) }));
  });
  const breaches = h("article", { class: `sla-tile sla-tile-breaches${metrics.sla_breached ? " has-breaches" : ""}`,
    "aria-label": `SLA breaches: ${metrics.sla_breached}` },
  h("p", { class: "tile-label", text: "SLA breaches" }),
  h("p", { class: "tile-value" }, link({ breached: "1" }, String(metrics.sla_breached))),
  h("p", { class: "tile-hint", text: `${metrics.sla_breached_total} since go-live` }));
  return [...perPriority, breaches];
}

function summaryFacts(metrics) {
  const fact = (term, value) => h("div", { class: "fact" }, h("dt", { text: term }), h("dd", { text: value }));
  const mttr = Object.entries(metrics.mttr_hours_by_priority).filter(([, v]) => v !== null)
    .map(([p, v]) => `${p.toUpperCase()} ${duration(v * 60)}`).join(" · ");
  const crs = metrics.change_requests.by_status;
  return h("dl", { class: "facts" },
    fact("SLA compliance (resolved)", metrics.sla_compliance_pct === null ? "—" : `${metrics.sla_compliance_pct}%`),
    fact("Mean time to resolve", metrics.avg_resolution_hours === null ? "—" : duration(metrics.avg_resolution_hours * 60)),
    fact("MTTR by priority", mttr || "—"),
    fact("Customer satisfaction", metrics.csat_average === null ? "No ratings yet"
      : `${metrics.csat_average} / 5 (${metrics.csat_responses} rating${metrics.csat_responses === 1 ? "" : "s"})`),
    fact("Change requests", `${crs.pending_approval || 0} awaiting approval · ${metrics.change_requests.expedited} expedited`));
}

function incidentTable(project, items, settings) {
  return tableWrap(h("table", { class: "table incident-table" },
    h("caption", { class: "visually-hidden", text: "Incidents, next SLA deadline first" }),
    h("thead", {}, h("tr", {}, ["Incident", "Title", "P", "Status", "Module", "Assignee", "SLA", "Reported"]
      .map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, items.map((incident) => h("tr", { class: incident.sla.state === "breached" ? "row-breached" : null,
      dataset: { incident: incident.number } },
    h("td", { class: "cell-code" }, h("a", { href: `#/hypercare?project=${project.id}&incident=${incident.id}`, text: incident.number })),
    h("td", { class: "cell-wrap", text: incident.title }),
    h("td", {}, priorityChip(incident.priority)),
    h("td", {}, statusChip(INCIDENT_STATUSES, incident.status),
      incident.escalation_level ? [" ", chip(`Escalated L${incident.escalation_level}`, "danger")] : null),
    h("td", { text: incident.affected_module || "—" }),
    h("td", { text: incident.assignee ? incident.assignee.name : "Unassigned" }),
    h("td", { class: "cell-nowrap" }, slaClock(incident, settings)),
    h("td", { class: "cell-nowrap", text: formatDateTime(incident.reported_at) }))))), "Incident queue");
}

function newIncidentForm(project, base, signal, onCreated, onCancel) {
  const worker = can("hypercare.work");
  const fields = {
    title: field({ label: "Title", name: "title", required: true, attrs: { maxlength: "255" } }),
    priority: field({ label: "Priority", name: "priority", type: "select", value: "p3", options: PRIORITIES,
      hint: "P1: the system or a core process is down for everyone." }),
    affected_module: field({ label: "Module", name: "affected_module", type: "select", value: "", options: [["", "Not known"], ...MODULES] }),
    incident_type: field({ label: "Type", name: "incident_type", type: "select", value: "", options: [["", "Not classified"], ...INCIDENT_TYPES] }),
    affected_users_count: field({ label: "Users affected", name: "affected_users_count", type: "number", attrs: { min: "0" } }),
    assigned_to_id: worker ? field({ label: "Assign to", name: "assigned_to_id", type: "select", value: "", options: [["", "Unassigned"]] }) : null,
    description: field({ label: "What happened?", name: "description", type: "textarea", attrs: { maxlength: "20000" } }),
  };
  if (worker) {
    projectStaff(project, signal).then((people) => {
      fields.assigned_to_id.control.append(...people.map(([id, name]) => h("option", { value: id, text: name })));
    }).catch(() => {});
  }
  const problems = h("div", { class: "form-alerts" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Report incident" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New incident" }, problems,
    h("div", { class: "form-grid" }, Object.values(fields).filter(Boolean).map((f) => f.wrapper)),
    h("div", { class: "form-actions" }, submit, h("button", { type: "button", class: "btn btn-ghost", text: "Cancel", onClick: onCancel })));
  const screenshots = screenshotDrop(form);
  form.insertBefore(screenshots.node, form.querySelector(".form-actions"));
  const triage = mountFormAssistant(form, { project, base, signal }); // issue 19: suggestions while typing
  submitForm(form, {
    button: submit, busyText: "Reporting…", problems,
    send: () => {
      const body = { title: fields.title.control.value.trim(), priority: fields.priority.control.value,
        description: fields.description.control.value, affected_module: fields.affected_module.control.value || null,
        incident_type: fields.incident_type.control.value || null,
        affected_users_count: fields.affected_users_count.control.value === "" ? null : Number(fields.affected_users_count.control.value) };
      if (worker && fields.assigned_to_id.control.value) body.assigned_to_id = fields.assigned_to_id.control.value;
      return api.post(`${base}/incidents`, body);
    },
    onSuccess: async (incident) => {
      const triageNote = await triage.afterCreate(incident);
      const shots = await screenshots.uploadTo(`${base}/incidents/${incident.id}`);
      form.reset();
      announce(`${incident.number} reported${shots.sent ? ` with ${shots.sent} screenshot(s)` : ""}`);
      await onCreated(incident, triageNote);
      shots.errors.forEach((error) => showProblem(error, { replace: false })); // after the "reported" message
    },
  });
  return form;
}
