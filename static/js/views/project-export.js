// A project's JSON export: a background job (202) followed with its progress, ending in a download link
// made in the browser from the job's result.

import { api } from "../api.js";
import { showProblem } from "../alerts.js";
import { busy } from "../forms.js";
import { jobProgress, pollJob } from "../jobs.js";
import { h } from "../ui.js";

/** The export card (`card`, hidden until the first export); returns {start(button)} for the Export button. */
export function mountProjectExport(card, { url, getProject, signal }) {
  let downloadUrl = null;
  const forgetDownload = () => {
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = null;
  };
  signal.addEventListener("abort", forgetDownload);

  async function start(button) {
    const progress = jobProgress({ verb: "Exporting", unit: "step ", id: "export-status",
      text: "Starting export…" });
    const result = h("div", { class: "export-result" });
    card.replaceChildren(h("h2", { class: "card-title", id: "export-title", text: "Export" }),
      progress.status, progress.bar, result);
    card.hidden = false;
    forgetDownload();
    try {
      const accepted = await busy(button, () => api.post(`${url}/export`, undefined, { signal }), "Exporting…");
      const job = await pollJob(accepted, { progress, signal });
      if (job.status === "failed") {
        progress.say("The export failed.");
        result.replaceChildren(h("p", { class: "error-text", text: job.error || "The export failed." }));
        return;
      }
      const fileName = `${getProject().code}-export.json`;
      downloadUrl = URL.createObjectURL(new Blob([JSON.stringify(job.result, null, 2)], { type: "application/json" }));
      progress.say("Export ready.");
      const link = h("a", { class: "btn btn-primary", href: downloadUrl, download: fileName, text: `Download ${fileName}` });
      result.replaceChildren(link);
      link.focus();
    } catch (error) {
      if (signal.aborted) return;
      progress.say("The export could not be started.");
      showProblem(error);
    }
  }

  return { start };
}
