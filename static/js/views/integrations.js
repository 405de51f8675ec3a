// The integrations hub: connector catalogue with each connection's state, the connection form with
// write-only secrets and "Test connection", sync history with filters, and the gateway call log (admins).

import { api, applyFieldErrors, clearFieldErrors, ifMatch, showMessage, showProblem } from "../api.js";
import { can } from "../app.js";
import {
  announce, busy, card, chip, emptyState, field, formatDateTime, h, loading, pageHeader, setTitle, tableWrap,
} from "../ui.js";
import { renderSettings as renderCloudAlmSettings } from "./cloud-alm.js";

const BASE = "/api/v1/integrations";
const STATES = {
  not_configured: ["Not configured", "neutral"],
  inactive: ["Configured, inactive", "info"],
  active: ["Active", "success"],
  error: ["Error", "danger"],
  circuit_open: ["Circuit open", "warning"],
};
const TEST_TONES = { ok: "success", error: "danger", timeout: "warning" };
const OPERATIONS = [["", "All operations"], ["test", "Test"], ["push", "Push"], ["pull", "Pull"], ["webhook", "Webhook"]];
const RUN_STATUSES = [["", "All statuses"], ["succeeded", "Succeeded"], ["failed", "Failed"], ["running", "Running"]];

function stateChip(state) {
  const [text, tone] = STATES[state] || [state, "neutral"];
  return chip(text, tone);
}

export async function render(root, { signal }) {
  setTitle("Integrations");
  const manager = can("integrations.manage");
  root.append(pageHeader({
    title: "Integrations",
    subtitle: "Connections to SAP Cloud ALM, Dynamics 365 and other systems. Every call goes through the gateway.",
  }));
  const catalogSection = h("section", { class: "integration-catalog", "aria-label": "Connectors" }, loading());
  const panel = h("section", { class: "card", id: "connection-panel", hidden: true, "aria-labelledby": "connection-title" });
  const historyCard = card("Sync history");
  historyCard.id = "sync-history";
  const callLogCard = can("integrations.call_log.read") ? card("Gateway call log") : null;
  const almCard = manager ? h("section", { class: "card", id: "cloud-alm-settings", "aria-labelledby": "alm-settings-title" },
    loading()) : null;
  root.append(catalogSection, almCard, panel, historyCard, callLogCard);
  if (almCard) renderCloudAlmSettings(almCard, { signal }).catch((error) => { if (error.name !== "AbortError") showProblem(error); });

  let connections = [];
  let marketplace = {}; // connection id -> store, high-water marks, counts (Trendyol, Hepsiburada)
  let returnFocus = null;

  async function loadAll() {
    try {
      const [catalog, list] = await Promise.all([
        api.get(`${BASE}/catalog`, { signal }), api.get(`${BASE}/connections`, { signal })]);
      connections = list.items;
      const status = await api.get("/api/v1/marketplace/sync-status", { signal });
      marketplace = Object.fromEntries(status.items.map((item) => [item.connection_id, item]));
      renderCatalog(catalog.items);
      await Promise.all([loadHistory(), callLogCard ? loadCallLog() : null]);
    } catch (error) {
      showProblem(error);
    }
  }

  // -- catalogue ------------------------------------------------------------------------------------

  function renderCatalog(entries) {
    catalogSection.replaceChildren(...entries.map((entry) => {
      const connection = connections.find((item) => item.kind === entry.kind);
      const titleId = `connector-${entry.kind}`;
      const actions = [];
      if (manager && !connection) {
        actions.push(h("button", { type: "button", class: "btn btn-primary btn-small", text: "Configure",
          onClick: (event) => openForm(entry, null, event.currentTarget) }));
      }
      if (manager && connection) {
        actions.push(
          h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Edit",
            onClick: (event) => openForm(entry, connection, event.currentTarget) }),
          testButton(connection),
          connection.is_active
            ? h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Deactivate",
              onClick: (event) => setActive(connection, false, event.currentTarget) })
            : h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Activate",
              onClick: (event) => setActive(connection, true, event.currentTarget) }));
      }
      return h("article", { class: "card connector-card", "aria-labelledby": titleId, dataset: { kind: entry.kind } },
        h("div", { class: "connector-head" },
          h("h2", { class: "card-title", id: titleId, text: entry.title }),
          stateChip(connection ? connectionState(entry, connection) : "not_configured")),
        h("p", { class: "connector-vendor", text: `${entry.vendor} · ${entry.description}` }),
        connection ? connectionFacts(connection) : h("p", { class: "muted", text: "No connection yet." }),
        actions.length ? h("div", { class: "connector-actions" }, actions) : null);
    }));
  }

  function connectionState(entry, connection) {
    const item = entry.connections.find((c) => c.id === connection.id);
    return item ? item.state : "not_configured";
  }

  function connectionFacts(connection) {
    const status = connection.status;
    const rows = [
      ["Connection", connection.name],
      ["Last test", connection.last_test_status
        ? h("span", {}, chip(connection.last_test_status, TEST_TONES[connection.last_test_status] || "neutral"),
          " ", formatDateTime(connection.last_test_at))
        : "Never tested"],
      ["Last sync", formatDateTime(status.last_sync_at)],
      ["Errors", String(status.error_count)],
      ["Circuit breaker", status.breaker_state],
    ];
    if (connection.last_test_message) rows.push(["Result", connection.last_test_message]);
    if (status.last_error) rows.push(["Last error", status.last_error]);
    const store = marketplace[connection.id];
    if (store) {
      rows.push(["Store", store.store_id ? "Feeds a project's war room" : "Not attached to a project yet"],
        ["Packages / products", `${store.packages} / ${store.products}`]);
      for (const state of store.resources) {
        rows.push([`High-water mark (${state.resource})`, state.high_water_mark
          ? h("span", {}, chip(state.last_status || "never", state.last_status === "failed" ? "danger" : "success"), " ",
            formatDateTime(state.high_water_mark)) : "Never synced"]);
        if (state.last_error) rows.push([`Sync error (${state.resource})`, state.last_error]);
      }
    }
    return h("dl", { class: "connector-facts" }, rows.flatMap(([term, value]) => [h("dt", { text: term }),
      h("dd", {}, value)]));
  }

  function testButton(connection) {
    const button = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Test connection" });
    button.addEventListener("click", async () => {
      try {
        const result = await busy(button, () => api.post(`${BASE}/connections/${connection.id}/test`, null, { signal }),
          "Testing…");
        const tone = result.status === "ok" ? "success" : "error";
        showMessage(result.message, { tone, title: result.status === "ok" ? "Connection works" : "Connection test failed" });
        await loadAll();
        focusCard(connection.kind, "Test connection");
      } catch (error) {
        showProblem(error);
      }
    });
    return button;
  }

  function focusCard(kind, buttonText) {
    const cardNode = catalogSection.querySelector(`[data-kind="${kind}"]`);
    const target = cardNode && [...cardNode.querySelectorAll("button")].find((b) => b.textContent === buttonText);
    if (target) target.focus();
  }

  async function setActive(connection, active, button) {
    try {
      await busy(button, () => api.post(`${BASE}/connections/${connection.id}/${active ? "activate" : "deactivate"}`,
        null, { signal }));
      announce(active ? `${connection.name} is active.` : `${connection.name} is inactive.`);
      await loadAll();
      focusCard(connection.kind, active ? "Deactivate" : "Activate");
    } catch (error) {
      showProblem(error);
    }
  }

  // -- connection form ------------------------------------------------------------------------------

  function closeForm() {
    panel.hidden = true;
    panel.replaceChildren();
    if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  }

  function openForm(entry, connection, opener) {
    returnFocus = opener;
    const editing = Boolean(connection);
    const nameField = field({ label: "Connection name", name: "name", required: true,
      value: connection ? connection.name : `${entry.title}`, attrs: { maxlength: "120" } });
    const controls = {};
    const fieldNodes = entry.fields.map((spec) => {
      const isSet = editing && spec.secret && connection.secrets_set[spec.name];
      const item = field({
        label: spec.label,
        name: `${spec.secret ? "secrets" : "config"}.${spec.name}`,
        type: spec.secret ? "password" : (spec.url ? "url" : "text"),
        required: spec.required && !(spec.secret && editing),
        value: spec.secret ? "" : ((connection && connection.config[spec.name]) || spec.default || ""),
        autocomplete: spec.secret ? "new-password" : "off",
        hint: spec.secret
          ? (isSet ? "A value is stored. Leave blank to keep it; it is never shown again." : "Write-only: stored encrypted, never shown again.")
          : spec.help || undefined,
        attrs: { spellcheck: "false", autocapitalize: "none", placeholder: isSet ? "•••••••• (set)" : (spec.help || "") },
      });
      controls[spec.name] = { spec, control: item.control };
      return item.wrapper;
    });
    const problems = h("div", { class: "form-alerts" });
    const submit = h("button", { type: "submit", class: "btn btn-primary", text: editing ? "Save changes" : "Save connection" });
    const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: closeForm });
    const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "connection-title" },
      problems, h("div", { class: "form-grid" }, nameField.wrapper, fieldNodes),
      h("div", { class: "form-actions" }, submit, cancel));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      problems.replaceChildren();
      const config = {};
      const secrets = {};
      for (const { spec, control } of Object.values(controls)) {
        const value = control.value.trim();
        if (spec.secret) {
          if (value) secrets[spec.name] = value;
        } else if (value || editing) config[spec.name] = value;
      }
      const body = { name: nameField.control.value.trim(), config };
      if (Object.keys(secrets).length || !editing) body.secrets = secrets;
      try {
        if (editing) {
          await busy(submit, () => api.put(`${BASE}/connections/${connection.id}`, body,
            { headers: ifMatch(connection.version), signal }), "Saving…");
          closeForm();
          showMessage(`${body.name} was saved. Test it before relying on it.`);
        } else {
          const created = await busy(submit, () => api.post(`${BASE}/connections`, { kind: entry.kind, ...body },
            { signal }), "Saving…");
          showWebhookSecret(created);
        }
        await loadAll();
      } catch (error) {
        if (error.errors) applyFieldErrors(form, error);
        showProblem(error, { container: problems });
      }
    });
    panel.replaceChildren(h("h2", { class: "card-title", id: "connection-title" },
      editing ? `Edit ${connection.name}` : `Configure ${entry.title}`), form);
    panel.hidden = false;
    nameField.control.focus();
  }

  function showWebhookSecret(created) {
    const close = h("button", { type: "button", class: "btn btn-primary", text: "I have stored the secret", onClick: closeForm });
    panel.replaceChildren(
      h("h2", { class: "card-title", id: "connection-title", tabindex: "-1", text: `${created.name} saved` }),
      h("p", { text: "Give these to the sending system to deliver webhooks (Standard Webhooks, HMAC-SHA256)." }),
      h("dl", { class: "connector-facts" },
        h("dt", { text: "Webhook endpoint" }), h("dd", {}, h("code", { class: "secret-value", text: created.webhook_url })),
        h("dt", { text: "Signing secret" }), h("dd", {}, h("code", { class: "secret-value", text: created.webhook_secret }))),
      h("p", { class: "alert alert-warning", role: "note", text: "The signing secret is shown only now. Copy it before closing." }),
      h("div", { class: "form-actions" }, close));
    panel.querySelector("h2").focus();
  }

  // -- sync history --------------------------------------------------------------------------------

  const historyFilters = {
    connection: field({ label: "Connection", name: "connection_id", type: "select", options: [["", "All connections"]] }),
    operation: field({ label: "Operation", name: "operation", type: "select", options: OPERATIONS }),
    status: field({ label: "Status", name: "status", type: "select", options: RUN_STATUSES }),
  };
  const historyBody = h("div", {});
  historyCard.append(h("div", { class: "filters" }, Object.values(historyFilters).map((f) => f.wrapper)), historyBody);
  for (const item of Object.values(historyFilters)) item.control.addEventListener("change", () => loadHistory());

  function connectionName(id) {
    const found = connections.find((c) => c.id === id);
    return found ? found.name : "—";
  }

  async function loadHistory() {
    const select = historyFilters.connection.control;
    const chosen = select.value;
    select.replaceChildren(h("option", { value: "", text: "All connections" }),
      ...connections.map((c) => h("option", { value: c.id, text: c.name })));
    select.value = connections.some((c) => c.id === chosen) ? chosen : "";
    const params = new URLSearchParams({ limit: "50" });
    if (select.value) params.set("connection_id", select.value);
    if (historyFilters.operation.control.value) params.set("operation", historyFilters.operation.control.value);
    if (historyFilters.status.control.value) params.set("status", historyFilters.status.control.value);
    try {
      const page = await api.get(`${BASE}/sync-runs?${params}`, { signal });
      if (!page.items.length) {
        historyBody.replaceChildren(emptyState("No sync runs match these filters."));
        return;
      }
      historyBody.replaceChildren(tableWrap(h("table", { class: "table table-compact" },
        h("thead", {}, h("tr", {}, ["Started", "Connection", "Operation", "Status", "Duration", "Error"]
          .map((text) => h("th", { scope: "col", text })))),
        h("tbody", {}, page.items.map((run) => h("tr", {},
          h("td", { text: formatDateTime(run.started_at) }),
          h("td", { text: connectionName(run.connection_id) }),
          h("td", { text: run.operation }),
          h("td", {}, chip(run.status, run.status === "succeeded" ? "success" : run.status === "failed" ? "danger" : "info")),
          h("td", { text: run.duration_ms === null ? "—" : `${run.duration_ms} ms` }),
          h("td", { class: "cell-wrap", text: run.error || "—" }))))), "Sync history table"),
      h("p", { class: "muted", text: `${page.total} run(s).` }));
    } catch (error) {
      showProblem(error);
    }
  }

  // -- gateway call log ------------------------------------------------------------------------------

  async function loadCallLog() {
    try {
      const page = await api.get(`${BASE}/call-log?limit=50`, { signal });
      const body = page.items.length
        ? tableWrap(h("table", { class: "table table-compact" },
          h("thead", {}, h("tr", {}, ["Time", "Connection", "Call", "Code", "Attempts", "Latency", "Error"]
            .map((text) => h("th", { scope: "col", text })))),
          h("tbody", {}, page.items.map((row) => h("tr", {},
            h("td", { text: formatDateTime(row.created_at) }),
            h("td", { text: connectionName(row.connection_id) }),
            h("td", {}, h("code", { text: `${row.method} ${row.path}` })),
            h("td", { text: row.response_code === null ? "—" : String(row.response_code) }),
            h("td", { text: String(row.attempt) }),
            h("td", { text: `${row.latency_ms} ms` }),
            h("td", { class: "cell-wrap", text: row.error || "—" }))))), "Gateway call log table")
        : emptyState("No outbound calls yet.");
      callLogCard.replaceChildren(callLogCard.firstChild,
        h("p", { class: "muted", text: "Every outbound call: never the token, the secret or the payload, only its SHA-256." }),
        body);
    } catch (error) {
      showProblem(error);
    }
  }

  await loadAll();
}
