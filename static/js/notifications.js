// The notification bell in the top bar: the signed-in user's unread count (SLA breaches on incidents they
// work or manage, @mentions in discussions, webhook endpoints disabled), a panel with the latest ones that open their page, mark one or all read. Polls once a
// minute while the tab is visible; stops when the user signs out.

import { showProblem } from "./alerts.js";
import { api } from "./api.js";
import { formatDateTime, h, svg } from "./ui.js";

const POLL_MS = 60000;
const SHOWN = 10;

let state = null;

// Where a notification leads: an SLA breach to its incident, a mention to the work item whose thread named you,
// a webhook endpoint disabled after failing for a day to Administration › API and events.
const MENTION_PAGES = {
  requirement: (p, id) => `#/explore?project=${p}&req=${id}`,
  backlog_item: (p, id) => `#/explore?project=${p}&tab=backlog&item=${id}`,
  defect: (p, id) => `#/testing?project=${p}&tab=defects&defect=${id}`,
  change_request: (p, id) => `#/hypercare?project=${p}&cr=${id}`,
};

function linkOf(item) {
  if (item.kind === "webhook_disabled") return "#/admin?tab=api"; // a webhook endpoint switched off: its admin page
  const page = item.kind === "mention" && item.payload ? MENTION_PAGES[item.payload.object_type] : null;
  return page ? page(item.project_id, item.payload.object_id) : `#/hypercare?project=${item.project_id}&incident=${item.subject_id}`;
}

function bellIcon() {
  const icon = svg("svg", { viewBox: "0 0 24 24", class: "bell-icon", "aria-hidden": "true" });
  icon.append(svg("path", { d: "M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0" }));
  return icon;
}

/** Start (or stop, with `user` null) the bell in `container`. `navigate(hash)` opens a linked page. */
export function mountNotifications(container, user, navigate) {
  if (state) {
    window.clearInterval(state.timer);
    document.removeEventListener("click", state.outside);
    state = null;
  }
  container.replaceChildren();
  if (!user || !(user.permissions || []).includes("notifications.read")) return;

  const count = h("span", { class: "bell-count", hidden: true });
  const button = h("button", { type: "button", class: "btn btn-ghost btn-small bell", "aria-expanded": "false",
    "aria-controls": "notification-panel", "aria-label": "Notifications" }, bellIcon(), h("span", { class: "bell-text", text: "Notifications" }), count);
  const panel = h("section", { class: "notification-panel", id: "notification-panel", hidden: true, "aria-label": "Notifications" });
  container.append(button, panel);
  state = { timer: null, outside: null };

  async function load() {
    const page = await api.get("/api/v1/notifications", { query: { limit: SHOWN } });
    count.hidden = !page.unread;
    count.textContent = String(page.unread);
    button.setAttribute("aria-label", page.unread ? `Notifications, ${page.unread} unread` : "Notifications, none unread");
    if (!panel.hidden) paint(page);
    return page;
  }

  function paint(page) {
    const open = (item) => async () => {
      try {
        if (!item.read_at) await api.post(`/api/v1/notifications/${item.id}/read`);
      } catch (error) {
        showProblem(error);
      }
      close();
      await load().catch(() => {});
      if (item.project_id) navigate(linkOf(item));
    };
    const markAll = h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Mark all read", disabled: !page.unread,
      onClick: async () => {
        await api.post("/api/v1/notifications/read-all").catch(showProblem);
        await load().catch(() => {}); // repaints the open panel
      } });
    panel.replaceChildren(
      h("div", { class: "notification-head" }, h("h2", { class: "card-title", text: "Notifications" }), markAll),
      page.items.length
        ? h("ul", { class: "notification-list" }, page.items.map((item) => h("li", { class: item.read_at ? "is-read" : "is-unread" },
          h("button", { type: "button", class: "notification-item", onClick: open(item) },
            h("span", { class: "notification-title", text: item.title }),
            h("span", { class: "notification-time", text: `${formatDateTime(item.created_at)}${item.read_at ? "" : " · unread"}` })))))
        : h("p", { class: "muted", text: "Nothing new. SLA breaches on incidents you work or manage show up here." }));
  }

  function close() {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
  }

  button.addEventListener("click", async () => {
    if (!panel.hidden) {
      close();
      return;
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    panel.replaceChildren(h("p", { class: "muted", text: "Loading…" }));
    try {
      await load(); // paints the panel, now open
    } catch (error) {
      close();
      showProblem(error);
    }
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      button.focus();
    }
  });
  state.outside = (event) => { if (!container.contains(event.target)) close(); };
  document.addEventListener("click", state.outside);
  state.timer = window.setInterval(() => { if (!document.hidden) load().catch(() => {}); }, POLL_MS);
  load().catch(() => {});
}
