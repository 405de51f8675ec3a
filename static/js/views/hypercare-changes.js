// The post-go-live change board inside the war room: change requests (CR-001 per project) with the actions the
// signed-in user may take in each state — submit, approve or reject (approvers, never on their own request),
// start, mark implemented, close — and a form for a new change request. Emergency drafts may be approved
// straight away (the expedited path), and stay flagged for the change-board report.

import { showMessage, showProblem } from "../alerts.js";
import { api, ifMatch } from "../api.js";
import { can, session } from "../app.js";
import { field, submitForm } from "../forms.js";
import { chip, emptyState, formatDate, h, loading, tableWrap } from "../ui.js";
import {
  CHANGE_TYPES, CR_STATUSES, PRIORITIES, act as actOn, panelToggle, priorityChip, reasonDialog, statusChip,
} from "./hypercare-common.js";

const OPEN_STATUSES = "draft,pending_approval,approved,rejected,in_progress,implemented"; // rejected: back to the requester
// Moves made with PATCH {status}: the board's "next step" buttons (approve/reject/submit have their own calls).
const NEXT_STEP = { approved: ["in_progress", "Start work"], in_progress: ["implemented", "Mark implemented"],
  implemented: ["closed", "Close"], rejected: ["draft", "Back to draft"] };

/** Mount the board in `region`; returns {refresh({force})} for the war room's refresh loop. */
export function mountChangeBoard(region, project, { signal }) {
  const url = `/api/v1/projects/${project.id}/hypercare/change-requests`;
  const requester = can("changes.request");
  const status = field({ label: "Show", name: "cr_status", type: "select", value: OPEN_STATUSES,
    options: [[OPEN_STATUSES, "Open change requests"], ["pending_approval", "Awaiting approval"], ["", "All"]] });
  const results = h("div", {}, loading("Loading change requests…"));
  const panel = h("div", { class: "card-section", hidden: true, id: "new-cr-panel" });
  const newButton = requester ? h("button", { type: "button", class: "btn btn-secondary btn-small", text: "New change request",
    "aria-controls": "new-cr-panel", "aria-expanded": "false", onClick: () => toggleNew() }) : null;
  region.append(h("h2", { class: "card-title card-title-padded", id: "change-board-title", text: "Change requests" }),
    h("div", { class: "card-toolbar" }, h("div", { class: "filters" }, status.wrapper), h("div", { class: "toolbar-actions" }, newButton)),
    panel, results);
  status.control.addEventListener("change", () => refresh({ force: true }).catch((error) => showProblem(error)));

  const toggleNew = newButton ? panelToggle(panel, newButton, (close) => [newChangeForm(url, async (cr) => {
    close();
    showMessage(`${cr.cr_number} was ${cr.status === "pending_approval" ? "sent to the change board" : "saved as a draft"}.`);
    await refresh({ force: true });
  }, close)]) : null;

  const act = (button, work, message) => actOn(button, work, message, () => refresh({ force: true }));

  function actions(cr) {
    const me = session.user && session.user.id;
    const buttons = [];
    const button = (text, onClick, tone = "btn-secondary") => h("button", { type: "button", class: `btn ${tone} btn-small`, text,
      "aria-label": `${text} ${cr.cr_number}`, onClick: (event) => onClick(event.currentTarget) });
    const decider = can("changes.approve") && cr.requested_by_id !== me;
    if (requester && cr.status === "draft") {
      buttons.push(button("Submit", (b) => act(b, () => api.post(`${url}/${cr.id}/submit`), (r) => `${r.cr_number} is awaiting approval.`)));
    }
    if (decider && (cr.status === "pending_approval" || (cr.status === "draft" && cr.change_type === "emergency"))) {
      buttons.push(button(cr.status === "draft" ? "Approve (expedited)" : "Approve",
        (b) => act(b, () => api.post(`${url}/${cr.id}/approve`), (r) => `${r.cr_number} was approved.`), "btn-primary"));
      buttons.push(button("Reject", (b) => reasonDialog({ title: `Reject ${cr.cr_number}`, labelText: "Why is it rejected?",
        confirmText: "Reject change", opener: b, onSubmit: async (reason) => {
          const rejected = await api.post(`${url}/${cr.id}/reject`, { reason });
          showMessage(`${rejected.cr_number} was rejected.`);
          await refresh({ force: true });
        } }), "btn-danger-outline"));
    }
    if (requester && NEXT_STEP[cr.status]) {
      const [next, text] = NEXT_STEP[cr.status];
      buttons.push(button(text, (b) => act(b, () => api.patch(`${url}/${cr.id}`, { status: next }, { headers: ifMatch(cr.version) }),
        (r) => `${r.cr_number} is now ${CR_STATUSES.find(([k]) => k === r.status)[1].toLowerCase()}.`)));
    }
    return buttons;
  }

  async function refresh({ force = false } = {}) {
    const page = await api.get(url, { query: { limit: 100, status: status.control.value }, signal });
    if (!force && region.contains(document.activeElement)) return; // don't pull the rug from under a click
    if (!page.items.length) {
      results.replaceChildren(emptyState("No change requests here."));
      return;
    }
    results.replaceChildren(tableWrap(h("table", { class: "table change-table" },
      h("caption", { class: "visually-hidden", text: "Change requests" }),
      h("thead", {}, h("tr", {}, ["CR", "Title", "Type", "P", "Status", "Requested by", "Actions"]
        .map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, page.items.map((cr) => h("tr", { dataset: { cr: cr.cr_number } },
        h("td", { class: "cell-code" }, h("a", { href: `#/hypercare?project=${project.id}&cr=${cr.id}`, text: cr.cr_number,
          "aria-label": `Open ${cr.cr_number}: files and discussion` })),
        h("td", { class: "cell-wrap" }, cr.title,
          cr.planned_implementation_date ? h("p", { class: "muted cell-note", text: `Planned for ${formatDate(cr.planned_implementation_date)}` }) : null,
          cr.rejection_reason ? h("p", { class: "muted cell-note", text: `Rejected: ${cr.rejection_reason}` }) : null),
        h("td", {}, CHANGE_TYPES.find(([k]) => k === cr.change_type)[1], cr.expedited ? [" ", chip("Expedited", "warning")] : null),
        h("td", {}, priorityChip(cr.priority)),
        h("td", {}, statusChip(CR_STATUSES, cr.status)),
        h("td", { text: cr.requester ? cr.requester.name : "—" }),
        h("td", { class: "cell-actions" }, actions(cr)))))), "Change requests"));
  }

  return { refresh };
}

function newChangeForm(url, onCreated, onCancel) {
  const fields = {
    title: field({ label: "Title", name: "title", required: true, attrs: { maxlength: "255" } }),
    change_type: field({ label: "Change type", name: "change_type", type: "select", value: "config", options: CHANGE_TYPES,
      hint: "Emergency changes may be approved straight from draft; they are flagged as expedited." }),
    priority: field({ label: "Priority", name: "priority", type: "select", value: "p3", options: PRIORITIES }),
    planned_implementation_date: field({ label: "Planned for", name: "planned_implementation_date", type: "date" }),
    description: field({ label: "Description", name: "description", type: "textarea" }),
    impact_assessment: field({ label: "Impact assessment", name: "impact_assessment", type: "textarea" }),
    rollback_plan: field({ label: "Rollback plan", name: "rollback_plan", type: "textarea" }),
    test_required: field({ label: "Needs a regression test before transport", name: "test_required", type: "checkbox", value: true }),
  };
  const submitNow = field({ label: "Send to the change board now", name: "submit_now", type: "checkbox", value: true });
  const problems = h("div", { class: "form-alerts" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save change request" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New change request" }, problems,
    h("div", { class: "form-grid" }, Object.values(fields).map((f) => f.wrapper), submitNow.wrapper),
    h("div", { class: "form-actions" }, save, h("button", { type: "button", class: "btn btn-ghost", text: "Cancel", onClick: onCancel })));
  submitForm(form, {
    button: save, problems,
    send: async () => {
      const body = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name,
        f.control.type === "checkbox" ? f.control.checked : f.control.value.trim()]));
      body.planned_implementation_date = body.planned_implementation_date || null;
      const created = await api.post(url, body);
      return submitNow.control.checked ? api.post(`${url}/${created.id}/submit`) : created;
    },
    onSuccess: async (cr) => {
      form.reset();
      await onCreated(cr);
    },
  });
  return form;
}
