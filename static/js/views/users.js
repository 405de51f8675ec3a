// The tenant's users (admin): list with filters, create, edit (If-Match), soft delete and restore.

import { ApiError, api, applyFieldErrors, clearFieldErrors, ifMatch, showMessage, showProblem } from "../api.js";
import { can, session } from "../app.js";
import {
  ROLES, SUPPORT_LEVELS, announce, busy, chip, emptyState, field, formatDateTime, h, label, loading, pageHeader,
  roleText, setTitle, tableWrap, wireFilters,
} from "../ui.js";

const LIMIT = 50;
const LEVEL_OPTIONS = SUPPORT_LEVELS.map((level) => [level, level]);

/** Show the support-level control only for the support role. */
function linkSupportLevel(roleControl, levelField) {
  const sync = () => {
    const isSupport = roleControl.value === "support";
    levelField.wrapper.hidden = !isSupport;
    levelField.control.disabled = !isSupport;
  };
  roleControl.addEventListener("change", sync);
  sync();
}

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
    offset: Math.max(0, Number.parseInt(query.get("offset") || "0", 10) || 0),
    includeDeleted: query.get("deleted") === "1",
  };

  const newButton = manager
    ? h("button", { type: "button", class: "btn btn-primary", text: "New user", "aria-expanded": "false",
      "aria-controls": "new-user-panel" })
    : null;
  const tenantName = session.user.tenant ? session.user.tenant.name : "your organisation";
  root.append(pageHeader({
    title: "Users",
    subtitle: `People who can sign in to ${tenantName}.`,
    actions: newButton ? [newButton] : [],
  }));

  const createPanel = h("section", { class: "card", id: "new-user-panel", hidden: true, "aria-labelledby": "new-user-title" });
  const editPanel = h("section", { class: "card", id: "edit-user-panel", hidden: true, "aria-labelledby": "edit-user-title" });
  root.append(createPanel, editPanel);

  // -------------------------------------------------------------------------------------------
  // Create

  function openCreate() {
    const fields = {
      email: field({ label: "E-mail", name: "email", type: "email", required: true, autocomplete: "off",
        attrs: { maxlength: "254", spellcheck: "false", autocapitalize: "none" } }),
      name: field({ label: "Name", name: "name", required: true, autocomplete: "off", attrs: { maxlength: "200" } }),
      role: field({ label: "Role", name: "role", type: "select", required: true, options: ROLES, value: "consultant" }),
      support_level: field({ label: "Support level", name: "support_level", type: "select", options: LEVEL_OPTIONS,
        value: "L1" }),
      password: field({ label: "Initial password", name: "password", type: "password", required: true,
        autocomplete: "new-password", hint: "10 to 200 characters. Share it securely; the user should change it." }),
    };
    linkSupportLevel(fields.role.control, fields.support_level);
    const problems = h("div", { class: "form-alerts" });
    const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Create user" });
    const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: () => closeCreate() });
    const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "new-user-title" },
      problems, h("div", { class: "form-grid" }, Object.values(fields).map((item) => item.wrapper)),
      h("div", { class: "form-actions" }, submit, cancel));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      problems.replaceChildren();
      const body = {
        email: fields.email.control.value.trim(),
        name: fields.name.control.value.trim(),
        role: fields.role.control.value,
        password: fields.password.control.value,
      };
      if (body.role === "support") body.support_level = fields.support_level.control.value;
      try {
        const user = await busy(submit, () => api.post("/api/v1/users", body, { signal }), "Creating…");
        closeCreate();
        showMessage(`${user.name} (${user.email}) can now sign in.`, { title: "User created" });
        await load();
      } catch (error) {
        if (error.errors) applyFieldErrors(form, error);
        showProblem(error, { container: problems });
      }
    });
    createPanel.replaceChildren(h("h2", { class: "card-title", id: "new-user-title", text: "New user" }), form);
    createPanel.hidden = false;
    newButton.setAttribute("aria-expanded", "true");
    fields.email.control.focus();
  }

  function closeCreate() {
    createPanel.hidden = true;
    createPanel.replaceChildren();
    newButton.setAttribute("aria-expanded", "false");
    newButton.focus();
  }

  if (newButton) newButton.addEventListener("click", () => (createPanel.hidden ? openCreate() : closeCreate()));

  // -------------------------------------------------------------------------------------------
  // Edit

  let editReturnFocus = null;

  function closeEdit() {
    editPanel.hidden = true;
    editPanel.replaceChildren();
    if (editReturnFocus && editReturnFocus.isConnected) editReturnFocus.focus();
  }

  function openEdit(user, opener) {
    if (opener) editReturnFocus = opener;
    const self = user.id === session.user.id;
    const selfHint = self ? "You cannot change your own role or deactivate yourself." : undefined;
    const fields = {
      name: field({ label: "Name", name: "name", required: true, value: user.name, attrs: { maxlength: "200" } }),
      role: field({ label: "Role", name: "role", type: "select", options: ROLES, value: user.role, hint: selfHint,
        attrs: { disabled: self } }),
      support_level: field({ label: "Support level", name: "support_level", type: "select", options: LEVEL_OPTIONS,
        value: user.support_level || "L1" }),
      active: field({ label: "Active (may sign in)", name: "active", type: "checkbox", value: user.active,
        attrs: { disabled: self } }),
    };
    linkSupportLevel(fields.role.control, fields.support_level);
    const problems = h("div", { class: "form-alerts" });
    const submit = h("button", { type: "submit", class: "btn btn-primary", text: "Save changes" });
    const cancel = h("button", { type: "button", class: "btn btn-secondary", text: "Cancel", onClick: closeEdit });
    const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "edit-user-title" },
      problems,
      h("p", { class: "form-note", text: user.email }),
      h("div", { class: "form-grid" }, fields.name.wrapper, fields.role.wrapper, fields.support_level.wrapper),
      fields.active.wrapper,
      h("div", { class: "form-actions" }, submit, cancel));

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      problems.replaceChildren();
      const changes = {};
      const name = fields.name.control.value.trim();
      if (name !== user.name) changes.name = name;
      if (!self) {
        const role = fields.role.control.value;
        if (role !== user.role) changes.role = role;
        if (fields.active.control.checked !== user.active) changes.active = fields.active.control.checked;
        const level = role === "support" ? fields.support_level.control.value : null;
        if (role === "support" && level !== user.support_level) changes.support_level = level;
      }
      if (!Object.keys(changes).length) {
        closeEdit();
        announce("Nothing changed.");
        return;
      }
      try {
        const saved = await busy(submit, () => api.patch(`/api/v1/users/${user.id}`, changes,
          { headers: ifMatch(user.version), signal }), "Saving…");
        closeEdit();
        showMessage(`${saved.name} was updated.`);
        await load();
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          const reload = h("button", { type: "button", class: "btn btn-primary btn-small", text: "Reload user" });
          reload.addEventListener("click", async () => {
            try {
              const fresh = await busy(reload, () => api.get(`/api/v1/users/${user.id}`, { signal }), "Reloading…");
              openEdit(fresh);
              load();
            } catch (reloadError) {
              showProblem(reloadError, { container: problems });
            }
          });
          problems.replaceChildren(h("div", { class: "alert alert-warning conflict", role: "alert" },
            h("div", { class: "alert-body" },
              h("p", { class: "alert-title", text: "Someone else changed this user" }),
              h("p", { class: "alert-detail",
                text: "Your changes were not saved. Reload to see the latest version, then make your changes again." }),
              h("div", { class: "alert-actions" }, reload))));
          reload.focus();
        } else {
          if (error.errors) applyFieldErrors(form, error);
          showProblem(error, { container: problems });
        }
      }
    });
    editPanel.replaceChildren(h("h2", { class: "card-title", id: "edit-user-title" }, "Edit ", user.name), form);
    editPanel.hidden = false;
    fields.name.control.focus();
  }

  // -------------------------------------------------------------------------------------------
  // List

  const search = field({ label: "Search", name: "q", type: "search", value: state.q,
    attrs: { placeholder: "Name or e-mail", spellcheck: "false" } });
  const roleFilter = field({ label: "Role", name: "role", type: "select", value: state.role,
    options: [["", "All roles"], ...ROLES] });
  const deleted = field({ label: "Show deleted", name: "deleted", type: "checkbox", value: state.includeDeleted });
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter users" },
    search.wrapper, roleFilter.wrapper, deleted.wrapper,
    h("button", { type: "submit", class: "btn btn-secondary", text: "Apply" }));
  const status = h("p", { class: "list-status", role: "status", "aria-live": "polite" });
  const results = h("div", { class: "results" });
  const pager = h("nav", { class: "pager", "aria-label": "Pagination" });
  root.append(h("section", { class: "card card-flush", "aria-label": "User list" },
    h("div", { class: "card-toolbar" }, filters), status, results, pager));

  function syncHash() {
    const params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    if (state.role) params.set("role", state.role);
    if (state.offset) params.set("offset", String(state.offset));
    if (state.includeDeleted) params.set("deleted", "1");
    const text = params.toString();
    history.replaceState(null, "", `#/users${text ? `?${text}` : ""}`);
  }

  async function act(button, work, busyText, message) {
    try {
      await busy(button, work, busyText);
      showMessage(message);
      await load();
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
    if (!self) {
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

  function drawTable({ items, total }) {
    const to = state.offset + items.length;
    status.textContent = total ? `Showing ${state.offset + 1}–${to} of ${total} user${total === 1 ? "" : "s"}` : "";
    if (!items.length) {
      results.replaceChildren(emptyState("No users match these filters."));
      pager.replaceChildren();
      return;
    }
    const table = h("table", { class: "table" },
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
        manager ? h("td", { class: "cell-actions" }, actionsFor(user)) : null))));
    results.replaceChildren(tableWrap(table, "Users table"));

    const pages = Math.max(1, Math.ceil(total / LIMIT));
    pager.replaceChildren(
      h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Previous", disabled: state.offset === 0,
        onClick: () => { state.offset = Math.max(0, state.offset - LIMIT); load(); } }),
      h("span", { class: "pager-text", text: `Page ${Math.floor(state.offset / LIMIT) + 1} of ${pages}` }),
      h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Next", disabled: to >= total,
        onClick: () => { state.offset += LIMIT; load(); } }));
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    syncHash();
    results.setAttribute("aria-busy", "true");
    if (!results.firstChild) results.append(loading("Loading users…"));
    try {
      const page = await api.get("/api/v1/users", {
        query: { limit: LIMIT, offset: state.offset, q: state.q, role: state.role,
          include_deleted: state.includeDeleted ? "true" : "" },
        signal,
      });
      if (mine !== seq) return;
      drawTable(page);
    } catch (error) {
      if (mine !== seq || signal.aborted) return;
      results.replaceChildren();
      showProblem(error);
    } finally {
      if (mine === seq) results.removeAttribute("aria-busy");
    }
  }

  function applyFilters() {
    state.q = search.control.value.trim();
    state.role = roleFilter.control.value;
    state.includeDeleted = deleted.control.checked;
    state.offset = 0;
    load();
  }
  wireFilters(filters, {
    search: search.control,
    instant: [roleFilter.control, deleted.control],
    apply: applyFilters,
    signal,
  });

  await load();
}
