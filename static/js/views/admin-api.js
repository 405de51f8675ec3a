// Administration › API and events: the organisation's API tokens (issue 15.4). An admin creates one (name, role,
// optional projects and expiry) and sees its secret once, with a copy button; the list shows each token's
// prefix, scope and use, and revokes with a confirmation. A revoked token stops working at the next request and
// stays listed, marked revoked, until an admin deletes it (then only `include_deleted` lists it).
// Below them, the events half: webhook endpoints and their delivery log (admin-events.js, issue 15.6/15.7).

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { busy, field, submitForm } from "../forms.js";
import { renderEvents } from "./admin-events.js";
import { ROLES, card, chip, emptyState, formatDate, formatDateTime, h, label, tableWrap } from "../ui.js";

const TOKEN_ROLES = ROLES.filter(([role]) => role !== "customer");
const STATUS_TONES = { active: "success", expired: "warning", revoked: "danger" };

export async function render(container, { signal }) {
  const projects = (await api.get("/api/v1/projects", { query: { limit: 200 }, signal })).items;
  const projectName = Object.fromEntries(projects.map((p) => [p.id, `${p.code} ${p.name}`]));
  const secretBox = h("div", { class: "token-secret", "aria-live": "polite" });
  const listBox = h("div", {});

  const name = field({ label: "Name", name: "name", required: true, hint: "What uses it, e.g. \"Jira sync\".",
    attrs: { maxlength: "100" } });
  const role = field({ label: "Role", name: "role", type: "select", value: "viewer", options: TOKEN_ROLES,
    hint: "The token may do what this role may do, and nothing else." });
  const scope = field({ label: "Projects", name: "project_ids", type: "select", options: projects.map((p) => [p.id, projectName[p.id]]),
    hint: "Select none for every project; select some to limit the token to them.", attrs: { multiple: true, size: String(Math.min(6, Math.max(2, projects.length))) } });
  const expires = field({ label: "Expires on", name: "expires_at", type: "date", hint: "Empty: until revoked. It stops working at the end of that day (UTC)." });
  const limit = field({ label: "Requests per minute", name: "rate_limit_per_minute", type: "number",
    hint: "Its own limit, within your plan's. Empty: only the plan's limit.", attrs: { min: "1", max: "100000" } });
  const problems = h("div", { class: "form-alerts" });
  const create = h("button", { type: "submit", class: "btn btn-primary", text: "Create token" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New API token" }, problems,
    h("div", { class: "form-grid" }, name.wrapper, role.wrapper, expires.wrapper, limit.wrapper), scope.wrapper,
    h("div", { class: "form-actions" }, create));

  submitForm(form, {
    button: create, busyText: "Creating…", problems,
    validate: () => (name.control.value.trim() ? null : { name: ["Give the token a name."] }),
    send: () => api.post("/api/v1/api-tokens", {
      name: name.control.value.trim(),
      role: role.control.value,
      project_ids: [...scope.control.selectedOptions].map((option) => option.value),
      expires_at: expires.control.value ? `${expires.control.value}T23:59:59Z` : null,
      rate_limit_per_minute: limit.control.value ? Number(limit.control.value) : null,
    }, { signal }),
    onSuccess: async (created) => {
      form.reset();
      showSecret(secretBox, created);
      await load();
    },
  });

  async function act(button, { question, work, busyText, done }) {
    if (!window.confirm(question)) return;
    try {
      await busy(button, work, busyText);
      showMessage(done);
      await load();
    } catch (error) {
      showProblem(error);
    }
  }

  function actionFor(token) {
    const revoked = token.status === "revoked";
    const button = h("button", { type: "button", class: "btn btn-secondary btn-small", text: revoked ? "Delete" : "Revoke",
      "aria-label": `${revoked ? "Delete" : "Revoke"} ${token.name}` });
    button.addEventListener("click", () => act(button, revoked ? {
      question: `Delete the revoked token "${token.name}"? It leaves this list; the audit trail keeps what it did.`,
      work: () => api.del(`/api/v1/api-tokens/${token.id}`, { signal }), busyText: "Deleting…",
      done: `The token "${token.name}" was deleted.`,
    } : {
      question: `Revoke the token "${token.name}"? Whatever uses it stops working at once. This cannot be undone.`,
      work: () => api.post(`/api/v1/api-tokens/${token.id}/revoke`, undefined, { signal }), busyText: "Revoking…",
      done: `The token "${token.name}" was revoked.`,
    }));
    return button;
  }

  async function load() {
    const page = await api.get("/api/v1/api-tokens", { query: { limit: 200 }, signal });
    listBox.replaceChildren(page.items.length ? tableWrap(h("table", { class: "table" },
      h("caption", { class: "visually-hidden", text: "API tokens" }),
      h("thead", {}, h("tr", {}, ["Name", "Role", "Projects", "Token starts", "Created", "Expires", "Last used", "Status", ""]
        .map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, page.items.map((token) => {
        return h("tr", { "data-token": token.id },
          h("td", { text: token.name }),
          h("td", { text: label(ROLES, token.role) }),
          h("td", { text: token.project_ids.length ? token.project_ids.map((id) => projectName[id] || id).join(", ") : "All" }),
          h("td", {}, h("code", { text: `${token.prefix}_…` })),
          h("td", { class: "cell-nowrap", text: formatDate(token.created_at) }),
          h("td", { class: "cell-nowrap", text: token.expires_at ? formatDate(token.expires_at) : "Never" }),
          h("td", { class: "cell-nowrap", text: token.last_used_at ? formatDateTime(token.last_used_at) : "Never" }),
          h("td", {}, chip(token.status, STATUS_TONES[token.status] || "neutral")),
          h("td", {}, actionFor(token)));
      }))), "API tokens table") : emptyState("No API tokens yet."));
  }

  container.append(h("h2", { class: "admin-part-title", text: "API tokens" }), card("New API token", form), secretBox,
    h("section", { class: "card card-flush", "aria-label": "API tokens" }, listBox));
  await load();
  if (signal.aborted) return;
  const events = h("div", { class: "admin-part" }, h("h2", { class: "admin-part-title", text: "Events (webhooks)" }));
  container.append(events);
  await renderEvents(events, { signal });
}

function showSecret(box, created) {
  const input = h("input", { type: "text", readonly: true, value: created.token, class: "token-secret-value",
    "aria-label": `The token ${created.name}`, spellcheck: "false" });
  const copy = h("button", { type: "button", class: "btn btn-secondary", text: "Copy" });
  copy.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(created.token);
      copy.textContent = "Copied";
    } catch {
      document.execCommand("copy"); // without clipboard permission (plain http): the selected text
    }
  });
  const done = h("button", { type: "button", class: "btn btn-primary", text: "I have stored it" });
  done.addEventListener("click", () => box.replaceChildren());
  box.replaceChildren(card(`Token "${created.name}" created`,
    h("p", { class: "notice-warning", role: "alert",
      text: "Copy this token now and keep it somewhere safe. It is shown only this once; Meridian stores only a hash of it." }),
    h("div", { class: "token-secret-row" }, input, copy),
    h("p", { class: "field-hint", text: "Send it as: Authorization: Bearer <token>" }),
    h("div", { class: "form-actions" }, done)));
  input.focus();
  input.select();
}
