// One "Import CSV" control for every list that imports spreadsheets (requirements, test cases, leads; a cutover
// runbook's .xlsx with `accept`): a keyboard-reachable file trigger, a multipart upload, and row-level problems
// listed in the alert.

import { showProblem } from "./alerts.js";
import { api } from "./api.js";
import { h } from "./ui.js";

function rowErrors(errors) {
  return Object.entries(errors).map(([row, detail]) => (Array.isArray(detail)
    ? `${row}: ${detail.join(" ")}`
    : `${row}: ${Object.entries(detail).map(([name, messages]) => `${name} – ${[].concat(messages).join(" ")}`).join("; ")}`));
}

export function csvImportControl(url, { id, label = "Import CSV", accept = ".csv,text/csv", onDone }) {
  const input = h("input", { type: "file", accept, class: "visually-hidden", id });
  const button = h("label", { for: id, class: "btn btn-secondary btn-small", tabindex: "0", role: "button", text: label });
  button.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
  });
  input.addEventListener("change", async () => {
    if (!input.files.length) return;
    const body = new FormData();
    body.append("file", input.files[0]);
    try {
      onDone(await api.post(url, body));
    } catch (error) {
      if (error.errors) error.unmatchedFieldErrors = rowErrors(error.errors);
      showProblem(error);
    } finally {
      input.value = "";
    }
  });
  return h("span", { class: "file-trigger" }, input, button);
}
