// Administration › E-mail: what the platform sent for the organisation (invitations, password resets, notices)
// and whether it left. The bodies are never kept (they carry single-use links). On a laptop (`make run`) the
// messages themselves are in the local mail sink, linked here.

import { api } from "../api.js";
import { offsetFrom, pagedList } from "../paged-list.js";
import { chip, emptyState, formatDateTime, h, tableWrap } from "../ui.js";

const LIMIT = 50;
const TONES = { sent: "success", queued: "info", failed: "danger", skipped: "warning" };

export async function render(container, { query, signal }) {
  const note = h("div", {});
  const list = pagedList({
    noun: "e-mail", plural: "e-mails", limit: LIMIT, signal, loadingText: "Loading e-mail…", offset: offsetFrom(query),
    fetchPage: async (offset) => {
      const page = await api.get("/api/v1/admin/mail", { query: { limit: LIMIT, offset }, signal });
      note.replaceChildren(
        page.smtp_configured ? null : h("p", { class: "notice-warning", text: "No mail server is configured (SMTP_URL): e-mail is recorded but not sent." }),
        page.sink_url ? h("p", {}, "Development: the messages are in the local mail sink, ",
          h("a", { href: page.sink_url, target: "_blank", rel: "noopener", text: "open its inbox" }), ".") : null);
      return page;
    },
    table: (items) => tableWrap(h("table", { class: "table" },
      h("caption", { class: "visually-hidden", text: "Outgoing e-mail" }),
      h("thead", {}, h("tr", {}, ["Queued", "To", "Subject", "Status", "Sent"].map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, items.map((item) => h("tr", {},
        h("td", { class: "cell-nowrap", text: formatDateTime(item.created_at) }),
        h("td", { text: item.recipient }),
        h("td", { text: item.subject }),
        h("td", {}, chip(item.status, TONES[item.status] || "neutral"), item.error ? h("span", { class: "muted", text: ` ${item.error}` }) : null),
        h("td", { class: "cell-nowrap", text: item.sent_at ? formatDateTime(item.sent_at) : "—" }))))), "E-mail table"),
    empty: () => emptyState("No e-mail was sent yet."),
  });
  container.append(h("section", { class: "card card-flush", "aria-label": "Outgoing e-mail" },
    h("div", { class: "card-toolbar" }, note), ...list.nodes));
  await list.load();
}
