// Administration › Audit log: every audited change in the organisation, newest first — who, what, when and the
// diff — filtered by person, object type, action and date range (kept in the address), paged, and exported as
// CSV or JSON Lines by a background job with a download link when it is done.

import { showProblem } from "../alerts.js";
import { api } from "../api.js";
import { field, wireFilters } from "../forms.js";
import { jobProgress, pollJob } from "../jobs.js";
import { offsetFrom, pagedList, replaceAddress } from "../paged-list.js";
import { chip, emptyState, formatDateTime, formatValue, h, tableWrap } from "../ui.js";

const LIMIT = 50;
const ACTIONS = [["", "Any action"], ["created", "Created"], ["updated", "Updated"], ["deleted", "Deleted"],
  ["restored", "Restored"]];
const ACTION_TONES = { created: "success", updated: "info", deleted: "danger", restored: "accent" };

/** A date input's day as the start of that day in the browser's zone, in ISO (the API compares instants). */
function dayStart(value, plusDays = 0) {
  if (!value) return "";
  const date = new Date(`${value}T00:00:00`);
  date.setDate(date.getDate() + plusDays);
  return date.toISOString();
}

export async function render(container, { query, signal }) {
  const state = {
    actor: query.get("actor") || "", type: query.get("type") || "", action: query.get("action") || "",
    from: query.get("from") || "", to: query.get("to") || "",
  };
  const people = await api.get("/api/v1/users", { query: { limit: 200, include_deleted: "true" }, signal });
  const actor = field({ label: "Person", name: "actor", type: "select", value: state.actor,
    options: [["", "Anyone"], ...people.items.map((user) => [user.id, `${user.name} (${user.email})`])] });
  const type = field({ label: "Object type", name: "type", type: "select", value: state.type, options: [["", "Any type"]] });
  const action = field({ label: "Action", name: "action", type: "select", value: state.action, options: ACTIONS });
  const from = field({ label: "From", name: "from", type: "date", value: state.from });
  const to = field({ label: "To (inclusive)", name: "to", type: "date", value: state.to });
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter the audit log" },
    actor.wrapper, type.wrapper, action.wrapper, from.wrapper, to.wrapper,
    h("button", { type: "submit", class: "btn btn-secondary", text: "Apply" }));

  const filterQuery = () => ({
    actor_id: state.actor, entity_type: state.type, action: state.action,
    since: dayStart(state.from), until: dayStart(state.to, 1),
  });

  let typesKnown = false;
  const list = pagedList({
    noun: "change", limit: LIMIT, signal, loadingText: "Loading the audit log…", offset: offsetFrom(query),
    fetchPage: async (offset) => {
      const page = await api.get("/api/v1/admin/audit", { query: { limit: LIMIT, offset, ...filterQuery() }, signal });
      if (!typesKnown) {
        typesKnown = true;
        type.control.append(...page.entity_types.map((name) => h("option", { value: name, text: name })));
        type.control.value = state.type;
      }
      return page;
    },
    table: auditTable,
    empty: () => emptyState("No changes match these filters."),
    onLoad: (offset) => replaceAddress("admin", { tab: "audit", ...state, offset }),
  });

  // Export ---------------------------------------------------------------------------------------------------
  const progress = jobProgress({ verb: "Exporting", label: "Export progress" });
  const download = h("p", { class: "export-result" });
  const exportButtons = [["csv", "Export CSV"], ["jsonl", "Export JSON Lines"]].map(([format, text]) =>
    h("button", { type: "button", class: "btn btn-secondary", text, onClick: (event) => runExport(event.currentTarget, format) }));

  async function runExport(button, format) {
    exportButtons.forEach((b) => { b.disabled = true; });
    download.replaceChildren();
    try {
      const body = { format };
      for (const [key, value] of Object.entries(filterQuery())) {
        if (value) body[key] = key === "action" ? [value] : value;
      }
      const job = await pollJob(await api.post("/api/v1/admin/audit/exports", body, { signal }), { progress, signal });
      if (job.status !== "succeeded") {
        progress.say(`The export failed: ${job.error || "see the server log"}`);
        return;
      }
      progress.say(`Export ready: ${job.result.rows} change(s)${job.result.truncated ? " (the first 100,000)" : ""}.`);
      const link = h("a", { href: `/api/v1/admin/audit/exports/${job.id}`, download: job.result.filename,
        class: "btn btn-primary", text: `Download ${job.result.filename}` });
      download.replaceChildren(link);
      link.focus();
    } catch (error) {
      showProblem(error);
    } finally {
      exportButtons.forEach((b) => { b.disabled = false; });
    }
  }

  container.append(h("section", { class: "card card-flush", "aria-label": "Audit log" },
    h("div", { class: "card-toolbar" }, filters),
    h("div", { class: "card-toolbar toolbar-actions" }, ...exportButtons, progress.status, progress.bar, download),
    ...list.nodes));

  wireFilters(filters, {
    instant: [actor.control, type.control, action.control, from.control, to.control],
    apply: () => {
      Object.assign(state, { actor: actor.control.value, type: type.control.value, action: action.control.value,
        from: from.control.value, to: to.control.value });
      list.go(0);
    },
    signal,
  });
  await list.load();
}

function changesList(entry) {
  if (!entry.changes.length) return h("span", { class: "muted", text: "—" });
  const items = entry.changes.map((change) => h("li", {},
    h("span", { class: "change-property", text: change.property }), ": ",
    entry.action === "created" ? formatValue(change.right) : `${formatValue(change.left)} → ${formatValue(change.right)}`));
  return h("details", { class: "audit-diff" },
    h("summary", { text: `${entry.changes.length} field(s): ${entry.changed_properties.slice(0, 3).join(", ")}${entry.changes.length > 3 ? "…" : ""}` }),
    h("ul", {}, items));
}

function auditTable(items) {
  return tableWrap(h("table", { class: "table audit-table" },
    h("caption", { class: "visually-hidden", text: "Audit log" }),
    h("thead", {}, h("tr", {}, ["When", "Who", "Action", "Object", "Changes"].map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, items.map((entry) => h("tr", {},
      h("td", { class: "cell-nowrap", text: formatDateTime(entry.committed_at) }),
      h("td", { text: entry.author ? entry.author.name || entry.author.email || "Unknown" : "System" }),
      h("td", {}, chip(entry.action, ACTION_TONES[entry.action] || "neutral")),
      h("td", {}, `${entry.entity_type} `, h("span", { class: "muted", text: `${entry.entity_id.slice(0, 8)} · v${entry.version}` })),
      h("td", {}, changesList(entry)))))), "Audit log table");
}
