// The integrations hub: the connector catalogue with each connection's state and its actions (edit, "Test connection",
// activate), the connection form (integration-connection.js), the Cloud ALM settings (cloud-alm.js), and the sync
// history and gateway call log (integration-logs.js).

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can } from "../app.js";
import { busy } from "../forms.js";
import { announce, card, chip, formatDateTime, h, loading, pageHeader, setTitle } from "../ui.js";
import { renderSettings as renderCloudAlmSettings } from "./cloud-alm.js";
import { openConnectionForm } from "./integration-connection.js";
import { loadCallLog, mountSyncHistory } from "./integration-logs.js";

const BASE = "/api/v1/integrations";
const STATES = {
  not_configured: ["Not configured", "neutral"],
  inactive: ["Configured, inactive", "info"],
  active: ["Active", "success"],
  error: ["Error", "danger"],
  circuit_open: ["Circuit open", "warning"],
};
const TEST_TONES = { ok: "success", error: "danger", timeout: "warning" };

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
  const history = mountSyncHistory(historyCard, { getConnections: () => connections, signal });

  async function loadAll() {
    try {
      const [catalog, list] = await Promise.all([
        api.get(`${BASE}/catalog`, { signal }), api.get(`${BASE}/connections`, { signal })]);
      connections = list.items;
      const status = await api.get("/api/v1/marketplace/sync-status", { signal });
      marketplace = Object.fromEntries(status.items.map((item) => [item.connection_id, item]));
      renderCatalog(catalog.items);
      await Promise.all([history.load(), callLogCard ? loadCallLog(callLogCard, { connections, signal }) : null]);
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
    openConnectionForm(panel, { entry, connection, signal, onSaved: loadAll, onClose: closeForm });
  }

  await loadAll();
}
