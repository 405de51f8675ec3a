// A project's members: the table, and for those who manage members an "Add member" picker of the active users
// not in it yet and a Remove button per row.

import { api } from "../api.js";
import { showProblem } from "../alerts.js";
import { can } from "../app.js";
import { busy, field, submitForm } from "../forms.js";
import { ROLES, announce, chip, emptyState, formatDate, h, label, loading, tableWrap } from "../ui.js";

function membersTable(members, removeButton) {
  return tableWrap(h("table", { class: "table" },
    h("caption", { class: "visually-hidden", text: "Project members" }),
    h("thead", {}, h("tr", {}, ["Name", "E-mail", "Role", "Added"].map((text) => h("th", { scope: "col", text })),
      removeButton ? h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Actions" })) : null)),
    h("tbody", {}, members.map((member) => h("tr", {},
      h("td", { text: member.name }),
      h("td", { class: "cell-nowrap", text: member.email }),
      h("td", {}, chip(label(ROLES, member.role), "neutral")),
      h("td", { class: "cell-nowrap", text: formatDate(member.added_at) }),
      removeButton ? h("td", { class: "cell-actions" }, removeButton(member)) : null)))), "Project members");
}

/**
 * Fill `body` (inside the Members card) with the members of the project at `url`; `getProject()` answers the
 * project as the page has it now (a deleted project takes no new members). Returns {load}.
 */
export function mountProjectMembers(body, { url, getProject, signal }) {
  const mayManage = can("projects.members.manage") && can("users.read");

  async function load() {
    body.replaceChildren(loading("Loading members…"));
    let members;
    try {
      members = (await api.get(`${url}/members`, { signal })).items;
    } catch (error) {
      if (signal.aborted) return;
      body.replaceChildren(h("p", { class: "error-text", text: "The members could not be loaded." }));
      showProblem(error);
      return;
    }
    const removeButton = mayManage ? (member) => h("button", {
      type: "button", class: "btn btn-ghost btn-small", text: "Remove", "aria-label": `Remove ${member.name}`,
      onClick: (event) => remove(member, event.currentTarget),
    }) : null;
    body.replaceChildren(members.length ? membersTable(members, removeButton) : emptyState("No members yet."));
    if (mayManage && !getProject().deleted_at) body.append(await addMemberForm(members));
  }

  async function addMemberForm(members) {
    const memberIds = new Set(members.map((member) => member.user_id));
    let users = [];
    try {
      users = (await api.get("/api/v1/users", { query: { limit: 200, kind: "person" }, signal })).items
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
    return submitForm(form, {
      button: add, busyText: "Adding…", problems,
      validate: () => (picker.control.value ? null : { user_id: ["Choose a user to add."] }),
      send: () => api.post(`${url}/members`, { user_id: picker.control.value }, { signal }),
      onSuccess: async () => {
        const chosen = users.find((user) => user.id === picker.control.value);
        announce(`${chosen ? chosen.name : "The user"} was added.`);
        await load();
        const again = body.querySelector("select");
        if (again) again.focus();
      },
    });
  }

  async function remove(member, button) {
    if (!window.confirm(`Remove ${member.name} from ${getProject().code}?`)) return;
    try {
      await busy(button, () => api.del(`${url}/members/${member.user_id}`, { signal }), "Removing…");
      announce(`${member.name} was removed.`);
      await load();
      // The row and its button are gone: the card's heading keeps the keyboard user in place.
      const heading = body.closest("section").querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    } catch (error) {
      showProblem(error);
    }
  }

  return { load };
}
