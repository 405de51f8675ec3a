// Long work answers 202 with a job; GET on its status_url reports {status, progress: {done, total}, result, error}.
// A job is queued, then running, and ends succeeded, partial (some records failed) or failed (app/models/run_status.py).
// A job a vendor throttled waits queued, its result saying why and until when (`waiting`, `resumes_at`).
// A job whose worker died is failed by the server once its lease runs out; its error says so, and the
// status line shows it, so the poll ends with a reason rather than "Failed…".
// pollJob follows one to its end; jobProgress is the status line and bar that show where it is.

import { api } from "./api.js";
import { h, uniqueId } from "./ui.js";

const FINISHED = new Set(["succeeded", "partial", "failed"]);
const FIRST_WAIT_MS = 400;
const LONGEST_WAIT_MS = 2000;

function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(resolve, ms);
    if (signal) {
      signal.addEventListener("abort", () => {
        window.clearTimeout(timer);
        reject(new DOMException("Aborted", "AbortError"));
      }, { once: true });
    }
  });
}

const PHASES = { queued: "Queued", succeeded: "Done", partial: "Done with errors", failed: "Failed" };

/**
 * The status line (role="status") and <progress> bar of a job. `verb` names the running phase ("Exporting"; it
 * may be changed between jobs), `unit` goes before the count ("step " reads "Exporting: step 2 of 3"); `label`
 * names the bar, which is otherwise named by the status line. The bar stays hidden until the first show().
 */
export function jobProgress({ verb = "Working", unit = "", label = null, text = "", className = "job-status", id } = {}) {
  const statusId = id || uniqueId("job-status");
  const status = h("p", { class: className, id: statusId, role: "status", "aria-live": "polite", text });
  const bar = h("progress", { max: "1", value: "0", hidden: true,
    "aria-label": label, "aria-labelledby": label ? null : statusId });
  const display = {
    status,
    bar,
    verb,
    show(job) {
      const { done = 0, total = 0 } = job.progress || {};
      bar.hidden = false;
      bar.max = Math.max(total, 1);
      bar.value = Math.min(done, bar.max);
      const phase = job.status === "running" ? display.verb : PHASES[job.status] || job.status;
      if (job.status === "queued" && job.result?.waiting) status.textContent = `Waiting: ${job.result.waiting}`;
      else if (job.status === "failed" && job.error) status.textContent = `Failed: ${job.error}`;
      else status.textContent = total ? `${phase}: ${unit}${done} of ${total}` : `${phase}…`;
    },
    say(message) {
      status.textContent = message;
    },
  };
  return display;
}

/**
 * Follow `job` (a 202 answer's body) until it has succeeded, partly succeeded or failed, showing every answer on `progress`
 * (a jobProgress); resolves with the finished job. The pause between polls grows from 0.4 s to 2 s;
 * `signal` stops the polling (AbortError) when the view goes away.
 */
export async function pollJob(job, { progress, signal } = {}) {
  let current = job;
  let delay = FIRST_WAIT_MS;
  if (progress) progress.show(current);
  while (!FINISHED.has(current.status)) {
    await wait(delay, signal);
    delay = Math.min(delay * 1.5, LONGEST_WAIT_MS);
    current = await api.get(job.status_url, { signal });
    if (progress) progress.show(current);
  }
  return current;
}
