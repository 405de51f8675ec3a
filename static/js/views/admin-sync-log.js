// Administration › Sync log: every integration sync of the organisation — the integrations hub's connection
// runs and the per-project SAP Cloud ALM syncs — newest first, filtered and paged, errors in full (admins only).

import { api } from "../api.js";
import { field, wireFilters } from "../forms.js";
import { offsetFrom, pagedList, replaceAddress } from "../paged-list.js";
import { chip, emptyState, formatDateTime, h, tableWrap } from "../ui.js";

const LIMIT = 50;
const STATUS_TONES = { succeeded: "success", partial: "warning", failed: "danger", running: "info", queued: "neutral" };

export async function render(container, { query, signal }) {
  const state = { source: query.get("source") || "", status: query.get("status") || "" };
  const source = field({ label: "Source", name: "source", type: "select", value: state.source,
    options: [["", "All syncs"], ["connection", "Connection runs"], ["cloud_alm_project", "Cloud ALM project syncs"]] });
  const status = field({ label: "Status", name: "status", type: "select", value: state.status,
    options: [["", "Any status"], ["succeeded", "Succeeded"], ["partial", "Partial"], ["failed", "Failed"], ["running", "Running"]] });
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter the sync log" },
    source.wrapper, status.wrapper, h("button", { type: "submit", class: "btn btn-secondary", text: "Apply" }));
  const list = pagedList({
    noun: "sync", plural: "syncs", limit: LIMIT, signal, loadingText: "Loading the sync log…", offset: offsetFrom(query),
    fetchPage: (offset) => api.get("/api/v1/admin/sync-log", { query: { limit: LIMIT, offset, ...state }, signal }),
    table: (items) => tableWrap(h("table", { class: "table" },
      h("caption", { class: "visually-hidden", text: "Sync log" }),
      h("thead", {}, h("tr", {}, ["When", "System", "Connection or project", "Operation", "Status", "Records", "Error"]
        .map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, items.map((item) => h("tr", {},
        h("td", { class: "cell-nowrap", text: formatDateTime(item.at) }),
        h("td", { class: "cell-nowrap", text: item.system === "cloud_alm" ? "SAP Cloud ALM" : item.system }),
        h("td", { text: item.subject }),
        h("td", { class: "cell-nowrap", text: `${item.operation} (${item.triggered_by || "manual"})` }),
        h("td", {}, chip(item.status, STATUS_TONES[item.status] || "neutral")),
        h("td", { class: "cell-nowrap", text: `↑${item.records_pushed ?? 0} ↓${item.records_pulled ?? 0}` }),
        h("td", { class: "cell-wrap", text: item.error || "" }))))), "Sync log table"),
    empty: () => emptyState("No syncs match these filters."),
    onLoad: (offset) => replaceAddress("admin", { tab: "sync", ...state, offset }),
  });
  container.append(h("section", { class: "card card-flush", "aria-label": "Sync log" },
    h("div", { class: "card-toolbar" }, filters), ...list.nodes));
  wireFilters(filters, {
    instant: [source.control, status.control],
    apply: () => {
      state.source = source.control.value;
      state.status = status.control.value;
      list.go(0);
    },
    signal,
  });
  await list.load();
}
