// The attachments of one work item (requirement, backlog item, defect, test case, execution, incident, change
// request): the files with their size and uploader, image thumbnails (our own PNGs) that open a larger preview,
// a download link per file, delete with Undo, and an upload control that also takes files dropped on the panel.
// The server decides each file's type from its bytes; its refusal (type, size, quota) is shown as it says it.

import { showMessage, showNotice, showProblem } from "../alerts.js";
import { api, ifMatch } from "../api.js";
import { session } from "../app.js";
import { busy } from "../forms.js";
import { announce, emptyState, formatDateTime, h, uniqueId } from "../ui.js";

let policyRequest = null;

/** The tenant's attachment policy (types and size limit), asked once per page load. */
export function attachmentPolicy() {
  if (!policyRequest) policyRequest = api.get("/api/v1/attachment-settings").catch(() => null);
  return policyRequest;
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "Images, PDF, …, up to 10 MB per file" from the policy. */
function policyHint(policy) {
  if (!policy) return "";
  const labels = policy.known_types.filter((t) => policy.allowed_types.includes(t.mime)).map((t) => t.label);
  return `Accepted: ${labels.join(", ")}. Up to ${formatBytes(policy.max_file_bytes)} per file.`;
}

/**
 * Mount the panel in `section` (a .card). `url` is the work item's API URL; `canUpload` whether the user may add
 * files, `canManage` whether they may delete anyone's. Returns {refresh, upload(files)}.
 */
export function mountAttachmentsPanel(section, { url, title = "Attachments", canUpload, canManage, signal }) {
  const headingId = uniqueId("attachments");
  const inputId = uniqueId("attachment-file");
  const hintId = `${inputId}-hint`;
  const heading = h("h2", { class: "card-title", id: headingId, tabindex: "-1", text: title });
  const list = h("div", { class: "attachment-items", "aria-live": "polite" });
  const problems = h("div", { class: "form-alerts" });
  const input = h("input", { type: "file", id: inputId, name: "file", multiple: true, "aria-describedby": hintId });
  const hint = h("p", { class: "field-hint", id: hintId, text: "" });
  const send = h("button", { type: "submit", class: "btn btn-secondary btn-small", text: "Upload" });
  const form = canUpload ? h("form", { class: "attachment-upload", "aria-label": `New files for ${title.toLowerCase()}` },
    h("div", { class: "field" }, h("label", { for: inputId, text: "Add files" }), input, hint),
    h("div", { class: "form-actions" }, send),
    h("p", { class: "muted drop-hint", text: "Or drop files on this panel." })) : null;
  section.classList.add("attachments-panel");
  section.setAttribute("aria-labelledby", headingId);
  section.replaceChildren(...[heading, problems, list, form].filter(Boolean)); // (DOM would print a null)
  attachmentPolicy().then((policy) => { hint.textContent = policyHint(policy); });

  let items = [];

  async function refresh() {
    const page = await api.get(`${url}/attachments`, { query: { limit: 200 }, signal });
    items = page.items;
    heading.textContent = items.length ? `${title} (${items.length})` : title;
    list.replaceChildren(items.length
      ? h("ul", { class: "attachment-list" }, items.map(itemRow))
      : emptyState("No files attached yet."));
  }

  function itemRow(item) {
    const mine = session.user && item.created_by === session.user.id;
    const deletable = canManage || (canUpload && mine);
    const preview = item.has_thumbnail
      ? h("button", { type: "button", class: "attachment-thumb", "aria-label": `Preview ${item.filename}`,
        onClick: (event) => openPreview(item, event.currentTarget) },
      h("img", { src: item.thumbnail_url, alt: "", loading: "lazy", width: "64", height: "64" }))
      : h("span", { class: "attachment-icon", "aria-hidden": "true", text: extensionOf(item.filename) });
    return h("li", { class: "attachment-item", dataset: { id: item.id } },
      preview,
      h("div", { class: "attachment-text" },
        h("a", { class: "attachment-name", href: item.content_url, download: item.filename, text: item.filename,
          "aria-label": `Download ${item.filename}` }),
        h("span", { class: "muted attachment-meta",
          text: `${formatBytes(item.size)} · ${item.uploader ? item.uploader.name : "—"} · ${formatDateTime(item.created_at)}` })),
      deletable ? h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Delete",
        "aria-label": `Delete ${item.filename}`, onClick: (event) => remove(item, event.currentTarget) }) : null);
  }

  async function remove(item, button) {
    try {
      await busy(button, () => api.del(`/api/v1/attachments/${item.id}`, { headers: ifMatch(item.version), signal }));
      await refresh();
      announce(`${item.filename} was deleted.`);
      showNotice(problems, {
        title: `${item.filename} was deleted.`, tone: "success", focus: false,
        action: { text: "Undo", className: "btn btn-secondary btn-small", onClick: async (undo) => {
          try {
            await busy(undo, () => api.post(`/api/v1/attachments/${item.id}/restore`, undefined, { signal }), "Restoring…");
            problems.replaceChildren();
            await refresh();
            showMessage(`${item.filename} is back.`, { container: problems });
          } catch (error) {
            showProblem(error, { container: problems });
          }
        } },
      });
      heading.focus();
    } catch (error) {
      showProblem(error, { container: problems });
    }
  }

  /** Upload each file; a refused one says why and the rest go on. */
  async function upload(files) {
    const accepted = [];
    for (const file of files) {
      const body = new FormData();
      body.append("file", file, file.name || "pasted-image.png");
      try {
        accepted.push(await api.post(`${url}/attachments`, body, { signal }));
      } catch (error) {
        showProblem(error, { container: problems, replace: false });
      }
    }
    if (accepted.length) {
      await refresh();
      announce(`${accepted.length} file(s) attached.`);
    }
    return accepted;
  }

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problems.replaceChildren();
      if (!input.files.length) {
        showMessage("Choose a file first.", { container: problems, tone: "error" });
        input.focus();
        return;
      }
      await busy(send, () => upload([...input.files]), "Uploading…");
      form.reset();
    });
    section.addEventListener("dragover", (event) => {
      if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
      event.preventDefault();
      section.classList.add("is-drop-target");
    });
    section.addEventListener("dragleave", () => section.classList.remove("is-drop-target"));
    section.addEventListener("drop", (event) => {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      section.classList.remove("is-drop-target");
      problems.replaceChildren();
      upload([...event.dataTransfer.files]).catch((error) => showProblem(error, { container: problems }));
    });
  }

  return { refresh, upload };
}

function extensionOf(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : "FILE";
}

/** A modal with the image's preview (its thumbnail at full size) and a download link; Esc or Close ends it. */
function openPreview(item, opener) {
  const titleId = uniqueId("preview");
  const close = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Close" });
  const dialog = h("dialog", { class: "dialog preview-dialog", "aria-labelledby": titleId },
    h("h2", { class: "card-title", id: titleId, text: item.filename }),
    h("img", { class: "preview-image", src: item.thumbnail_url, alt: `Preview of ${item.filename}` }),
    h("div", { class: "form-actions" },
      h("a", { class: "btn btn-primary btn-small", href: item.content_url, download: item.filename, text: "Download" }), close));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { dialog.remove(); if (opener.isConnected) opener.focus(); });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}
