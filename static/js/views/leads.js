// Leads: the pre-sales pipeline with each lead's Dynamics 365 state (Not synced / Syncing / Synced / Error),
// "Push to Dynamics" for one lead or a selection (only while the D365 feature flag is on), a detail panel
// with the last error and the link to the record in Dynamics, and a badge that follows the push job (its progress
// under the filters).

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can, session } from "../app.js";
import { csvImportControl } from "../csv_import.js";
import { busy, field, submitForm, wireFilters } from "../forms.js";
import { jobProgress, pollJob } from "../jobs.js";
import { announce, chip, emptyState, formatDateTime, h, loading, pageHeader, setTitle, tableWrap } from "../ui.js";

const BADGES = { not_synced: ["Not synced", "neutral"], pending: ["Syncing", "info"], in_progress: ["Syncing", "info"],
  synced: ["Synced", "success"], error: ["Error", "danger"] };
const SEGMENTS = { enterprise: "Enterprise", mid_market: "Mid-market", smb: "SMB", public_sector: "Public sector" };

function badge(status) {
  const [text, tone] = BADGES[status] || BADGES.not_synced;
  const node = chip(text, tone);
  node.classList.add("d365-badge");
  return node;
}

/** The "New lead" form: the fields a sales rep has at hand; the rest can be imported or added later. */
function newLeadForm(onCreated, onCancel) {
  const fields = [
    field({ label: "Company", name: "company_name", required: true }),
    field({ label: "Domain", name: "domain", required: true, hint: "e.g. contoso.com" }),
    field({ label: "Contact name", name: "contact_name" }),
    field({ label: "Contact e-mail", name: "contact_email", type: "email" }),
    field({ label: "Segment", name: "segment", type: "select", value: "mid_market", options: Object.entries(SEGMENTS) }),
    field({ label: "Readiness score", name: "readiness_score", type: "number", value: "50" }),
    field({ label: "Priority score", name: "priority_score", type: "number", value: "50" }),
  ];
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Create lead" });
  const cancel = h("button", { type: "button", class: "btn btn-ghost", text: "Cancel", onclick: onCancel });
  const form = h("form", { class: "card form-grid", "aria-label": "New lead" },
    h("h2", { class: "card-title", text: "New lead" }), ...fields.map((f) => f.wrapper), h("div", { class: "form-actions" }, save, cancel));
  submitForm(form, {
    button: save, busyText: "Creating…",
    send: () => {
      const body = Object.fromEntries(fields.map((f) => [f.control.name, f.control.value.trim()]));
      body.readiness_score = Number(body.readiness_score);
      body.priority_score = Number(body.priority_score);
      return api.post("/api/v1/leads", body);
    },
    onSuccess: (lead) => {
      showMessage(`Lead ${lead.company_name} created.`);
      form.reset();
      onCreated(lead);
    },
  });
  return form;
}

export async function render(root, { signal }) {
  setTitle("Leads");
  const canPush = Boolean(session.user && session.user.features && session.user.features.d365) && can("leads.push");
  const selected = new Set();
  const pushSelected = h("button", { type: "button", class: "btn btn-primary", text: "Push selected to Dynamics",
    disabled: true, hidden: !canPush });
  const canManage = can("leads.manage");
  const newLead = h("button", { type: "button", class: "btn btn-secondary", text: "New lead",
    onclick: () => { formSlot.hidden = false; formSlot.querySelector("input").focus(); } });
  const importer = csvImportControl("/api/v1/leads/import", { id: "lead-import-file", onDone: (result) => {
    showMessage(`Imported: ${result.created} created, ${result.updated} updated.`);
    load();
  } });
  const actions = [canManage ? newLead : null, canManage ? importer : null, canPush ? pushSelected : null].filter(Boolean);
  root.append(pageHeader({ title: "Leads", subtitle: "Pre-sales pipeline of SAP prospects, scored and ready for Dynamics 365 Sales.",
    actions }));
  const formSlot = canManage ? newLeadForm(() => { formSlot.hidden = true; load(); }, () => { formSlot.hidden = true; })
    : h("div", { hidden: true });
  formSlot.hidden = true;
  root.append(formSlot);

  const search = field({ label: "Search", name: "q", type: "search" });
  const syncFilter = field({ label: "Dynamics 365", name: "d365_status", type: "select", options: [["", "All"],
    ["not_synced", "Not synced"], ["in_progress", "Syncing"], ["synced", "Synced"], ["error", "Error"]] });
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter leads" }, search.wrapper, syncFilter.wrapper);
  const pushProgress = jobProgress({ verb: "Pushing", label: "Push to Dynamics progress" });
  const listRegion = h("div", { "aria-live": "polite" }, loading());
  const panel = h("section", { class: "card lead-panel", hidden: true, "aria-labelledby": "lead-panel-title" });
  root.append(filters, pushProgress.status, pushProgress.bar, listRegion, panel);

  let leads = [];
  let shownId = null;

  async function load() {
    try {
      const data = await api.get("/api/v1/leads", { signal, query: { limit: 200, q: search.control.value.trim(),
        d365_status: syncFilter.control.value } });
      leads = data.items;
      renderTable();
      if (shownId) renderPanel(leads.find((lead) => lead.id === shownId));
    } catch (error) {
      if (error.name !== "AbortError") showProblem(error);
    }
  }

  function renderTable() {
    if (!leads.length) {
      listRegion.replaceChildren(emptyState("No leads match. Add one or import a CSV."));
      return;
    }
    const head = h("tr", {}, canPush ? h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Select" })) : null,
      [["Company"], ["Segment", "col-optional"], ["Readiness", "col-optional"], ["Priority"], ["Dynamics 365"], ["Actions"]]
        .map(([text, cls]) => h("th", { scope: "col", class: cls, text })));
    const rows = leads.map((lead) => {
      const box = canPush ? h("input", { type: "checkbox", checked: selected.has(lead.id),
        "aria-label": `Select ${lead.company_name}`, onchange: (event) => {
          if (event.target.checked) selected.add(lead.id); else selected.delete(lead.id);
          pushSelected.disabled = selected.size === 0;
        } }) : null;
      const details = h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Details",
        "aria-label": `Details of ${lead.company_name}`, onclick: () => { shownId = lead.id; renderPanel(lead); } });
      const push = canPush ? h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Push to Dynamics",
        "aria-label": `Push ${lead.company_name} to Dynamics`, onclick: (event) => pushLeads([lead.id], event.currentTarget) }) : null;
      return h("tr", { dataset: { leadId: lead.id } },
        canPush ? h("td", {}, box) : null,
        h("td", {}, h("strong", { text: lead.company_name }), h("div", { class: "muted", text: lead.domain })),
        h("td", { class: "col-optional", text: SEGMENTS[lead.segment] || lead.segment }),
        h("td", { class: "col-optional", text: String(lead.readiness_score) }),
        h("td", { text: String(lead.priority_score) }),
        h("td", {}, badge(lead.d365.status)),
        h("td", { class: "row-actions" }, details, push));
    });
    listRegion.replaceChildren(tableWrap(h("table", { class: "table" }, h("thead", {}, head), h("tbody", {}, rows)), "Leads"));
  }

  function renderPanel(lead) {
    if (!lead) { panel.hidden = true; return; }
    const d = lead.d365;
    const rows = [["Contact", `${lead.contact_name || "—"} ${lead.contact_email ? `<${lead.contact_email}>` : ""}`],
      ["Provider", lead.provider || "—"], ["Infrastructure", lead.infrastructure_summary || "—"],
      ["Partner Center referral", lead.is_partner_center_referral ? `Yes (${lead.referral_id || "no id"})` : "No"],
      ["Last synced", d.last_synced_at ? formatDateTime(d.last_synced_at) : "Never"]];
    panel.replaceChildren(...[
      h("h2", { class: "card-title", id: "lead-panel-title", tabindex: "-1", text: lead.company_name }),
      h("p", {}, "Dynamics 365: ", badge(d.status)),
      h("dl", { class: "details" }, rows.map(([term, value]) => [h("dt", { text: term }), h("dd", { text: value })])),
      d.error ? h("p", { class: "alert alert-error", role: "status", text: d.error }) : null,
      d.url ? h("p", {}, h("a", { href: d.url, target: "_blank", rel: "noopener noreferrer", text: "Open in Dynamics 365" })) : null,
      canPush ? h("button", { type: "button", class: "btn btn-secondary", text: "Push to Dynamics",
        onclick: (event) => pushLeads([lead.id], event.currentTarget) }) : null].filter(Boolean));
    panel.hidden = false;
  }

  async function pushLeads(ids, button) {
    await busy(button, async () => {
      try {
        const job = ids.length === 1
          ? await api.post("/api/v1/d365/push-lead", { lead_id: ids[0] })
          : await api.post("/api/v1/d365/push-leads", { lead_ids: ids });
        markSyncing(ids);
        announce(ids.length === 1 ? "Push to Dynamics started." : `Push of ${ids.length} leads started.`);
        await follow(job);
      } catch (error) {
        showProblem(error);
        await load();
      }
    }, "Pushing…");
  }

  function markSyncing(ids) {
    for (const lead of leads) if (ids.includes(lead.id)) lead.d365 = { ...lead.d365, status: "in_progress" };
    renderTable();
  }

  async function follow(job) {
    const finished = await pollJob(job, { progress: pushProgress, signal });
    await load();
    if (finished.status === "succeeded") showMessage("Pushed to Dynamics 365.");
    else showMessage(finished.error || `${finished.result.failed} lead(s) failed; see their Error badge.`,
      { tone: "error", title: finished.status === "partial" ? "Some leads were not pushed" : "Push to Dynamics failed" });
  }

  pushSelected.addEventListener("click", () => pushLeads([...selected], pushSelected));
  wireFilters(filters, { search: search.control, instant: [syncFilter.control], apply: load, signal });
  await load();
}
