// The invitations part of the users page (admins and project managers): "Invite people" (e-mail, role,
// projects; the invitee chooses their own password from the e-mailed link) and the invitations list with
// Resend and Revoke (the invitation stays listed as revoked), and Delete for a revoked one (it leaves the list).

import { showMessage, showProblem } from "../alerts.js";
import { api, ifMatch } from "../api.js";
import { session } from "../app.js";
import { busy, field, submitForm } from "../forms.js";
import { pagedList } from "../paged-list.js";
import { ROLES, SUPPORT_LEVELS, chip, emptyState, formatDateTime, h, label, tableWrap } from "../ui.js";

const LIMIT = 20;
const TONES = { pending: "info", accepted: "success", revoked: "neutral", expired: "warning" };

/** -> {button, panel, section, load}: the page places the button in its header, the form panel near the top and
 * the list under its own. */
export function mountInvitations({ signal }) {
  const inviteButton = h("button", { type: "button", class: "btn btn-primary", text: "Invite people",
    "aria-expanded": "false", "aria-controls": "invite-panel" });
  const panel = h("section", { class: "card", id: "invite-panel", hidden: true, "aria-labelledby": "invite-title" });
  const statusFilter = field({ label: "Invitation status", name: "status", type: "select", value: "pending",
    options: [["pending", "Pending"], ["", "All"], ["accepted", "Accepted"], ["expired", "Expired"], ["revoked", "Revoked"]] });
  const list = pagedList({
    noun: "invitation", limit: LIMIT, signal, loadingText: "Loading invitations…",
    fetchPage: (offset) => api.get("/api/v1/invitations",
      { query: { limit: LIMIT, offset, status: statusFilter.control.value }, signal }),
    table: invitationsTable,
    empty: () => emptyState("No invitations here."),
  });
  statusFilter.control.addEventListener("change", () => list.go(0));

  function close() {
    panel.hidden = true;
    panel.replaceChildren();
    inviteButton.setAttribute("aria-expanded", "false");
    inviteButton.focus();
  }

  async function open() {
    inviteButton.setAttribute("aria-expanded", "true");
    const projects = await api.get("/api/v1/projects", { query: { limit: 200 }, signal });
    const roles = session.user.role === "admin" ? ROLES : ROLES.filter(([role]) => role !== "admin");
    const fields = {
      email: field({ label: "E-mail", name: "email", type: "email", required: true, autocomplete: "off",
        attrs: { maxlength: "254", spellcheck: "false", autocapitalize: "none" } }),
      name: field({ label: "Name (optional)", name: "name", autocomplete: "off", attrs: { maxlength: "200" } }),
      role: field({ label: "Role", name: "role", type: "select", required: true, options: roles, value: "consultant" }),
      support_level: field({ label: "Support level", name: "support_level", type: "select",
        options: SUPPORT_LEVELS.map((level) => [level, level]), value: "L1" }),
    };
    const syncLevel = () => {
      fields.support_level.wrapper.hidden = fields.role.control.value !== "support";
    };
    fields.role.control.addEventListener("change", syncLevel);
    syncLevel();
    const boxes = projects.items.map((project) => field({ label: `${project.code} ${project.name}`,
      name: "project", type: "checkbox", attrs: { value: project.id } }));
    const projectSet = h("fieldset", { class: "field", id: "project_ids" }, h("legend", { text: "Projects (optional)" }),
      boxes.length ? h("div", { class: "check-list" }, boxes.map((item) => item.wrapper)) : h("p", { class: "muted", text: "No projects yet." }));
    const problems = h("div", { class: "form-alerts" });
    const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Send invitation" });
    const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: close });
    const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "invite-title" }, problems,
      h("div", { class: "form-grid" }, Object.values(fields).map((item) => item.wrapper)), projectSet,
      h("p", { class: "form-note", text: "They get an e-mail with a link to choose their password. The link works once, for 7 days." }),
      h("div", { class: "form-actions" }, submit, cancel));
    submitForm(form, {
      button: submit, busyText: "Sending…", problems,
      validate: () => (fields.email.control.value.trim() ? {} : { email: ["Enter an e-mail address."] }),
      send: () => {
        const body = {
          email: fields.email.control.value.trim(),
          role: fields.role.control.value,
          project_ids: boxes.filter((item) => item.control.checked).map((item) => item.control.value),
        };
        if (fields.name.control.value.trim()) body.name = fields.name.control.value.trim();
        if (body.role === "support") body.support_level = fields.support_level.control.value;
        return api.post("/api/v1/invitations", body, { signal });
      },
      onSuccess: async (invitation) => {
        close();
        showMessage(`An invitation is on its way to ${invitation.email}.`, { title: "Invitation sent" });
        statusFilter.control.value = "pending";
        await list.go(0);
      },
    });
    panel.replaceChildren(h("h2", { class: "card-title", id: "invite-title", text: "Invite people" }), form);
    panel.hidden = false;
    fields.email.control.focus();
  }

  inviteButton.addEventListener("click", () => (panel.hidden ? open().catch(showProblem) : close()));

  async function act(button, work, busyText, message) {
    try {
      await busy(button, work, busyText);
      showMessage(message);
      await list.load();
    } catch (error) {
      showProblem(error);
    }
  }

  function invitationsTable(items) {
    return tableWrap(h("table", { class: "table" },
      h("caption", { class: "visually-hidden", text: "Invitations" }),
      h("thead", {}, h("tr", {}, ["E-mail", "Role", "Status", "Invited by", "Expires"].map((text) => h("th", { scope: "col", text })),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })))),
      h("tbody", {}, items.map((item) => h("tr", {},
        h("td", { class: "cell-strong", text: item.email }),
        h("td", { class: "cell-nowrap", text: label(ROLES, item.role) }),
        h("td", {}, chip(item.status, TONES[item.status] || "neutral")),
        h("td", { text: item.invited_by ? item.invited_by.name : "—" }),
        h("td", { class: "cell-nowrap", text: item.status === "pending" || item.status === "expired" ? formatDateTime(item.expires_at) : "—" }),
        h("td", { class: "cell-actions" }, ["pending", "expired"].includes(item.status) ? [
          h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Resend", "aria-label": `Resend the invitation to ${item.email}`,
            onClick: (event) => act(event.currentTarget, () => api.post(`/api/v1/invitations/${item.id}/resend`, undefined,
              { headers: ifMatch(item.version), signal }), "Sending…", `The invitation to ${item.email} was sent again.`) }),
          h("button", { type: "button", class: "btn btn-ghost btn-small btn-danger-text", text: "Revoke", "aria-label": `Revoke the invitation to ${item.email}`,
            onClick: (event) => {
              if (!window.confirm(`Revoke the invitation to ${item.email}? The link in their e-mail stops working.`)) return;
              act(event.currentTarget, () => api.post(`/api/v1/invitations/${item.id}/revoke`, undefined, { headers: ifMatch(item.version), signal }),
                "Revoking…", `The invitation to ${item.email} was revoked.`);
            } }),
        ] : item.status === "revoked" ? h("button", { type: "button", class: "btn btn-ghost btn-small btn-danger-text", text: "Delete",
          "aria-label": `Delete the invitation to ${item.email}`,
          onClick: (event) => {
            if (!window.confirm(`Delete the revoked invitation to ${item.email}? It leaves this list.`)) return;
            act(event.currentTarget, () => api.del(`/api/v1/invitations/${item.id}`, { headers: ifMatch(item.version), signal }),
              "Deleting…", `The invitation to ${item.email} was deleted.`);
          } }) : null))))), "Invitations table");
  }

  const section = h("section", { class: "card card-flush", "aria-labelledby": "invitations-title" },
    h("div", { class: "card-toolbar" },
      h("h2", { class: "card-title", id: "invitations-title", text: "Invitations" }), statusFilter.wrapper),
    ...list.nodes);
  return { button: inviteButton, panel, section, load: () => list.load() };
}
