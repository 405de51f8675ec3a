// The discussion thread of a requirement, backlog item, defect or change request: comments oldest first (internal
// notes marked; customers never receive them), who each one notified, and a comment box with an "internal note"
// choice for staff and a helper that writes a project member's @handle at the cursor.

import { api } from "../api.js";
import { can, session } from "../app.js";
import { field, submitForm } from "../forms.js";
import { announce, chip, emptyState, formatDateTime, h, uniqueId } from "../ui.js";
import { plainText } from "./delivery.js";

/** Mount the thread in `section` (a .card); `url` is the work item's API URL. Returns {refresh}. */
export function mountDiscussionPanel(section, { url, project, title = "Discussion", signal }) {
  const headingId = uniqueId("discussion");
  const list = h("div", { class: "discussion-items" });
  const canWrite = can("discussions.write");
  const staff = session.user && session.user.role !== "customer";
  section.classList.add("discussion-panel");
  section.setAttribute("aria-labelledby", headingId);
  section.replaceChildren(...[h("h2", { class: "card-title", id: headingId, text: title }), list,
    canWrite ? commentForm() : null].filter(Boolean)); // (DOM would print a null)

  async function refresh() {
    const page = await api.get(`${url}/comments`, { query: { limit: 200 }, signal });
    list.replaceChildren(page.items.length
      ? h("ol", { class: "timeline discussion-list" }, page.items.map((comment) => h("li", { class: "timeline-item" },
        h("div", { class: "timeline-head" },
          h("span", { class: "timeline-version", text: comment.author ? comment.author.name : "—" }),
          comment.is_internal ? chip("Internal", "warning") : null,
          h("span", { class: "timeline-meta", text: formatDateTime(comment.created_at) })),
        h("p", { class: "timeline-text", text: plainText(comment.content) }),
        comment.mentions.length ? h("p", { class: "muted discussion-mentions",
          text: `Notified: ${comment.mentions.map((m) => m.name).join(", ")}` }) : null)))
      : emptyState("No comments yet."));
  }

  function commentForm() {
    const content = field({ label: "Comment", name: "content", type: "textarea", required: true,
      attrs: { maxlength: "20000" }, hint: "Mention a project member with @ and their handle; they get a notification." });
    const internal = staff ? field({ label: "Internal note (the customer does not see it)", name: "is_internal", type: "checkbox" }) : null;
    const people = field({ label: "Mention", name: "mention", type: "select", value: "", options: [["", "Pick a project member…"]] });
    const insert = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Insert mention",
      onClick: () => insertMention(content.control, people.control.value) });
    api.get(`/api/v1/projects/${project.id}/mentionable`, { signal }).then((page) => {
      people.control.append(...page.items.map((member) => h("option", { value: member.handle, text: `${member.name} (@${member.handle})` })));
    }).catch(() => {});
    const post = h("button", { type: "submit", class: "btn btn-primary", text: "Add comment" });
    const problems = h("div", { class: "form-alerts" });
    const form = h("form", { class: "form", novalidate: true, "aria-label": `Write in the ${title.toLowerCase()}` }, problems,
      content.wrapper, h("div", { class: "inline-form mention-helper" }, people.wrapper, insert),
      internal ? internal.wrapper : null, h("div", { class: "form-actions" }, post));
    submitForm(form, {
      button: post, busyText: "Posting…", problems,
      validate: () => (content.control.value.trim() ? null : { content: ["Write something."] }),
      send: () => api.post(`${url}/comments`, { content: content.control.value, is_internal: internal ? internal.control.checked : false }),
      onSuccess: async (comment) => {
        form.reset();
        await refresh();
        announce(comment.mentions.length ? `Comment added; notified ${comment.mentions.map((m) => m.name).join(", ")}.` : "Comment added.");
      },
    });
    return form;
  }

  return { refresh };
}

/** Write "@handle " at the textarea's cursor and put the focus back there. */
function insertMention(textarea, handle) {
  if (!handle) return;
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  const before = textarea.value.slice(0, start);
  const text = `${before && !/\s$/.test(before) ? " " : ""}@${handle} `;
  textarea.value = before + text + textarea.value.slice(end);
  textarea.focus();
  textarea.selectionStart = textarea.selectionEnd = start + text.length;
}
