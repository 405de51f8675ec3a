// One project (#/projects/<id>): its header and details, and the actions on it — edit (project-edit.js), export
// (project-export.js), soft delete and restore — above its members (project-members.js) and change history
// (project-history.js). This page holds the project as last loaded and redraws the parts that show it.

import { ApiError, api, ifMatch } from "../api.js";
import { showMessage, showNotice, showProblem } from "../alerts.js";
import { can } from "../app.js";
import { busy } from "../forms.js";
import {
  PHASES, announce, card, chip, formatDate, formatDateTime, h, label, loading, pageHeader, phaseChip, setTitle,
} from "../ui.js";
import { openProjectEditor } from "./project-edit.js";
import { mountProjectExport } from "./project-export.js";
import { mountProjectHistory } from "./project-history.js";
import { mountProjectMembers } from "./project-members.js";

function notFound(root) {
  setTitle("Project not found");
  root.append(pageHeader({ title: "Project not found", breadcrumbs: [["Projects", "#/projects"], ["Not found"]] }),
    h("section", { class: "card" },
      h("p", { text: "This project does not exist, was deleted, or you are not a member of it." }),
      h("p", {}, h("a", { href: "#/projects", text: "Back to projects" }))));
}

function detailsCard(project) {
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
  return h("section", { class: "card", "aria-labelledby": "details-title" },
    h("h2", { class: "card-title", id: "details-title", text: "Details" }),
    h("dl", { class: "facts" }, facts.map(([term, value]) => h("div", { class: "fact" },
      h("dt", { text: term }), h("dd", { text: value })))),
    project.description
      ? h("div", { class: "description" }, h("h3", { class: "subheading", text: "Description" }),
        h("p", { class: "prose", text: project.description }))
      : null);
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
      notFound(root);
      return;
    }
    throw error;
  }
  placeholder.remove();

  const top = h("div", { class: "project-top" });
  const notices = h("div", { class: "page-notices" });
  const editCard = h("section", { class: "card", id: "edit-project-panel", hidden: true, "aria-labelledby": "edit-project-title" });
  const exportCard = h("section", { class: "card", hidden: true, "aria-labelledby": "export-title" });
  const membersBody = h("div", { class: "members" });
  const historyBody = h("div", { class: "history" });
  root.append(top, notices, editCard, exportCard, h("div", { class: "project-sections" },
    card("Members", membersBody), can("audit.read") ? card("Change history", historyBody) : null));

  const getProject = () => project;
  const exporter = mountProjectExport(exportCard, { url, getProject, signal });
  const members = mountProjectMembers(membersBody, { url, getProject, signal });
  const history = can("audit.read") ? mountProjectHistory(historyBody, { projectId: id, signal }) : null;
  const reloadHistory = () => (history ? history.load(true) : null);

  // Header and details ------------------------------------------------------------------------

  let editButton;
  function drawTop() {
    setTitle(`${project.code} · ${project.name}`);
    const live = !project.deleted_at;
    const actions = [];
    editButton = null;
    if (manager && live) {
      editButton = h("button", { type: "button", class: "btn btn-primary", text: "Edit",
        "aria-expanded": String(!editCard.hidden), "aria-controls": "edit-project-panel",
        onClick: () => (editCard.hidden ? openEdit() : closeEdit()) });
      actions.push(editButton);
    }
    if (can("projects.export") && live) {
      actions.push(h("button", { type: "button", class: "btn btn-secondary", text: "Export",
        onClick: (event) => exporter.start(event.currentTarget) }));
    }
    if (manager && live) {
      actions.push(h("button", { type: "button", class: "btn btn-danger-outline", text: "Delete",
        onClick: (event) => removeProject(event.currentTarget) }));
    }
    top.replaceChildren(
      pageHeader({
        title: project.name,
        subtitle: project.customer_name ? `${project.code} · ${project.customer_name}` : project.code,
        breadcrumbs: [["Projects", "#/projects"], [project.code]],
        chips: [phaseChip(project.phase), live ? null : chip("Deleted", "danger")].filter(Boolean),
        actions,
      }),
      detailsCard(project));
  }

  /** The project changed (saved, deleted, restored, reloaded): show it and its history again. */
  function changed(next) {
    project = next;
    drawTop();
    reloadHistory();
  }

  // Edit (optimistic concurrency) -------------------------------------------------------------

  function closeEdit(returnFocus = true) {
    editCard.hidden = true;
    editCard.replaceChildren();
    if (editButton) editButton.setAttribute("aria-expanded", "false");
    if (returnFocus && editButton && editButton.isConnected) editButton.focus();
  }

  function openEdit() {
    openProjectEditor(editCard, {
      project, url, signal,
      onSaved: (saved) => {
        closeEdit();
        changed(saved);
        showMessage("Changes saved.");
      },
      onUnchanged: () => {
        closeEdit();
        announce("Nothing changed.");
      },
      onCancel: () => closeEdit(),
      onConflict: showConflict,
    });
    if (editButton) editButton.setAttribute("aria-expanded", "true");
  }

  function showConflict(container) {
    showNotice(container, {
      title: "Someone else changed this project",
      detail: "Your changes were not saved because the project was changed after you opened it. "
        + "Reload to see the latest version, then make your changes again.",
      className: "conflict",
      action: { text: "Reload project", onClick: async (button) => {
        try {
          await busy(button, async () => changed(await api.get(url, { signal })), "Reloading…");
          container.replaceChildren();
          if (!editCard.hidden) openEdit();
          announce("Project reloaded.");
        } catch (error) {
          showProblem(error);
        }
      } },
    });
  }

  // Soft delete and restore -------------------------------------------------------------------

  function showDeletedNotice() {
    showNotice(notices, {
      title: "This project is deleted",
      detail: "It no longer appears in the project list. You can restore it.",
      action: { text: "Restore project", className: "btn btn-secondary btn-small", onClick: async (button) => {
        try {
          const restored = await busy(button, () => api.post(`${url}/restore`, undefined, { signal }), "Restoring…");
          notices.replaceChildren();
          changed(restored);
          showMessage(`Project ${project.code} was restored.`);
        } catch (error) {
          showProblem(error);
        }
      } },
    });
  }

  async function removeProject(button) {
    if (!window.confirm(`Delete project ${project.code}? It can be restored afterwards.`)) return;
    try {
      await busy(button, () => api.del(url, { headers: ifMatch(project.version), signal }), "Deleting…");
      closeEdit(false);
      changed({ ...project, deleted_at: new Date().toISOString() });
      showDeletedNotice();
      announce(`Project ${project.code} was deleted.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) showConflict(notices);
      else showProblem(error);
    }
  }

  drawTop();
  await Promise.all([members.load(), reloadHistory()]);
}
