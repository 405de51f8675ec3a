// SAP Cloud ALM: the settings card on the integrations page (configuration with a write-only secret, test
// connection, project mapping), and the sync panel of the requirements view (push/pull with live job
// progress, the sync log). Per-row sync badges come from `syncBadge`.

import { showMessage, showProblem } from "../alerts.js";
import { api, ifMatch } from "../api.js";
import { can, flash, session } from "../app.js";
import { busy, field, submitForm } from "../forms.js";
import { jobProgress, pollJob } from "../jobs.js";
import { chip, emptyState, formatDateTime, h, loading, tableWrap } from "../ui.js";

const SYNC = {
  not_synced: ["Not synced", "neutral"], synced: ["Synced", "success"], error: ["Sync error", "danger"],
  conflict: ["Conflict", "warning"],
};
const OPERATIONS = { push_requirements: "Push requirements", pull_requirements: "Pull requirements",
  push_test_results: "Push test results" };
const LOG_TONES = { succeeded: "success", partial: "warning", failed: "danger" };
export const CANNOT_RECEIVE = "Cloud ALM has no public API for manual test-run results: Meridian pushes the test "
  + "cases and the defects of failed runs; pass/fail stays in Meridian and is listed in the sync log.";

export function syncBadge(status) {
  const [text, tone] = SYNC[status] || SYNC.not_synced;
  return chip(text, tone);
}

/** Start a job endpoint with `button` busy and follow the job on `progress`; resolves with the finished job. */
function runJob(button, url, { progress, signal }) {
  return busy(button, async () => pollJob(await api.post(url, {}, { signal }), { progress, signal }));
}

function resultText(kind, result) {
  if (!result) return "";
  if (kind === "pull") {
    return `${result.pulled} read, ${result.updated} updated, ${result.conflicts} conflicts, ${result.errors} errors.`;
  }
  return `${result.pushed} created, ${result.updated} updated, ${result.errors} errors.`;
}

// -- requirements view ------------------------------------------------------------------------------

export async function renderSyncPanel(container, project, { signal, onChanged }) {
  const logUrl = `/api/v1/projects/${project.id}/integrations/cloud-alm/sync-log`;
  const base = `/api/v1/projects/${project.id}/integrations/cloud-alm`;
  const state = await api.get(logUrl, { signal });
  const progress = jobProgress({ id: "alm-job-status", text: state.message, label: "Cloud ALM job progress",
    className: "list-status" });
  const ready = state.connection_active && state.cloud_alm_project_id && can("delivery.manage");

  async function start(button, kind) {
    progress.verb = kind === "push" ? "Pushing" : "Pulling";
    try {
      const job = await runJob(button, `${base}/${kind}-requirements`, { progress, signal });
      if (job.status === "failed") {
        progress.say(`Failed: ${job.error}`);
        return;
      }
      const problems = (job.result.error_details || []).map((d) => `${d.code}: ${d.error}`);
      flash(`Cloud ALM ${kind}: ${resultText(kind, job.result)}${problems.length ? ` ${problems.join("; ")}` : ""}`);
      onChanged();
    } catch (error) {
      if (error.name !== "AbortError") showProblem(error);
    }
  }

  const actions = ready ? h("div", { class: "toolbar-actions" },
    h("button", { type: "button", class: "btn btn-primary btn-small", text: "Push to Cloud ALM",
      onClick: (event) => start(event.currentTarget, "push") }),
    h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Pull from Cloud ALM",
      onClick: (event) => start(event.currentTarget, "pull") })) : null;
  container.replaceChildren(
    h("h2", { class: "card-title", id: "alm-sync-title", text: "SAP Cloud ALM sync" }),
    h("div", { class: "card-toolbar" }, actions, chip(state.connection_active ? "Connected" : "Not connected",
      state.connection_active ? "success" : "neutral")),
    progress.status, progress.bar, syncLogTable(state.logs.slice(0, 5)));
}

export function syncLogTable(logs) {
  if (!logs.length) return emptyState("No sync operations yet.");
  const table = h("table", { class: "table" }, h("caption", { class: "visually-hidden", text: "Cloud ALM sync log" }),
    h("thead", {}, h("tr", {}, ["When", "Operation", "Result", "Records", "Trigger", "Message"].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, logs.map((log) => h("tr", {},
      h("td", { class: "cell-nowrap", text: formatDateTime(log.created_at) }),
      h("td", { text: OPERATIONS[log.operation] || log.operation }),
      h("td", {}, chip(log.status, LOG_TONES[log.status] || "neutral")),
      h("td", { text: String(log.records_pushed ?? log.records_pulled ?? 0) }),
      h("td", { text: log.triggered_by || "" }),
      h("td", { text: log.error_message || "" })))));
  return tableWrap(table, "Cloud ALM sync log");
}

// -- integrations page (admins) ---------------------------------------------------------------------

export async function renderSettings(container, { signal }) {
  const tenantId = session.user.tenant.id;
  const url = `/api/v1/tenants/${tenantId}/integrations/cloud-alm/config`;
  let config = null;
  try {
    config = await api.get(url, { signal });
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const fields = {
    alm_url: field({ label: "Cloud ALM API URL", name: "alm_url", type: "url", required: true, value: config?.alm_url,
      hint: "https://<tenant>.<region>.alm.cloud.sap" }),
    token_url: field({ label: "Token URL", name: "token_url", type: "url", required: true, value: config?.token_url,
      hint: "https://<subaccount>.authentication.<region>.hana.ondemand.com/oauth/token" }),
    client_id: field({ label: "Client ID", name: "client_id", required: true, value: config?.client_id }),
    client_secret: field({ label: "Client secret", name: "client_secret", type: "password", required: !config,
      autocomplete: "new-password", hint: config?.secret_set ? "Stored encrypted. Leave empty to keep it." : "Stored encrypted; never shown again." }),
    sync_requirements: field({ label: "Sync requirements", name: "sync_requirements", type: "checkbox",
      value: config ? config.sync_requirements : true }),
    sync_test_results: field({ label: "Sync test results", name: "sync_test_results", type: "checkbox",
      value: config ? config.sync_test_results : false, hint: CANNOT_RECEIVE }),
  };
  const problems = h("div", { class: "form-alerts" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: config ? "Save settings" : "Configure" });
  const test = h("button", { type: "button", class: "btn btn-secondary", text: "Test connection", disabled: !config });
  const testResult = h("p", { role: "status", class: "list-status", text: config?.last_test_status
    ? `Last test: ${config.last_test_status} (${formatDateTime(config.last_test_at)})` : "" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "SAP Cloud ALM settings" }, problems,
    h("div", { class: "form-grid" }, ["alm_url", "token_url", "client_id", "client_secret"].map((n) => fields[n].wrapper)),
    fields.sync_requirements.wrapper, fields.sync_test_results.wrapper,
    h("div", { class: "form-actions" }, save, test), testResult);
  submitForm(form, {
    button: save, problems,
    send: () => {
      const body = {};
      for (const name of ["alm_url", "token_url", "client_id", "client_secret"]) {
        const value = fields[name].control.value.trim();
        if (value || !config) body[name] = value; // a blank field keeps what is stored (the secret is never shown)
      }
      body.sync_requirements = fields.sync_requirements.control.checked;
      body.sync_test_results = fields.sync_test_results.control.checked;
      return config ? api.put(url, body, { headers: ifMatch(config.version) }) : api.post(url, body);
    },
    onSuccess: (saved) => {
      config = saved;
      fields.client_secret.control.value = "";
      test.disabled = false;
      showMessage("SAP Cloud ALM settings saved. Test the connection to activate them.", { container: problems });
    },
  });
  test.addEventListener("click", async () => {
    try {
      const result = await busy(test, () => api.post(url.replace("/config", "/test-connection")), "Testing…");
      testResult.textContent = result.ok ? "Connection OK: token issued and Cloud ALM projects readable. Sync is active."
        : `Connection failed: ${result.error}`;
      config = await api.get(url, { signal });
    } catch (error) {
      showProblem(error, { container: problems });
    }
  });
  container.replaceChildren(h("h2", { class: "card-title", id: "alm-settings-title", text: "SAP Cloud ALM settings" }),
    form, h("h3", { class: "card-subtitle", text: "Project mapping" }), loading("Loading projects…"),
    h("h3", { class: "card-subtitle", text: "Status mapping" }), loading("Loading the status mapping…"));
  const [mappingTable, statusTable] = await Promise.all([projectMapping(signal), statusMapping(url, signal)]);
  container.children[3].replaceWith(mappingTable);
  container.lastChild.replaceWith(statusTable);
}

async function statusMapping(configUrl, signal) {
  const url = configUrl.replace("/config", "/status-mapping");
  const { items } = await api.get(url, { signal });
  const inputs = items.map((item) => ({
    meridian_status: item.meridian_status,
    status: field({ label: `Cloud ALM status for ${item.meridian_status}`, name: "alm_status", value: item.alm_status,
      attrs: { maxlength: "40" } }),
    sub: field({ label: `Cloud ALM subStatus for ${item.meridian_status}`, name: "alm_sub_status", value: item.alm_sub_status,
      attrs: { maxlength: "60" } }),
  }));
  const problems = h("div", { class: "form-alerts" });
  const save = h("button", { type: "submit", class: "btn btn-secondary", text: "Save status mapping" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "Status mapping" }, problems,
    tableWrap(h("table", { class: "table" }, h("caption", { class: "visually-hidden", text: "Status mapping" }),
      h("thead", {}, h("tr", {}, ["Meridian status", "Cloud ALM status", "subStatus"].map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, inputs.map((row) => h("tr", {}, h("td", { text: row.meridian_status }),
        h("td", {}, row.status.wrapper), h("td", {}, row.sub.wrapper))))), "Status mapping"),
    h("div", { class: "form-actions" }, save));
  submitForm(form, {
    button: save, problems,
    send: () => api.put(url, { items: inputs.map((row) => ({ meridian_status: row.meridian_status,
      alm_status: row.status.control.value.trim(), alm_sub_status: row.sub.control.value.trim() })) }),
    onSuccess: () => showMessage("Status mapping saved; the next push uses it.", { container: problems }),
  });
  return form;
}

/** Each Meridian project picks its Cloud ALM project (and the scope its test cases go to) from the lists
 * Cloud ALM gives; the server checks both again when saving. */
async function projectMapping(signal) {
  const base = `/api/v1/tenants/${session.user.tenant.id}/integrations/cloud-alm`;
  const page = await api.get("/api/v1/projects", { query: { limit: 100 }, signal });
  if (!page.items.length) return emptyState("No projects yet.");
  let almProjects;
  try {
    almProjects = (await api.get(`${base}/projects`, { signal })).items;
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return h("p", { class: "field-hint", role: "status", text: "The Cloud ALM projects could not be listed "
      + `(${error.detail || error.message}). Save the settings and test the connection, then reload this page.` });
  }
  const choices = [["", "Not synced"], ...almProjects.map((p) => [p.id, p.status === "C" ? `${p.name} (closed)` : p.name])];
  const rows = page.items.map((project) => {
    const almProject = field({ label: `Cloud ALM project for ${project.code}`, name: "cloud_alm_project_id",
      type: "select", options: choices, value: project.cloud_alm_project_id || "" });
    const scope = field({ label: `Cloud ALM scope for ${project.code}`, name: "cloud_alm_scope_id", type: "select",
      options: [["", "No scope"]], hint: "Where pushed test cases are created" });
    let version = project.version;
    const saveButton = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Save" });
    const state = h("span", { role: "status", class: "muted" });

    async function loadScopes(selected) {
      scope.control.replaceChildren(h("option", { value: "", text: "No scope" }));
      if (!almProject.control.value) return;
      try {
        const scopes = await api.get(`${base}/scopes`, { query: { project_id: almProject.control.value }, signal });
        scope.control.append(...scopes.items.map((s) => h("option", { value: s.id, text: s.name })));
        scope.control.value = selected || "";
      } catch (error) {
        if (error.name !== "AbortError") state.textContent = `Scopes could not be listed: ${error.detail || error.message}`;
      }
    }

    almProject.control.addEventListener("change", () => { state.textContent = ""; loadScopes(null); });
    loadScopes(project.cloud_alm_scope_id);
    saveButton.addEventListener("click", async () => {
      try {
        const saved = await busy(saveButton, () => api.put(`/api/v1/projects/${project.id}/integrations/cloud-alm/mapping`,
          { cloud_alm_project_id: almProject.control.value || null, cloud_alm_scope_id: scope.control.value || null },
          { headers: ifMatch(version) }));
        version = saved.version;
        state.textContent = "Saved.";
      } catch (error) {
        state.textContent = "";
        showProblem(error);
      }
    });
    return h("tr", {}, h("td", { text: `${project.code} · ${project.name}` }), h("td", {}, almProject.wrapper),
      h("td", {}, scope.wrapper), h("td", {}, saveButton, " ", state));
  });
  return tableWrap(h("table", { class: "table alm-mapping" },
    h("caption", { class: "visually-hidden", text: "Project mapping" }),
    h("thead", {}, h("tr", {}, ["Project", "Cloud ALM project", "Scope", ""].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, rows)), "Project mapping");
}

// -- conflict resolution ----------------------------------------------------------------------------

const VERSION_FIELDS = [["title", "Title"], ["status", "Status"], ["priority", "Priority"], ["description", "Description"]];

function plain(value) {
  const doc = new DOMParser().parseFromString(String(value ?? ""), "text/html");
  return doc.body.textContent || "—";
}

/** A modal dialog with Meridian's and Cloud ALM's versions side by side; resolves after a choice. */
export async function openConflictDialog(project, requirement, onResolved) {
  const url = `/api/v1/projects/${project.id}/integrations/cloud-alm/conflicts/${requirement.id}`;
  const opener = document.activeElement;
  const body = h("div", {}, loading("Reading Cloud ALM…"));
  const dialog = h("dialog", { class: "dialog alm-conflict", "aria-labelledby": "alm-conflict-title" },
    h("h2", { class: "card-title", id: "alm-conflict-title", text: `Sync conflict: ${requirement.code}` }), body);
  document.body.append(dialog);
  dialog.addEventListener("close", () => { dialog.remove(); if (opener) opener.focus(); });
  dialog.showModal();
  try {
    const versions = await api.get(url);
    const table = h("table", { class: "table" }, h("caption", { text: "Both sides changed since the last sync." }),
      h("thead", {}, h("tr", {}, ["", "Meridian", "Cloud ALM"].map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, VERSION_FIELDS.map(([key, text]) => h("tr", {}, h("th", { scope: "row", text }),
        h("td", { text: plain(versions.meridian[key]) }), h("td", { text: plain(versions.cloud_alm[key]) })))));
    const choose = async (button, keep) => {
      try {
        await busy(button, () => api.post(url, { keep }));
        flash(`${requirement.code}: kept the ${keep === "meridian" ? "Meridian" : "Cloud ALM"} version; synced.`);
        dialog.close();
        onResolved();
      } catch (error) {
        showProblem(error, { container: body });
      }
    };
    body.replaceChildren(tableWrap(table, "Both versions"), h("div", { class: "form-actions" },
      h("button", { type: "button", class: "btn btn-primary", text: "Keep Meridian's (update Cloud ALM)",
        onClick: (event) => choose(event.currentTarget, "meridian") }),
      h("button", { type: "button", class: "btn btn-secondary", text: "Keep Cloud ALM's (update Meridian)",
        onClick: (event) => choose(event.currentTarget, "cloud_alm") }),
      h("button", { type: "button", class: "btn btn-ghost", text: "Cancel", onClick: () => dialog.close() })));
    body.querySelector("button").focus();
  } catch (error) {
    showProblem(error, { container: body });
    body.append(h("button", { type: "button", class: "btn btn-ghost", text: "Close", onClick: () => dialog.close() }));
  }
}

// -- test cycle view --------------------------------------------------------------------------------

/** "Push to Cloud ALM" for a test cycle, with what Cloud ALM cannot receive said up front and, after the
 * push, what each pushed case still needs in Cloud ALM before it can be executed there. */
export function renderCyclePush(container, project, cycleId, { signal }) {
  const progress = jobProgress({ verb: "Pushing", label: "Cloud ALM push progress", className: "list-status" });
  const needs = h("div", { class: "alm-case-needs" });
  const button = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Push results to Cloud ALM" });
  button.addEventListener("click", async () => {
    needs.replaceChildren();
    try {
      const job = await runJob(button, `/api/v1/projects/${project.id}/integrations/cloud-alm/push-test-results/${cycleId}`,
        { progress, signal });
      if (job.status === "failed" && !job.result) {
        progress.say(`Failed: ${job.error}`);
        return;
      }
      const r = job.result;
      progress.say(`${job.status === "succeeded" ? "Done" : "Done with errors"}: ${r.pushed} test cases created, `
        + `${r.updated} updated, ${r.defects_pushed} defects sent, ${r.errors} errors.${job.error ? ` ${job.error}` : ""}`);
      needs.replaceChildren(caseNeeds(r.needing_work || []));
    } catch (error) {
      if (error.name !== "AbortError") showProblem(error);
    }
  });
  container.replaceChildren(h("h2", { class: "card-title", id: "cycle-alm-title", text: "SAP Cloud ALM" }),
    h("p", { class: "field-hint", text: CANNOT_RECEIVE }), h("div", { class: "toolbar-actions" }, button),
    progress.status, progress.bar, needs);
}

function caseNeeds(items) {
  if (!items.length) return h("p", { class: "muted", text: "Every pushed case is ready to run in Cloud ALM." });
  return h("div", {},
    h("h3", { class: "card-subtitle", id: "alm-needs-title", text: "Still to do in Cloud ALM before these cases can run" }),
    h("ul", { "aria-labelledby": "alm-needs-title" },
      items.map((item) => h("li", { text: `${item.test_case}: ${item.needs.join(" and ")}` }))));
}
