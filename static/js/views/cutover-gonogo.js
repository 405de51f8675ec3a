// The go/no-go panel of a runbook: the criteria with their owners and evidence, each signed off by its owner
// (met or not met), and the decision — go, go with conditions, no-go — taken by an approver who did not write
// the runbook. "Go" needs every criterion met and starts the project's hypercare window.

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can, session } from "../app.js";
import { busy, field, submitForm } from "../forms.js";
import { emptyState, h, tableWrap } from "../ui.js";
import { CHECK_STATUSES, DECISIONS, labelOf, people, statusChip, when } from "./cutover-common.js";
import { replacePresent } from "./delivery.js";

const GOING_LIVE = new Set(["go", "go_with_conditions"]);

export async function mountGoNoGo(region, { url, runbook, signal, onDecided }) {
  const manager = can("cutover.manage");
  const owners = manager ? await people(signal) : [];
  const decisionCard = h("div", { class: "decision" });
  const listCard = h("div", {});
  region.replaceChildren(h("h2", { class: "card-title", text: "Go / no-go" }), decisionCard, listCard);

  async function reload() {
    const page = await api.get(`${url}/checklist`, { query: { limit: 200 }, signal });
    paintDecision(page.items);
    paintList(page.items);
  }

  function paintDecision(items) {
    const met = items.filter((i) => i.status === "met").length;
    const summary = h("p", {}, runbook.decision
      ? [statusChip(DECISIONS, runbook.decision), ` by ${runbook.decided_by ? runbook.decided_by.name : "—"} on ${when(runbook.decided_at)}`]
      : "No decision yet.", ` · ${met} of ${items.length} criteria met.`);
    const notes = runbook.decision_notes ? h("p", { class: "prose decision-notes", text: runbook.decision_notes }) : null;
    const me = session.user && session.user.id;
    const isAuthor = runbook.author && runbook.author.id === me;
    let form = null;
    if (can("cutover.decide") && !GOING_LIVE.has(runbook.decision)) {
      form = isAuthor
        ? h("p", { class: "muted", text: "You wrote this runbook, so another approver takes the decision (segregation of duties)." })
        : decisionForm(items);
    }
    replacePresent(decisionCard, summary, notes, form);
  }

  function decisionForm(items) {
    const unmet = items.filter((i) => i.status !== "met").length;
    const decision = field({ label: "Decision", name: "decision", type: "select", value: unmet ? "no_go" : "go", options: DECISIONS,
      hint: unmet ? `${unmet} criteria are not met: "Go" needs all of them.` : "Go starts the hypercare window today." });
    const notes = field({ label: "Conditions or reasons", name: "notes", type: "textarea", attrs: { maxlength: "4000" },
      hint: "Required for a no-go (why) and for go with conditions (which conditions)." });
    const problems = h("div", { class: "form-alerts" });
    const save = h("button", { type: "submit", class: "btn btn-primary", text: "Record the decision" });
    const form = h("form", { class: "form", novalidate: true, "aria-label": "Go/no-go decision" }, problems,
      h("div", { class: "form-grid" }, decision.wrapper, notes.wrapper), h("div", { class: "form-actions" }, save));
    submitForm(form, {
      button: save, problems,
      send: () => api.post(`${url}/decision`, { decision: decision.control.value, notes: notes.control.value.trim() }),
      onSuccess: async (saved) => {
        Object.assign(runbook, saved);
        const message = GOING_LIVE.has(saved.decision)
          ? `${labelOf(DECISIONS, saved.decision)}: the hypercare window starts today.` : "No-go recorded.";
        if (onDecided) {
          onDecided(message);
        } else {
          showMessage(message);
          await reload();
        }
      },
    });
    return h("details", { class: "disclosure", open: true }, h("summary", { class: "subheading", text: "Take the decision" }), form);
  }

  function signButtons(item) {
    const me = session.user && session.user.id;
    if (!item.owner || item.owner.id !== me || GOING_LIVE.has(runbook.decision)) return null;
    return [["met", "Met", "btn-primary"], ["not_met", "Not met", "btn-danger-outline"]].map(([status, text, tone]) => {
      const button = h("button", { type: "button", class: `btn ${tone} btn-small`, text, "aria-label": `${text}: ${item.criterion}`,
        onClick: async () => {
          try {
            await busy(button, () => api.post(`${url}/checklist/${item.id}/sign-off`, { status }), "Saving…");
            showMessage(`Signed off as ${text.toLowerCase()}.`);
            await reload();
          } catch (error) {
            showProblem(error);
          }
        } });
      return button;
    });
  }

  function paintList(items) {
    const rows = items.map((item) => h("tr", { dataset: { status: item.status } },
      h("td", { class: "cell-wrap", text: item.criterion }),
      h("td", { text: item.owner ? item.owner.name : "—" }),
      h("td", { class: "cell-wrap" }, item.evidence_url
        ? h("a", { href: item.evidence_url, target: "_blank", rel: "noopener noreferrer", text: "Evidence" }) : "—"),
      h("td", {}, statusChip(CHECK_STATUSES, item.status),
        item.signed_off_at ? h("p", { class: "muted cell-note", text: `${item.signed_off_by ? item.signed_off_by.name : ""}, ${when(item.signed_off_at)}` }) : null),
      h("td", { class: "cell-actions" }, signButtons(item))));
    const table = items.length ? tableWrap(h("table", { class: "table table-compact checklist-table" },
      h("caption", { class: "visually-hidden", text: "Go/no-go criteria" }),
      h("thead", {}, h("tr", {}, ["Criterion", "Owner", "Evidence", "Status", "Sign-off"].map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, rows)), "Go/no-go criteria") : emptyState("No criteria yet.");
    replacePresent(listCard, table, manager && !GOING_LIVE.has(runbook.decision) ? newCriterionForm() : null);
  }

  function newCriterionForm() {
    const criterion = field({ label: "Criterion", name: "criterion", required: true, attrs: { maxlength: "500" } });
    const owner = field({ label: "Owner", name: "owner_id", type: "select", options: [["", "No owner yet"], ...owners] });
    const evidence = field({ label: "Evidence link", name: "evidence_url", type: "url", hint: "An https:// link to the proof." });
    const problems = h("div", { class: "form-alerts" });
    const save = h("button", { type: "submit", class: "btn btn-secondary", text: "Add criterion" });
    const form = h("form", { class: "form", novalidate: true, "aria-label": "New go/no-go criterion" }, problems,
      h("div", { class: "form-grid" }, criterion.wrapper, owner.wrapper, evidence.wrapper), h("div", { class: "form-actions" }, save));
    submitForm(form, {
      button: save, problems,
      send: () => api.post(`${url}/checklist`, { criterion: criterion.control.value.trim(), owner_id: owner.control.value || null,
        evidence_url: evidence.control.value.trim() }),
      onSuccess: async () => {
        showMessage("The criterion was added.");
        await reload();
      },
    });
    return h("details", { class: "disclosure" }, h("summary", { class: "subheading", text: "Add a criterion" }), form);
  }

  await reload();
}
