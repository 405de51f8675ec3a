// A project's change history (the audit trail): newest version first, each with the fields people changed
// before and after, twenty versions at a time ("Show older versions").

import { ApiError, api } from "../api.js";
import { showProblem } from "../alerts.js";
import { PHASES, chip, emptyState, formatDate, formatDateTime, formatValue, h, label, loading, tableWrap } from "../ui.js";

const PAGE_SIZE = 20;
// Bookkeeping columns every version touches; the history shows what people changed.
const HIDDEN_PROPERTIES = new Set(["id", "tenant_id", "version", "created_at", "created_by", "updated_at", "updated_by",
  "deleted_by"]);
const DATE_PROPERTIES = new Set(["go_live_date", "hypercare_start", "hypercare_end"]);
const PROPERTY_LABELS = {
  name: "Name", code: "Code", customer_name: "Customer", description: "Description", phase: "Phase",
  go_live_date: "Go-live date", hypercare_start: "Hypercare start", hypercare_end: "Hypercare end",
  timezone: "Time zone", deleted_at: "Deleted at", deleted_by: "Deleted by", created_at: "Created at",
  created_by: "Created by", updated_at: "Updated at", updated_by: "Updated by", version: "Version",
};
const CHANGE_TYPES = {
  INITIAL: ["Created", "success"], UPDATE: ["Updated", "info"], DELETE: ["Deleted", "danger"],
  RESTORE: ["Restored", "accent"],
};

function displayValue(property, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (DATE_PROPERTIES.has(property)) return formatDate(value);
  if (property === "phase") return label(PHASES, value);
  if (property === "deleted_at") return formatDateTime(value);
  return formatValue(value);
}

function visibleChanges(version) {
  const initial = version.change_type === "INITIAL";
  return version.changes.filter((change) => {
    if (HIDDEN_PROPERTIES.has(change.property)) return false;
    if (change.property === "deleted_at") return version.change_type === "DELETE" || version.change_type === "RESTORE";
    return !(initial && (change.right === null || change.right === ""));
  });
}

function changesTable(version, changes) {
  const initial = version.change_type === "INITIAL";
  return h("table", { class: "table table-compact" },
    h("caption", { class: "visually-hidden", text: `Changes in version ${version.version}` }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Field" }),
      initial ? null : h("th", { scope: "col", text: "Before" }),
      h("th", { scope: "col", text: initial ? "Value" : "After" }))),
    h("tbody", {}, changes.map((change) => h("tr", {},
      h("th", { scope: "row", text: PROPERTY_LABELS[change.property] || change.property }),
      initial ? null : h("td", { class: "cell-value cell-before", text: displayValue(change.property, change.left) }),
      h("td", { class: "cell-value", text: displayValue(change.property, change.right) })))));
}

function timelineItem(version, index) {
  const [typeText, tone] = CHANGE_TYPES[version.change_type] || [version.change_type, "neutral"];
  const visible = visibleChanges(version);
  const changes = visible.length
    ? h("details", { class: "changes", open: index === 0 ? "" : null },
      h("summary", {}, `${visible.length} ${visible.length === 1 ? "field" : "fields"}`),
      tableWrap(changesTable(version, visible), `Changes in version ${version.version}`))
    : null;
  return h("li", { class: "timeline-item" },
    h("div", { class: "timeline-head" },
      h("span", { class: "timeline-version", text: `Version ${version.version}` }),
      chip(typeText, tone),
      h("span", { class: "timeline-meta" },
        `${version.author ? version.author.name : "System"} · `,
        h("time", { datetime: version.committed_at, text: formatDateTime(version.committed_at) }))),
    changes);
}

/** Fill `body` with the history of project `projectId`; returns {load(reset)}: reset starts again from the newest. */
export function mountProjectHistory(body, { projectId, signal }) {
  let items = [];

  function draw(total) {
    if (!items.length) {
      body.replaceChildren(emptyState("No recorded changes yet."));
      return;
    }
    body.replaceChildren(h("ol", { class: "timeline" }, items.map(timelineItem)));
    if (items.length < total) {
      body.append(h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Show older versions",
        onClick: (event) => load(false, event.currentTarget) }));
    }
  }

  async function load(reset, button) {
    if (reset) {
      items = [];
      body.replaceChildren(loading("Loading history…"));
    }
    try {
      const page = await api.get(`/api/v1/audit/Project/${projectId}/history`, {
        query: { limit: PAGE_SIZE, offset: items.length }, signal,
      });
      items = items.concat(page.items);
      draw(page.total);
      if (button) {
        // "Show older versions" moves on to the first version it brought, not back to the top.
        const firstNew = body.querySelectorAll(".timeline-item")[items.length - page.items.length];
        if (firstNew) {
          firstNew.setAttribute("tabindex", "-1");
          firstNew.focus();
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 404) {
        draw(0);
        return;
      }
      body.replaceChildren(h("p", { class: "error-text", text: "The history could not be loaded." }));
      showProblem(error);
    }
  }

  return { load };
}
