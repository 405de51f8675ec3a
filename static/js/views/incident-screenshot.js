// Screenshots for the new-incident form: an image pasted from the clipboard (Ctrl+V / ⌘V anywhere in the form) or
// image files dropped on it are held, listed with a preview and a Remove button, and attached to the incident
// once it is reported. Self-contained: the form only places `node` and calls `uploadTo(incidentUrl)` after it
// was created. Previews are data: URLs (the page's Content-Security-Policy allows no blob:).

import { api } from "../api.js";
import { announce, h } from "../ui.js";
import { formatBytes } from "./attachments-panel.js";

const isImage = (file) => file.type.startsWith("image/");

/** screenshotDrop(form) -> {node, count(), uploadTo(url), clear()} */
export function screenshotDrop(form) {
  const held = [];
  const list = h("ul", { class: "screenshot-list" });
  const node = h("div", { class: "screenshot-drop", role: "group", "aria-label": "Screenshots" },
    h("p", { class: "field-hint", text: "Screenshot? Paste it anywhere in this form (Ctrl+V) or drop image files on it; "
      + "it is attached when the incident is reported." }), list);

  function add(files) {
    const images = files.filter(isImage);
    images.forEach((file, index) => {
      const name = file.name && file.name !== "image.png" ? file.name : `screenshot-${held.length + index + 1}.png`;
      held.push(new File([file], name, { type: file.type }));
    });
    if (images.length) {
      paint();
      announce(`${images.length} screenshot(s) added; ${held.length} will be attached.`);
    }
    return images.length;
  }

  function paint() {
    list.replaceChildren(...held.map((file, index) => {
      const preview = h("img", { class: "screenshot-preview", alt: `Preview of ${file.name}`, width: "64", height: "48" });
      const reader = new FileReader();
      reader.addEventListener("load", () => { preview.src = reader.result; });
      reader.readAsDataURL(file);
      return h("li", { class: "screenshot-item" }, preview,
        h("span", { text: `${file.name} · ${formatBytes(file.size)}` }),
        h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Remove", "aria-label": `Remove ${file.name}`,
          onClick: () => {
            held.splice(index, 1);
            paint();
            form.querySelector("textarea, input")?.focus();
          } }));
    }));
  }

  form.addEventListener("paste", (event) => {
    const files = [...((event.clipboardData && event.clipboardData.files) || [])];
    if (files.some(isImage)) {
      event.preventDefault(); // the image goes to the list, not into the text field
      add(files);
    }
  });
  form.addEventListener("dragover", (event) => {
    if (event.dataTransfer && [...event.dataTransfer.types].includes("Files")) {
      event.preventDefault();
      node.classList.add("is-drop-target");
    }
  });
  form.addEventListener("dragleave", () => node.classList.remove("is-drop-target"));
  form.addEventListener("drop", (event) => {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    node.classList.remove("is-drop-target");
    add([...event.dataTransfer.files]);
  });

  /** Attach what is held to the incident at `incidentUrl` -> {sent, errors} (the refusals, to show). */
  async function uploadTo(incidentUrl) {
    let sent = 0;
    const errors = [];
    for (const file of held.splice(0)) {
      const body = new FormData();
      body.append("file", file, file.name);
      try {
        await api.post(`${incidentUrl}/attachments`, body);
        sent += 1;
      } catch (error) {
        errors.push(error);
      }
    }
    paint();
    return { sent, errors };
  }

  return { node, count: () => held.length, uploadTo, clear: () => { held.splice(0); paint(); } };
}
