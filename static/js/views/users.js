// The tenant's users (admin): list with filters, create and edit (user-forms.js), soft delete and restore.

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can, session } from "../app.js";
import { busy, field, wireFilters } from "../forms.js";
import { offsetFrom, pagedList, replaceAddress } from "../paged-list.js";
import {
  ROLES, announce, chip, emptyState, formatDateTime, h, pageHeader, roleText, setTitle, tableWrap,
} from "../ui.js";
import { fillCreateUser, fillEditUser } from "./user-forms.js";
import { mountInvitations } from "./user-invitations.js";

const LIMIT = 50;

function statusChip(user) {
  if (user.deleted_at) return chip("Deleted", "danger");
  return user.active ? chip("Active", "success") : chip("Inactive", "neutral");
}

export async function render(root, { query, signal }) {
  setTitle("Users");
  const manager = can("users.manage");
  const state = {
    q: query.get("q") || "",
    role: query.get("role") || "",
    includeDeleted: query.get("deleted") === "1",
  };

  const newButton = manager
    ? h("button", { type: "button", class: "btn btn-primary", text: "New user", "aria-expanded": "false",
      "aria-controls": "new-user-panel" })
    : null;
  const tenantName = session.user.tenant ? session.user.tenant.name : "your organisation";
  const header = pageHeader({
    title: "Users",
    subtitle: `People who can sign in to ${tenantName}.`,
    actions: newButton ? [newButton] : [],
  });
  root.append(header);
  const invitations = can("invitations.manage") ? mountInvitations({ signal }) : null;
  if (invitations) {
    root.append(invitations.panel);
    const actions = header.querySelector(".page-actions");
    if (actions) actions.prepend(invitations.button);
    else header.querySelector(".page-header-row").append(h("div", { class: "page-actions" }, invitations.button));
  }

  const createPanel = h("section", { class: "card", id: "new-user-panel", hidden: true, "aria-labelledby": "new-user-title" });
  const editPanel = h("section", { class: "card", id: "edit-user-panel", hidden: true, "aria-labelledby": "edit-user-title" });
  root.append(createPanel, editPanel);

  // Create and edit (user-forms.js) -----------------------------------------------------------

  function closeCreate() {
    createPanel.hidden = true;
    createPanel.replaceChildren();
    newButton.setAttribute("aria-expanded", "false");
    newButton.focus();
  }

  function openCreate() {
    fillCreateUser(createPanel, {
      signal,
      onCreated: async (user) => {
        closeCreate();
        showMessage(`${user.name} (${user.email}) can now sign in.`, { title: "User created" });
        await list.load();
      },
      onCancel: closeCreate,
    });
    newButton.setAttribute("aria-expanded", "true");
  }

  if (newButton) newButton.addEventListener("click", () => (createPanel.hidden ? openCreate() : closeCreate()));

  let editReturnFocus = null;

  function closeEdit() {
    editPanel.hidden = true;
    editPanel.replaceChildren();
    if (editReturnFocus && editReturnFocus.isConnected) editReturnFocus.focus();
  }

  function openEdit(user, opener) {
    editReturnFocus = opener;
    fillEditUser(editPanel, user, {
      signal,
      onSaved: async (saved) => {
        closeEdit();
        showMessage(`${saved.name} was updated.`);
        await list.load();
      },
      onUnchanged: () => {
        closeEdit();
        announce("Nothing changed.");
      },
      onCancel: closeEdit,
      onReloaded: () => list.load(),
    });
  }

  // List --------------------------------------------------------------------------------------

  const search = field({ label: "Search", name: "q", type: "search", value: state.q,
    attrs: { placeholder: "Name or e-mail", spellcheck: "false" } });
  const roleFilter = field({ label: "Role", name: "role", type: "select", value: state.role,
    options: [["", "All roles"], ...ROLES] });
  const deleted = field({ label: "Show deleted", name: "deleted", type: "checkbox", value: state.includeDeleted });
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter users" },
    search.wrapper, roleFilter.wrapper, deleted.wrapper,
    h("button", { type: "submit", class: "btn btn-secondary", text: "Apply" }));
  const list = pagedList({
    noun: "user", limit: LIMIT, signal, loadingText: "Loading users…",
    offset: offsetFrom(query),
    fetchPage: (offset) => api.get("/api/v1/users", {
      // API tokens' service users are listed (and revoked) under Administration › API and events.
      query: { limit: LIMIT, offset, kind: "person", q: state.q, role: state.role, include_deleted: state.includeDeleted ? "true" : "" },
      signal,
    }),
    table: usersTable,
    empty: () => emptyState("No users match these filters."),
    onLoad: syncHash,
  });
  root.append(h("section", { class: "card card-flush", "aria-label": "User list" },
    h("div", { class: "card-toolbar" }, filters), ...list.nodes));
  if (invitations) root.append(invitations.section);

  function syncHash(offset) {
    replaceAddress("users", { q: state.q, role: state.role, offset, deleted: state.includeDeleted ? "1" : "" });
  }

  async function act(button, work, busyText, message) {
    try {
      await busy(button, work, busyText);
      showMessage(message);
      await list.load();
    } catch (error) {
      showProblem(error);
    }
  }

  function actionsFor(user) {
    if (!manager) return null;
    const self = user.id === session.user.id;
    if (user.deleted_at) {
      return [h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Restore",
        "aria-label": `Restore ${user.name}`,
        onClick: (event) => act(event.currentTarget, () => api.post(`/api/v1/users/${user.id}/restore`, undefined, { signal }),
          "Restoring…", `${user.name} was restored.`) })];
    }
    const buttons = [h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Edit",
      "aria-label": `Edit ${user.name}`, onClick: (event) => openEdit(user, event.currentTarget) })];
    if (user.mfa_enabled) {
      buttons.push(h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Reset 2FA",
        "aria-label": `Reset two-factor sign-in of ${user.name}`,
        onClick: (event) => {
          if (!window.confirm(`Reset two-factor sign-in of ${user.name}? They will sign in with their password and set it up again. Their sessions end.`)) return;
          act(event.currentTarget, () => api.post(`/api/v1/users/${user.id}/mfa/reset`, undefined, { signal }), "Resetting…",
            `Two-factor sign-in of ${user.name} was reset.`);
        } }));
    }
    if (!self) {
      buttons.push(h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Sign out",
        "aria-label": `Sign ${user.name} out everywhere`,
        onClick: (event) => act(event.currentTarget, () => api.post(`/api/v1/users/${user.id}/sessions/end`, undefined, { signal }),
          "Signing out…", `${user.name} was signed out everywhere.`) }));
      buttons.push(h("button", { type: "button", class: "btn btn-ghost btn-small btn-danger-text", text: "Delete",
        "aria-label": `Delete ${user.name}`,
        onClick: (event) => {
          if (!window.confirm(`Delete ${user.name}? They will no longer be able to sign in. You can restore them later.`)) return;
          act(event.currentTarget, () => api.del(`/api/v1/users/${user.id}`, { signal }), "Deleting…",
            `${user.name} was deleted.`);
        } }));
    }
    return buttons;
  }

  function usersTable(items) {
    return tableWrap(h("table", { class: "table" },
      h("caption", { class: "visually-hidden", text: "Users" }),
      h("thead", {}, h("tr", {},
        ["Name", "E-mail", "Role", "Status", "Last sign-in"].map((text) => h("th", { scope: "col", text })),
        manager ? h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })) : null)),
      h("tbody", {}, items.map((user) => h("tr", { class: user.deleted_at ? "row-deleted" : null },
        h("td", { class: "cell-strong" }, user.name,
          user.id === session.user.id ? h("span", { class: "muted", text: " (you)" }) : null),
        h("td", { class: "cell-nowrap", text: user.email }),
        h("td", { class: "cell-nowrap", text: roleText(user) }),
        h("td", {}, statusChip(user)),
        h("td", { class: "cell-nowrap", text: user.last_login_at ? formatDateTime(user.last_login_at) : "Never" }),
        manager ? h("td", { class: "cell-actions" }, actionsFor(user)) : null)))), "Users table");
  }

  wireFilters(filters, {
    search: search.control,
    instant: [roleFilter.control, deleted.control],
    apply: () => {
      state.q = search.control.value.trim();
      state.role = roleFilter.control.value;
      state.includeDeleted = deleted.control.checked;
      list.go(0);
    },
    signal,
  });

  await Promise.all([list.load(), invitations ? invitations.load() : null]);
}
