// One hypercare incident: SLA clock and facts, the timeline (comments, status/priority/assignment changes,
// escalations, breaches), the support actions (first response, status, priority, assignment, WRICEF link,
// escalate, resolve with root cause, raise a change request), comments with internal notes for staff, and
// the CSAT prompt for the person who reported it once it is resolved, and its attachments (screenshots, logs).
// Refreshes every 30 s in place.

import { showMessage, showProblem } from "../alerts.js";
import { api, apiPath, ifMatch } from "../api.js";
import { can, session } from "../app.js";
import { field, submitForm } from "../forms.js";
import { chip, formatDateTime, h, label, pageHeader, setTitle } from "../ui.js";
import { plainText } from "./delivery.js";
import {
  CHANGE_TYPES, CR_STATUSES, INCIDENT_STATUSES, INCIDENT_TYPES, NEXT_STATUSES, PRIORITIES, ROOT_CAUSES, priorityChip, projectStaff,
  reasonDialog, slaClock, statusChip, tickClocks, act as actOn,
} from "./hypercare-common.js";
import { mountIncidentAssistant } from "./hypercare-triage.js";
import { workItemPanels } from "./work-item-panels.js";

const REFRESH_MS = 30000;

export async function render(root, { project, incidentId, signal }) {
  const base = `/api/v1/projects/${project.id}/hypercare`;
  const url = base + apiPath`/incidents/${incidentId}`;
  const warRoom = `#/hypercare?project=${project.id}`;
  const worker = can("hypercare.work");
  const [first, settings, staff, backlog] = await Promise.all([
    api.get(url, { signal }), api.get(`${base}/sla`, { signal }),
    worker ? projectStaff(project, signal) : [],
    worker && can("delivery.read")
      ? api.get(`/api/v1/projects/${project.id}/backlog-items`, { query: { limit: 200 }, signal }).then((p) => p.items) : [],
  ]);
  let incident = first;
  setTitle(`${incident.number} · Hypercare`);

  const header = h("div", {});
  const facts = h("section", { class: "card", "aria-label": "Incident facts" });
  const actionsRegion = h("section", { class: "card", "aria-labelledby": "incident-actions-title" });
  const csatRegion = h("section", { class: "card csat-card", hidden: true, "aria-labelledby": "csat-title" });
  const timelineRegion = h("section", { class: "card", "aria-labelledby": "incident-timeline-title" });
  const triageRegion = h("section", { class: "card triage-card", "aria-label": "Triage assistant" });
  const panels = workItemPanels({ url, project, upload: "hypercare.report", manage: "hypercare.work", signal });
  root.append(...[header, csatRegion, facts, triageRegion, ...panels.nodes, worker ? actionsRegion : null, timelineRegion,
    commentCard()].filter(Boolean)); // append(null) would print "null" for those who do not work the queue

  async function reload(force = true) {
    incident = await api.get(url, { signal });
    paint(force);
  }

  const act = (button, work, message) => actOn(button, work, message, reload);
  let triage = null;

  let paintedVersion = null;
  function paint(force) {
    header.replaceChildren(pageHeader({
      title: `${incident.number} · ${incident.title}`,
      breadcrumbs: [["Hypercare war room", warRoom], [incident.number]],
      chips: [priorityChip(incident.priority), statusChip(INCIDENT_STATUSES, incident.status), slaClock(incident, settings)],
    }));
    const changed = incident.version !== paintedVersion;
    paintedVersion = incident.version;
    if (changed && triage) triage.update(incident);
    const idle = (region) => force || (changed && !region.contains(document.activeElement));
    if (idle(facts)) facts.replaceChildren(...factsContent(incident).filter(Boolean));
    if (worker && idle(actionsRegion)) actionsRegion.replaceChildren(...actionsContent());
    if (idle(csatRegion)) paintCsat();
    if (force || !timelineRegion.contains(document.activeElement)) timelineRegion.replaceChildren(...timelineContent(incident.timeline));
  }

  function paintCsat() {
    const mine = session.user && incident.reported_by_id === session.user.id;
    const resolved = ["resolved", "closed"].includes(incident.status);
    csatRegion.hidden = !(resolved && (mine || incident.csat_score));
    if (csatRegion.hidden) return;
    if (incident.csat_score) {
      csatRegion.replaceChildren(h("h2", { class: "card-title", id: "csat-title", text: "Customer satisfaction" }),
        h("p", {}, h("strong", { text: `${incident.csat_score} / 5` }), incident.csat_comment ? ` — ${incident.csat_comment}` : ""));
      return;
    }
    const comment = field({ label: "Anything to add? (optional)", name: "comment", type: "textarea", attrs: { maxlength: "2000" } });
    const scores = h("fieldset", { class: "csat-scores" }, h("legend", { text: "How satisfied are you with the support on this incident?" }),
      [1, 2, 3, 4, 5].map((score) => h("label", { class: "csat-score" },
        h("input", { type: "radio", name: "score", value: String(score), required: true }),
        ` ${score}${score === 1 ? " – not at all" : score === 5 ? " – very" : ""}`)));
    const send = h("button", { type: "submit", class: "btn btn-primary", text: "Send rating" });
    const form = h("form", { class: "form", novalidate: true, "aria-label": "Rate the support" }, scores, comment.wrapper,
      h("div", { class: "form-actions" }, send));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const picked = form.querySelector("input[name=score]:checked");
      if (!picked) {
        showMessage("Pick a score from 1 to 5.", { tone: "error" });
        return;
      }
      act(send, () => api.post(`${url}/satisfaction`, { score: Number(picked.value), comment: comment.control.value }),
        () => "Thank you for rating the support.");
    });
    csatRegion.replaceChildren(h("h2", { class: "card-title", id: "csat-title", text: "Rate the support" }), form);
  }

  function actionsContent() {
    const open = !["resolved", "closed"].includes(incident.status);
    const patch = (body) => api.patch(url, body, { headers: ifMatch(incident.version) });
    const row = [];
    if (open && !incident.first_response_at) {
      row.push(h("button", { type: "button", class: "btn btn-primary btn-small", text: "Record first response",
        onClick: (e) => act(e.currentTarget, () => api.post(`${url}/first-response`), (r) => `First response recorded for ${r.number}.`) }));
    }
    if (open) {
      row.push(h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Escalate",
        onClick: (e) => reasonDialog({ title: `Escalate ${incident.number}`, labelText: "Why does it need escalating?",
          confirmText: "Escalate", opener: e.currentTarget, onSubmit: async (reason) => {
            const escalated = await api.post(`${url}/escalate`, { reason });
            showMessage(`${escalated.number} is now at escalation level ${escalated.escalation_level}.`);
            await reload();
          } }) }));
    }
    const changeForms = [
      selectForm("Status", "status", [[incident.status, label(INCIDENT_STATUSES, incident.status)],
        ...NEXT_STATUSES[incident.status].map((s) => [s, label(INCIDENT_STATUSES, s)])], incident.status, "Change status",
      (value) => patch({ status: value }), (r) => `${r.number} is now ${label(INCIDENT_STATUSES, r.status).toLowerCase()}.`),
      open ? selectForm("Priority", "priority", PRIORITIES, incident.priority, "Change priority",
        (value) => patch({ priority: value }), (r) => `${r.number} is now ${r.priority.toUpperCase()}; SLA deadlines recomputed.`) : null,
      open ? selectForm("Assignee", "assigned_to_id", [["", "Unassigned"], ...staff], incident.assigned_to_id || "", "Assign",
        (value) => patch({ assigned_to_id: value || null }), (r) => `${r.number} is assigned to ${r.assignee ? r.assignee.name : "nobody"}.`) : null,
      backlog.length ? selectForm("Caused by WRICEF item", "linked_backlog_item_id",
        [["", "None"], ...backlog.map((item) => [item.id, `${item.code} · ${item.title}`])], incident.linked_backlog_item_id || "", "Link",
        (value) => patch({ linked_backlog_item_id: value || null }), (r) => (r.linked_backlog_item
          ? `${r.number} is linked to ${r.linked_backlog_item.code}.` : `${r.number} is not linked to a WRICEF item.`)) : null,
    ];
    return [h("h2", { class: "card-title", id: "incident-actions-title", text: "Work the incident" }),
      row.length ? h("div", { class: "toolbar-actions" }, row) : null,
      h("div", { class: "inline-forms" }, changeForms),
      open ? resolveForm() : null,
      open && can("changes.request") && !incident.change_request_id ? changeRequestForm() : null].filter(Boolean);
  }

  function selectForm(text, name, options, value, buttonText, work, message) {
    const control = field({ label: text, name, type: "select", value, options });
    const apply = h("button", { type: "submit", class: "btn btn-secondary btn-small", text: buttonText });
    const form = h("form", { class: "inline-form", "aria-label": buttonText }, control.wrapper, apply);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (control.control.value === (value || "")) return;
      act(apply, () => work(control.control.value), message);
    });
    return form;
  }

  function resolveForm() {
    const fields = {
      root_cause: field({ label: "Root cause", name: "root_cause", type: "textarea", required: true }),
      root_cause_category: field({ label: "Root-cause category", name: "root_cause_category", type: "select", value: "config", options: ROOT_CAUSES }),
      resolution_notes: field({ label: "Resolution notes", name: "resolution_notes", type: "textarea" }),
    };
    const resolve = h("button", { type: "submit", class: "btn btn-primary", text: "Resolve incident" });
    const form = h("form", { class: "form", novalidate: true, "aria-label": "Resolve" },
      h("div", { class: "form-grid" }, Object.values(fields).map((f) => f.wrapper)), h("div", { class: "form-actions" }, resolve));
    submitForm(form, {
      button: resolve, busyText: "Resolving…",
      send: () => api.post(`${url}/resolve`, Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.control.value.trim()]))),
      onSuccess: async (resolved) => {
        showMessage(`${resolved.number} was resolved.`);
        await reload();
      },
    });
    return h("details", { class: "disclosure" }, h("summary", { class: "subheading", text: "Resolve with root cause" }), form);
  }

  function changeRequestForm() {
    const type = field({ label: "Change type", name: "change_type", type: "select", value: "config", options: CHANGE_TYPES });
    const raise = h("button", { type: "submit", class: "btn btn-secondary btn-small", text: "Raise change request" });
    const form = h("form", { class: "inline-form", "aria-label": "Raise a change request" }, type.wrapper, raise);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(raise, () => api.post(`${url}/change-request`, { change_type: type.control.value }),
        (cr) => `${cr.cr_number} was raised from this incident; submit it to the change board from the war room.`);
    });
    return form;
  }

  function commentCard() {
    const content = field({ label: "Comment", name: "content", type: "textarea", required: true, attrs: { maxlength: "20000" } });
    const internal = worker ? field({ label: "Internal note (the customer does not see it)", name: "is_internal", type: "checkbox" }) : null;
    const post = h("button", { type: "submit", class: "btn btn-primary", text: "Add comment" });
    const form = h("form", { class: "form", novalidate: true, "aria-label": "Add a comment" }, content.wrapper,
      internal ? internal.wrapper : null, h("div", { class: "form-actions" }, post));
    submitForm(form, {
      button: post, busyText: "Posting…",
      send: () => api.post(`${url}/comments`, { content: content.control.value, is_internal: internal ? internal.control.checked : false }),
      onSuccess: async () => {
        form.reset();
        await reload();
      },
    });
    return h("section", { class: "card", "aria-label": "Add a comment" }, form);
  }

  paint(true);
  triage = mountIncidentAssistant(triageRegion, { project, base, incident, signal, reload }); // issue 19
  await panels.load();
  const refreshTimer = window.setInterval(() => {
    if (!document.hidden) reload(false).catch((error) => { if (error.name !== "AbortError" && !signal.aborted) showProblem(error); });
  }, REFRESH_MS);
  const tickTimer = window.setInterval(() => tickClocks(header), 15000);
  signal.addEventListener("abort", () => {
    window.clearInterval(refreshTimer);
    window.clearInterval(tickTimer);
  });
}

function factsContent(incident) {
  const fact = (term, ...value) => h("div", { class: "fact" }, h("dt", { text: term }), h("dd", {}, ...value));
  const due = (deadline, done, breached) => [formatDateTime(deadline),
    done ? ` · met at ${formatDateTime(done)}` : "", breached ? [" ", chip("Breached", "danger")] : null];
  const item = incident.linked_backlog_item;
  return [
    h("dl", { class: "facts" },
      fact("Reported", `${formatDateTime(incident.reported_at)} by ${incident.reporter ? incident.reporter.name : "—"}`),
      fact("Assignee", incident.assignee ? incident.assignee.name : "Unassigned"),
      fact("Module", incident.affected_module || "—"),
      fact("Type", incident.incident_type ? label(INCIDENT_TYPES, incident.incident_type) : "—"),
      fact("Users affected", incident.affected_users_count ?? "—"),
      fact("Escalation level", String(incident.escalation_level)),
      fact("First response due", ...due(incident.sla_response_deadline, incident.first_response_at, incident.sla_response_breached)),
      fact("Resolution due", ...due(incident.sla_resolution_deadline, incident.resolved_at, incident.sla_resolution_breached)),
      fact("WRICEF item", item ? `${item.code} · ${item.title}` : "—"),
      fact("Change request", incident.change_request
        ? `${incident.change_request.cr_number} · ${label(CR_STATUSES, incident.change_request.status)}` : "—")),
    incident.description ? h("div", { class: "prose" }, h("h2", { class: "subheading", text: "Description" }),
      h("p", { text: plainText(incident.description) })) : null,
    incident.root_cause ? h("div", { class: "prose" }, h("h2", { class: "subheading", text: "Root cause" }),
      h("p", {}, chip(label(ROOT_CAUSES, incident.root_cause_category), "accent"), " ", plainText(incident.root_cause)),
      incident.resolution_notes ? h("p", { text: plainText(incident.resolution_notes) }) : null) : null,
  ];
}

function timelineContent(events) {
  return [h("h2", { class: "card-title", id: "incident-timeline-title", text: "Timeline" }),
    events.length ? h("ol", { class: "timeline" }, events.map((event) => h("li", { class: `timeline-item timeline-${event.type}` },
      h("div", { class: "timeline-head" },
        h("span", { class: "timeline-version", text: EVENT_NAMES[event.type] || "Change" }),
        event.internal ? chip("Internal", "warning") : null,
        event.type === "breach" ? chip("SLA", "danger") : null,
        h("span", { class: "timeline-meta", text: `${formatDateTime(event.at)}${event.author ? ` · ${event.author}` : ""}` })),
      h("p", { class: "timeline-text", text: plainText(event.text) }))))
      : h("p", { class: "muted", text: "Nothing has happened yet." })];
}

const EVENT_NAMES = { comment: "Comment", escalation: "Escalation", created: "Reported", status: "Status", priority: "Priority",
  assigned_to_id: "Assignment", escalation_level: "Escalation level", linked_backlog_item_id: "WRICEF link", breach: "SLA breach",
  duplicate: "Duplicate link" };
