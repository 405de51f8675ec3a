// The attachments panel and (where the work item has one) the discussion panel of a detail page, built together
// so each page mounts them in two lines: place `nodes`, then `load()`.

import { can } from "../app.js";
import { h } from "../ui.js";
import { mountAttachmentsPanel } from "./attachments-panel.js";
import { mountDiscussionPanel } from "./discussion-panel.js";

/**
 * workItemPanels({url, project, upload: permission to add files, manage: permission to delete anyone's,
 * discussion: true for a thread, title of the files panel, signal}) -> {nodes, load(), hide(hidden), attachments}
 */
export function workItemPanels({ url, project, upload, manage, discussion = false, title = "Attachments", signal }) {
  const filesCard = h("section", { class: "card" });
  const threadCard = discussion ? h("section", { class: "card" }) : null;
  const attachments = mountAttachmentsPanel(filesCard, { url, title, canUpload: can(upload), canManage: can(manage), signal });
  const thread = threadCard ? mountDiscussionPanel(threadCard, { url, project, signal }) : null;
  const nodes = [filesCard, threadCard].filter(Boolean);
  return {
    nodes,
    attachments,
    load: () => Promise.all([attachments.refresh(), thread ? thread.refresh() : null]),
    hide: (hidden) => nodes.forEach((node) => { node.hidden = hidden; }),
  };
}
