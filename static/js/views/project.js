// One project: its fields, an edit form (If-Match), soft delete and restore, members, change history
// and a background JSON export with progress.

import { ApiError, api, applyFieldErrors, clearFieldErrors, ifMatch, showMessage, showProblem } from "../api.js";
import { can } from "../app.js";
import {
  PHASES, ROLES, announce, busy, card, chip, emptyState, field, formatDate, formatDateTime, formatValue, h, label,
  loading, pageHeader, phaseChip, setTitle, tableWrap,
} from "../ui.js";

const HISTORY_PAGE = 20;
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

function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      window.clearTimeout(timer);
      reject(new DOMException("Aborted", "AbortError"));
    }, { once: true });
  });
}

export async function render(root, { id, signal }) {
  const url = `/api/v1/projects/${id}`;
  const manager = can("projects.manage");
  const placeholder = loading("Loading project…");
  root.append(placeholder);

  let project;
  try {
    project = await api.get(url, { signal });
  } catch (error) {
    placeholder.remove();
    if (error instanceof ApiError && error.status === 404) {
      setTitle("Project not found");
      root.append(pageHeader({ title: "Project not found", breadcrumbs: [["Projects", "#/projects"], ["Not found"]] }),
        h("section", { class: "card" },
          h("p", { text: "This project does not exist, was deleted, or you are not a member of it." }),
          h("p", {}, h("a", { href: "#/projects", text: "Back to projects" }))));
      return;
    }
    throw error;
  }
  placeholder.remove();

  const top = h("div", { class: "project-top" });
  const notices = h("div", { class: "page-notices" });
  const editCard = h("section", { class: "card", id: "edit-project-panel", hidden: true, "aria-labelledby": "edit-project-title" });
  const exportCard = h("section", { class: "card", hidden: true, "aria-labelledby": "export-title" });
  const sections = h("div", { class: "project-sections" });
  root.append(top, notices, editCard, exportCard, sections);

  // -------------------------------------------------------------------------------------------
  // Header and details

  let editButton;
  function drawTop() {
    setTitle(`${project.code} · ${project.name}`);
    const deletedNow = Boolean(project.deleted_at);
    const actions = [];
    if (manager && !deletedNow) {
      editButton = h("button", { type: "button", class: "btn btn-primary", text: "Edit",
        "aria-expanded": String(!editCard.hidden), "aria-controls": "edit-project-panel", onClick: () => (editCard.hidden ? openEdit() : closeEdit()) });
      actions.push(editButton);
    }
    if (can("projects.export") && !deletedNow) {
      actions.push(h("button", { type: "button", class: "btn btn-secondary", text: "Export",
        onClick: (event) => startExport(event.currentTarget) }));
    }
    if (manager && !deletedNow) {
      actions.push(h("button", { type: "button", class: "btn btn-danger-outline", text: "Delete",
        onClick: (event) => removeProject(event.currentTarget) }));
    }
    const chips = [phaseChip(project.phase)];
    if (deletedNow) chips.push(chip("Deleted", "danger"));

    const facts = [
      ["Code", project.code],
      ["Customer", project.customer_name || "—"],
      ["Phase", label(PHASES, project.phase)],
      ["Go-live date", formatDate(project.go_live_date)],
      ["Hypercare window", project.hypercare_start || project.hypercare_end
        ? `${formatDate(project.hypercare_start)} – ${formatDate(project.hypercare_end)}` : "—"],
      ["Time zone", project.timezone],
      ["Version", String(project.version)],
      ["Last changed", formatDateTime(project.updated_at || project.created_at)],
    ];
    const details = h("section", { class: "card", "aria-labelledby": "details-title" },
      h("h2", { class: "card-title", id: "details-title", text: "Details" }),
      h("dl", { class: "facts" }, facts.map(([term, value]) => h("div", { class: "fact" },
        h("dt", { text: term }), h("dd", { text: value })))),
      project.description
        ? h("div", { class: "description" }, h("h3", { class: "subheading", text: "Description" }),
          h("p", { class: "prose", text: project.description }))
        : null);

    top.replaceChildren(
      pageHeader({
        title: project.name,
        subtitle: project.customer_name ? `${project.code} · ${project.customer_name}` : project.code,
        breadcrumbs: [["Projects", "#/projects"], [project.code]],
        chips,
        actions,
      }),
      details);
  }

  function showDeletedNotice() {
    const restoreButton = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Restore project" });
    const box = h("div", { class: "alert alert-warning", role: "alert" },
      h("div", { class: "alert-body" },
        h("p", { class: "alert-title", text: "This project is deleted" }),
        h("p", { class: "alert-detail", text: "It no longer appears in the project list. You can restore it." }),
        h("div", { class: "alert-actions" }, restoreButton)));
    restoreButton.addEventListener("click", async () => {
      try {
        project = await busy(restoreButton, () => api.post(`${url}/restore`, undefined, { signal }), "Restoring…");
        notices.replaceChildren();
        drawTop();
        showMessage(`Project ${project.code} was restored.`);
        loadHistory(true);
      } catch (error) {
        showProblem(error);
      }
    });
    notices.replaceChildren(box);
    restoreButton.focus();
  }

  async function removeProject(button) {
    if (!window.confirm(`Delete project ${project.code}? It can be restored afterwards.`)) return;
    try {
      await busy(button, () => api.del(url, { headers: ifMatch(project.version), signal }), "Deleting…");
      project = { ...project, deleted_at: new Date().toISOString() };
      closeEdit(false);
      drawTop();
      showDeletedNotice();
      announce(`Project ${project.code} was deleted.`);
      loadHistory(true);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) showConflict(notices);
      else showProblem(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Editing with optimistic concurrency

  async function reloadProject() {
    project = await api.get(url, { signal });
    drawTop();
    loadHistory(true);
  }

  function showConflict(container) {
    const reloadButton = h("button", { type: "button", class: "btn btn-primary btn-small", text: "Reload project" });
    const box = h("div", { class: "alert alert-warning conflict", role: "alert" },
      h("div", { class: "alert-body" },
        h("p", { class: "alert-title", text: "Someone else changed this project" }),
        h("p", { class: "alert-detail",
          text: "Your changes were not saved because the project was changed after you opened it. "
            + "Reload to see the latest version, then make your changes again." }),
        h("div", { class: "alert-actions" }, reloadButton)));
    reloadButton.addEventListener("click", async () => {
      try {
        await busy(reloadButton, reloadProject, "Reloading…");
        container.replaceChildren();
        if (!editCard.hidden) openEdit();
        announce("Project reloaded.");
      } catch (error) {
        showProblem(error);
      }
    });
    container.replaceChildren(box);
    box.scrollIntoView({ block: "nearest" });
    reloadButton.focus();
  }

  function closeEdit(returnFocus = true) {
    editCard.hidden = true;
    editCard.replaceChildren();
    if (editButton) editButton.setAttribute("aria-expanded", "false");
    if (returnFocus && editButton && editButton.isConnected) editButton.focus();
  }

  function openEdit() {
    const fields = {
      name: field({ label: "Name", name: "name", required: true, value: project.name, attrs: { maxlength: "200" } }),
      code: field({ label: "Code", name: "code", required: true, value: project.code,
        hint: "2–32 characters: letters, digits, - or _.", attrs: { maxlength: "32", spellcheck: "false" } }),
      customer_name: field({ label: "Customer", name: "customer_name", value: project.customer_name,
        attrs: { maxlength: "200" } }),
      phase: field({ label: "Phase", name: "phase", type: "select", options: PHASES, value: project.phase }),
      go_live_date: field({ label: "Go-live date", name: "go_live_date", type: "date", value: project.go_live_date }),
      hypercare_start: field({ label: "Hypercare start", name: "hypercare_start", type: "date",
        value: project.hypercare_start }),
      hypercare_end: field({ label: "Hypercare end", name: "hypercare_end", type: "date", value: project.hypercare_end }),
      timezone: field({ label: "Time zone", name: "timezone", required: true, value: project.timezone,
        hint: "An IANA name such as Europe/Istanbul.", attrs: { spellcheck: "false" } }),
      description: field({ label: "Description", name: "description", type: "textarea", value: project.description,
        attrs: { maxlength: "4000" } }),
    };
    const problems = h("div", { class: "form-alerts" });
    const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save changes" });
    const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: () => closeEdit() });
    const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "edit-project-title" },
      problems,
      h("div", { class: "form-grid" }, Object.entries(fields)
        .filter(([name]) => name !== "description").map(([, item]) => item.wrapper)),
      fields.description.wrapper,
      h("p", { class: "form-note", text: `You are editing version ${project.version}.` }),
      h("div", { class: "form-actions" }, save, cancel));
    const baseVersion = project.version;
    const base = { ...project };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      problems.replaceChildren();
      const changes = {};
      for (const [name, item] of Object.entries(fields)) {
        let value = item.control.value;
        if (item.control.type === "date") value = value || null;
        else value = name === "description" ? value : value.trim();
        const before = base[name] ?? (item.control.type === "date" ? null : "");
        if (value !== before) changes[name] = value;
      }
      if (!Object.keys(changes).length) {
        closeEdit();
        announce("Nothing changed.");
        return;
      }
      try {
        project = await busy(save, () => api.patch(url, changes, { headers: ifMatch(baseVersion), signal }), "Saving…");
        closeEdit();
        drawTop();
        showMessage("Changes saved.");
        loadHistory(true);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          showConflict(problems);
        } else {
          if (error.errors) applyFieldErrors(form, error);
          showProblem(error, { container: problems });
        }
      }
    });

    editCard.replaceChildren(h("h2", { class: "card-title", id: "edit-project-title", text: "Edit project" }), form);
    editCard.hidden = false;
    if (editButton) editButton.setAttribute("aria-expanded", "true");
    fields.name.control.focus();
  }

  // -------------------------------------------------------------------------------------------
  // Export (202 + job polling)

  let downloadUrl = null;
  signal.addEventListener("abort", () => { if (downloadUrl) URL.revokeObjectURL(downloadUrl); });

  async function startExport(button) {
    const progress = h("progress", { max: "1", value: "0", "aria-labelledby": "export-status" });
    const statusText = h("p", { class: "export-status", id: "export-status", role: "status", text: "Starting export…" });
    const result = h("div", { class: "export-result" });
    exportCard.replaceChildren(h("h2", { class: "card-title", id: "export-title", text: "Export" }),
      statusText, progress, result);
    exportCard.hidden = false;
    if (downloadUrl) {
      URL.revokeObjectURL(downloadUrl);
      downloadUrl = null;
    }
    const show = (job) => {
      const { done = 0, total = 0 } = job.progress || {};
      progress.max = Math.max(total, 1);
      progress.value = Math.min(done, Math.max(total, 1));
      const phase = { pending: "Queued", running: "Exporting", succeeded: "Done", failed: "Failed" }[job.status]
        || job.status;
      statusText.textContent = total ? `${phase}: step ${done} of ${total}` : `${phase}…`;
    };
    try {
      let job = await busy(button, () => api.post(`${url}/export`, undefined, { signal }), "Exporting…");
      const statusUrl = job.status_url;
      show(job);
      let delay = 400;
      while (job.status !== "succeeded" && job.status !== "failed") {
        await wait(delay, signal);
        delay = Math.min(delay * 1.5, 2000);
        job = await api.get(statusUrl, { signal });
        show(job);
      }
      if (job.status === "failed") {
        statusText.textContent = "The export failed.";
        result.replaceChildren(h("p", { class: "error-text", text: job.error || "The export failed." }));
        return;
      }
      const fileName = `${project.code}-export.json`;
      downloadUrl = URL.createObjectURL(new Blob([JSON.stringify(job.result, null, 2)], { type: "application/json" }));
      statusText.textContent = "Export ready.";
      const link = h("a", { class: "btn btn-primary", href: downloadUrl, download: fileName, text: `Download ${fileName}` });
      result.replaceChildren(link);
      link.focus();
    } catch (error) {
      if (signal.aborted) return;
      statusText.textContent = "The export could not be started.";
      showProblem(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Members

  const membersBody = h("div", { class: "members" });
  sections.append(card("Members", membersBody));
  const mayManageMembers = can("projects.members.manage") && can("users.read");

  async function loadMembers() {
    membersBody.replaceChildren(loading("Loading members…"));
    let members;
    try {
      members = (await api.get(`${url}/members`, { signal })).items;
    } catch (error) {
      if (signal.aborted) return;
      membersBody.replaceChildren(h("p", { class: "error-text", text: "The members could not be loaded." }));
      showProblem(error);
      return;
    }
    const table = members.length
      ? tableWrap(h("table", { class: "table" },
        h("caption", { class: "visually-hidden", text: "Project members" }),
        h("thead", {}, h("tr", {}, ["Name", "E-mail", "Role", "Added"].map((text) => h("th", { scope: "col", text })),
          mayManageMembers ? h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })) : null)),
        h("tbody", {}, members.map((member) => h("tr", {},
          h("td", { text: member.name }),
          h("td", { class: "cell-nowrap", text: member.email }),
          h("td", {}, chip(label(ROLES, member.role), "neutral")),
          h("td", { class: "cell-nowrap", text: formatDate(member.added_at) }),
          mayManageMembers ? h("td", { class: "cell-actions" }, h("button", {
            type: "button", class: "btn btn-ghost btn-small", text: "Remove", "aria-label": `Remove ${member.name}`,
            onClick: (event) => removeMember(member, event.currentTarget),
          })) : null)))), "Project members")
      : emptyState("No members yet.");
    membersBody.replaceChildren(table);
    if (mayManageMembers && !project.deleted_at) membersBody.append(await addMemberForm(members));
  }

  async function addMemberForm(members) {
    const memberIds = new Set(members.map((member) => member.user_id));
    let users = [];
    try {
      users = (await api.get("/api/v1/users", { query: { limit: 200 }, signal })).items
        .filter((user) => user.active && !memberIds.has(user.id));
    } catch (error) {
      if (!signal.aborted) showProblem(error);
      return h("p", { class: "error-text", text: "The user list could not be loaded." });
    }
    if (!users.length) return h("p", { class: "muted", text: "Every active user is already a member." });
    const picker = field({ label: "User to add", name: "user_id", type: "select",
      options: [["", "Choose a user…"], ...users.map((user) => [user.id, `${user.name} (${label(ROLES, user.role)})`])] });
    const add = h("button", { type: "submit", class: "btn btn-secondary", text: "Add member" });
    const problems = h("div", { class: "form-alerts" });
    const form = h("form", { class: "inline-form", novalidate: true, "aria-label": "Add a member" },
      problems, picker.wrapper, add);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      problems.replaceChildren();
      if (!picker.control.value) {
        applyFieldErrors(form, { errors: { user_id: ["Choose a user to add."] } });
        return;
      }
      const chosen = users.find((user) => user.id === picker.control.value);
      try {
        await busy(add, () => api.post(`${url}/members`, { user_id: picker.control.value }, { signal }), "Adding…");
        announce(`${chosen ? chosen.name : "The user"} was added.`);
        await loadMembers();
        const again = membersBody.querySelector("select");
        if (again) again.focus();
      } catch (error) {
        if (error.errors) applyFieldErrors(form, error);
        showProblem(error, { container: problems });
      }
    });
    return form;
  }

  async function removeMember(member, button) {
    if (!window.confirm(`Remove ${member.name} from ${project.code}?`)) return;
    try {
      await busy(button, () => api.del(`${url}/members/${member.user_id}`, { signal }), "Removing…");
      announce(`${member.name} was removed.`);
      await loadMembers();
      const heading = membersBody.closest("section").querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    } catch (error) {
      showProblem(error);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Change history

  const historyBody = h("div", { class: "history" });
  if (can("audit.read")) sections.append(card("Change history", historyBody));
  let historyItems = [];

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

  function drawHistory(total) {
    if (!historyItems.length) {
      historyBody.replaceChildren(emptyState("No recorded changes yet."));
      return;
    }
    const list = h("ol", { class: "timeline" }, historyItems.map((version, index) => {
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
    }));
    historyBody.replaceChildren(list);
    if (historyItems.length < total) {
      historyBody.append(h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Show older versions",
        onClick: (event) => loadHistory(false, event.currentTarget) }));
    }
  }

  async function loadHistory(reset, button) {
    if (!can("audit.read")) return;
    if (reset) {
      historyItems = [];
      historyBody.replaceChildren(loading("Loading history…"));
    }
    try {
      const page = await api.get(`/api/v1/audit/Project/${id}/history`, {
        query: { limit: HISTORY_PAGE, offset: historyItems.length }, signal,
      });
      historyItems = historyItems.concat(page.items);
      drawHistory(page.total);
      if (button) {
        const items = historyBody.querySelectorAll(".timeline-item");
        const firstNew = items[historyItems.length - page.items.length];
        if (firstNew) {
          firstNew.setAttribute("tabindex", "-1");
          firstNew.focus();
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 404) {
        drawHistory(0);
        return;
      }
      historyBody.replaceChildren(h("p", { class: "error-text", text: "The history could not be loaded." }));
      showProblem(error);
    }
  }

  drawTop();
  await Promise.all([loadMembers(), loadHistory(true)]);
}
