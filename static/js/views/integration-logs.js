// The two logs of the integrations page: the sync history (runs per connection, filterable) and the gateway call
// log (every outbound call, admins only). Both name a run's connection from the page's list of connections.

import { showProblem } from "../alerts.js";
import { api } from "../api.js";
import { field } from "../forms.js";
import { countText } from "../paged-list.js";
import { chip, emptyState, formatDateTime, h, tableWrap } from "../ui.js";

const BASE = "/api/v1/integrations";
const OPERATIONS = [["", "All operations"], ["test", "Test"], ["push", "Push"], ["pull", "Pull"], ["webhook", "Webhook"]];
const RUN_STATUSES = [["", "All statuses"], ["succeeded", "Succeeded"], ["partial", "Partial"], ["failed", "Failed"],
  ["running", "Running"]];
const RUN_TONES = { succeeded: "success", partial: "warning", failed: "danger" };

/** A real sync's records (Cloud ALM push/pull, a Dynamics push); tests and webhooks move none. */
function recordsText(run) {
  const parts = [];
  if (run.records_pushed) parts.push(`${run.records_pushed} pushed`);
  if (run.records_pulled) parts.push(`${run.records_pulled} pulled`);
  return parts.join(", ") || "—";
}

function nameOf(connections, id) {
  const found = connections.find((c) => c.id === id);
  return found ? found.name : "—";
}

/** The sync history in `card` (its title already there); getConnections() answers the page's connections. Returns {load}. */
export function mountSyncHistory(card, { getConnections, signal }) {
  const filters = {
    connection: field({ label: "Connection", name: "connection_id", type: "select", options: [["", "All connections"]] }),
    operation: field({ label: "Operation", name: "operation", type: "select", options: OPERATIONS }),
    status: field({ label: "Status", name: "status", type: "select", options: RUN_STATUSES }),
  };
  const body = h("div", {});
  card.append(h("div", { class: "filters" }, Object.values(filters).map((f) => f.wrapper)), body);
  for (const item of Object.values(filters)) item.control.addEventListener("change", () => load());

  async function load() {
    const connections = getConnections();
    const select = filters.connection.control;
    const chosen = select.value;
    select.replaceChildren(h("option", { value: "", text: "All connections" }),
      ...connections.map((c) => h("option", { value: c.id, text: c.name })));
    select.value = connections.some((c) => c.id === chosen) ? chosen : "";
    try {
      const page = await api.get(`${BASE}/sync-runs`, { signal, query: { limit: 50, connection_id: select.value,
        operation: filters.operation.control.value, status: filters.status.control.value } });
      if (!page.items.length) {
        body.replaceChildren(emptyState("No sync runs match these filters."));
        return;
      }
      body.replaceChildren(tableWrap(h("table", { class: "table table-compact" },
        h("thead", {}, h("tr", {}, ["Started", "Connection", "Operation", "Status", "Records", "Duration", "Error"]
          .map((text) => h("th", { scope: "col", text })))),
        h("tbody", {}, page.items.map((run) => h("tr", {},
          h("td", { text: formatDateTime(run.started_at) }),
          h("td", { text: nameOf(connections, run.connection_id) }),
          h("td", { text: run.operation }),
          h("td", {}, chip(run.status, RUN_TONES[run.status] || "info")),
          h("td", { text: recordsText(run) }),
          h("td", { text: run.duration_ms === null ? "—" : `${run.duration_ms} ms` }),
          h("td", { class: "cell-wrap", text: run.error || "—" }))))), "Sync history table"),
      h("p", { class: "muted", text: `${countText(page)} run(s).` }));
    } catch (error) {
      showProblem(error);
    }
  }

  return { load };
}

/** Fill `card` (keeping its title) with the latest outbound calls of the gateway. */
export async function loadCallLog(card, { connections, signal }) {
  try {
    const page = await api.get(`${BASE}/call-log`, { query: { limit: 50 }, signal });
    const body = page.items.length
      ? tableWrap(h("table", { class: "table table-compact" },
        h("thead", {}, h("tr", {}, ["Time", "Connection", "Call", "Code", "Attempts", "Latency", "Error"]
          .map((text) => h("th", { scope: "col", text })))),
        h("tbody", {}, page.items.map((row) => h("tr", {},
          h("td", { text: formatDateTime(row.created_at) }),
          h("td", { text: nameOf(connections, row.connection_id) }),
          h("td", {}, h("code", { text: `${row.method} ${row.path}` })),
          h("td", { text: row.response_code === null ? "—" : String(row.response_code) }),
          h("td", { text: String(row.attempt) }),
          h("td", { text: `${row.latency_ms} ms` }),
          h("td", { class: "cell-wrap", text: row.error || "—" }))))), "Gateway call log table")
      : emptyState("No outbound calls yet.");
    card.replaceChildren(card.firstChild,
      h("p", { class: "muted", text: "Every outbound call: never the token, the secret or the payload, only its SHA-256." }),
      body);
  } catch (error) {
    showProblem(error);
  }
}
