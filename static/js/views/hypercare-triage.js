// The triage assistant (issue 19) in the hypercare views: while a new incident is typed (mountFormAssistant,
// mounted by the war room's new-incident form) and on an incident's page (mountIncidentAssistant). It shows
// similar incidents of the firm with how they were resolved, suggested module, priority and assignee with
// their confidence, and the duplicate warning with "link as duplicate". Nothing is applied without a click,
// and what the person did with each suggestion is recorded (…/triage/outcomes) so their quality is measured.

import { showMessage, showProblem } from "../alerts.js";
import { api, ifMatch } from "../api.js";
import { can, session } from "../app.js";
import { busy } from "../forms.js";
import { announce, chip, h, label, uniqueId } from "../ui.js";
import { plainText } from "./delivery.js";
import { INCIDENT_STATUSES, ROOT_CAUSES, priorityChip, statusChip } from "./hypercare-common.js";

const DEBOUNCE_MS = 600; // typing pauses this long before the server is asked
const MIN_CHARS = 8;
const SIMILAR_SHOWN = 5;
const FIELD_NAMES = { module: "Module", priority: "Priority", assignee: "Assignee" };
const CONTROL_OF = { module: "affected_module", priority: "priority", assignee: "assigned_to_id" };
const INCIDENT_KEY_OF = { module: "affected_module", priority: "priority", assignee: "assigned_to_id" };

const percent = (value) => `${Math.round(value * 100)}%`;

function incidentHref(project, incident) {
  return `#/hypercare?project=${incident.project_id || project.id}&incident=${incident.id}`;
}

/** The similar incidents: number, title, status and similarity; their root cause and resolution unfold. */
function similarList(project, items) {
  if (!items.length) return h("p", { class: "muted", text: "No similar incidents yet." });
  return h("ol", { class: "triage-similar" }, items.slice(0, SIMILAR_SHOWN).map((item) => h("li", { class: "triage-similar-item" },
    h("details", {},
      h("summary", {},
        h("span", { class: "triage-similar-head" },
          h("strong", { text: item.number }), " ", item.title),
        h("span", { class: "triage-similar-meta" },
          statusChip(INCIDENT_STATUSES, item.status), " ", priorityChip(item.priority),
          item.project_id !== project.id ? [" ", chip(item.project_code, "neutral")] : null,
          " ", h("span", { class: "muted", text: `${percent(item.score)} similar` }))),
      h("div", { class: "triage-similar-body" },
        item.root_cause ? h("p", {}, h("strong", { text: "Root cause: " }),
          item.root_cause_category ? [chip(label(ROOT_CAUSES, item.root_cause_category), "accent"), " "] : null,
          plainText(item.root_cause)) : h("p", { class: "muted", text: "Not resolved yet." }),
        item.resolution_notes ? h("p", {}, h("strong", { text: "Resolution: " }), plainText(item.resolution_notes)) : null,
        item.assignee ? h("p", { class: "muted", text: `Worked by ${item.assignee.name}` }) : null,
        h("a", { href: incidentHref(project, item), target: "_blank", rel: "noopener", text: `Open ${item.number} in a new tab` }))))));
}

function suggestionText(suggestion) {
  return `${FIELD_NAMES[suggestion.field]}: ${suggestion.label}`;
}

function confidenceChip(confidence) {
  return chip(`${percent(confidence)} confident`, confidence >= 0.75 ? "success" : "info");
}

/** "Module: FI 82% confident", with an id: its buttons are described by it (their names stay "Use",
 * "Accept", "Dismiss", so they never pass for the form's own labelled fields). */
function suggestionLine(suggestion) {
  return h("span", { class: "triage-suggestion-text", id: uniqueId("suggestion") },
    `${FIELD_NAMES[suggestion.field]}: `, h("strong", { text: suggestion.label }), " ", confidenceChip(suggestion.confidence));
}

/** POST what became of the suggestions shown for `incident`; a failure is shown, never thrown. */
async function recordOutcomes(base, incidentId, outcomes) {
  if (!outcomes.length) return;
  try {
    await api.post(`${base}/incidents/${incidentId}/triage/outcomes`, { outcomes });
  } catch (error) {
    showProblem(error);
  }
}

/**
 * The assistant inside the new-incident form: asks the server as the person types (after a pause), shows
 * what it found below the fields, fills a field only when "Use" is clicked, and offers "link as duplicate"
 * when an open incident of the project looks the same. Returns {afterCreate(incident)}: the form calls it
 * once the incident is saved, to link it (if asked) and record what became of each suggestion; it answers a
 * sentence for the form's confirmation ("Linked as a duplicate of INC-0042. ") or "".
 */
export function mountFormAssistant(form, { project, base, signal }) {
  const headingId = uniqueId("triage");
  const status = h("p", { class: "muted triage-status", role: "status",
    text: "Similar incidents and suggestions appear here as you type." });
  const body = h("div", { class: "triage-body" });
  const panel = h("section", { class: "triage-panel", "aria-labelledby": headingId },
    h("h3", { class: "subheading", id: headingId, text: "Triage assistant" }), status, body);
  const actions = form.querySelector(".form-actions");
  form.insertBefore(panel, actions);

  let answer = null;
  let asked = "";
  let timer = null;
  let inFlight = null;
  let pendingDuplicate = null; // set by "link as duplicate", taken by the submit it starts
  let linkTo = null;

  const control = (name) => form.elements.namedItem(name);
  const value = (name) => (control(name) ? control(name).value : "");

  function query() {
    return { title: value("title").trim(), description: value("description"), affected_module: value("affected_module") || null };
  }

  async function ask() {
    const asking = query();
    const key = JSON.stringify(asking);
    if (key === asked) return;
    asked = key;
    if ((asking.title + asking.description).trim().length < MIN_CHARS) {
      answer = null;
      paint();
      return;
    }
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    const stop = () => controller.abort();
    signal.addEventListener("abort", stop);
    status.textContent = "Looking for similar incidents…";
    try {
      answer = await api.post(`${base}/triage/suggestions`, asking, { signal: controller.signal });
      paint();
    } catch (error) {
      if (error.name === "AbortError") return;
      asked = "";
      status.textContent = "Suggestions are not available right now.";
      showProblem(error);
    } finally {
      signal.removeEventListener("abort", stop);
      if (inFlight === controller) inFlight = null;
    }
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => { ask(); }, DEBOUNCE_MS);
  }

  function use(suggestion, button) {
    const select = control(CONTROL_OF[suggestion.field]);
    if (!select) return;
    if (![...select.options].some((option) => option.value === suggestion.value)) {
      select.append(h("option", { value: suggestion.value, text: suggestion.label }));
    }
    select.value = suggestion.value;
    button.disabled = true;
    button.textContent = "Used";
    announce(`${FIELD_NAMES[suggestion.field]} set to ${suggestion.label}`);
  }

  function paint() {
    if (!answer) {
      status.textContent = "Similar incidents and suggestions appear here as you type.";
      body.replaceChildren();
      return;
    }
    if (answer.index.state !== "ready") {
      status.textContent = "The assistant is still learning this firm's incidents; try again in a minute.";
      body.replaceChildren();
      return;
    }
    const shown = answer.suggestions.filter((s) => control(CONTROL_OF[s.field]));
    status.textContent = `${answer.similar.length} similar incident${answer.similar.length === 1 ? "" : "s"}`
      + `${shown.length ? `, ${shown.length} suggestion${shown.length === 1 ? "" : "s"}` : ""}`
      + (answer.duplicate ? `, possible duplicate of ${answer.duplicate.number}` : "");
    const duplicate = answer.duplicate;
    body.replaceChildren(...[
      duplicate ? h("div", { class: "alert alert-warning triage-duplicate" }, h("div", { class: "alert-body" },
        h("p", {}, h("strong", { text: "Possible duplicate: " }),
          h("a", { href: incidentHref(project, duplicate), target: "_blank", rel: "noopener", text: duplicate.number }),
          ` · ${duplicate.title} (${label(INCIDENT_STATUSES, duplicate.status).toLowerCase()}, ${percent(duplicate.score)} similar)`),
        h("div", { class: "alert-actions" }, h("button", { type: "button", class: "btn btn-secondary btn-small",
          text: `Report and link as duplicate of ${duplicate.number}`,
          onClick: () => { pendingDuplicate = duplicate; form.requestSubmit(); } })))) : null,
      shown.length ? h("ul", { class: "triage-suggestions", "aria-label": "Suggestions" }, shown.map((suggestion) => {
        const chosen = value(CONTROL_OF[suggestion.field]) === suggestion.value;
        const text = suggestionLine(suggestion);
        const button = h("button", { type: "button", class: "btn btn-ghost btn-small", text: chosen ? "Used" : "Use",
          disabled: chosen, "aria-describedby": text.id });
        button.addEventListener("click", () => use(suggestion, button));
        return h("li", { class: "triage-suggestion", dataset: { field: suggestion.field } }, text, " ", button);
      })) : null,
      h("h4", { class: "triage-subheading", text: "Similar incidents" }),
      similarList(project, answer.similar)].filter(Boolean)); // replaceChildren would print a null as "null"
  }

  form.addEventListener("input", (event) => {
    if (["title", "description"].includes(event.target.name)) schedule();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "affected_module") schedule();
  });
  form.addEventListener("submit", () => {
    linkTo = pendingDuplicate; // only the button's own submit links; Enter or "Report incident" does not
    pendingDuplicate = null;
  }, { capture: true });
  form.addEventListener("reset", () => {
    window.clearTimeout(timer);
    answer = null;
    asked = "";
    linkTo = null;
    paint();
  });
  signal.addEventListener("abort", () => window.clearTimeout(timer));

  async function afterCreate(incident) {
    const outcomes = [];
    if (answer) {
      for (const suggestion of answer.suggestions.filter((s) => control(CONTROL_OF[s.field]))) { // as shown
        const saved = incident[INCIDENT_KEY_OF[suggestion.field]];
        outcomes.push({ field: suggestion.field, suggested: suggestion.value, confidence: suggestion.confidence,
          accepted: String(saved ?? "") === suggestion.value });
      }
      if (answer.duplicate) {
        outcomes.push({ field: "duplicate", suggested: String(answer.duplicate.id), confidence: answer.duplicate.score,
          accepted: Boolean(linkTo && linkTo.id === answer.duplicate.id) });
      }
    }
    let note = "";
    if (linkTo) {
      try {
        await api.post(`${base}/incidents/${incident.id}/links`, { target_id: linkTo.id });
        note = `Linked as a duplicate of ${linkTo.number}. `;
      } catch (error) {
        showProblem(error);
      }
    }
    await recordOutcomes(base, incident.id, outcomes);
    return note;
  }

  return { afterCreate };
}

/**
 * The assistant's card on an incident's page: its duplicate links, the open incident it may duplicate (with
 * "link as duplicate"), suggestions to accept or dismiss (for those who work the queue), and similar
 * incidents. `reload()` refreshes the page after a change; the page calls update(incident) when the incident
 * it shows has a new version, so the advice follows.
 */
export function mountIncidentAssistant(region, { project, base, incident: first, signal, reload }) {
  let incident = first;
  let answer = null;
  let links = [];
  let askedVersion = null;
  let selfRefresh = false;
  const dismissed = new Set();
  const url = () => `${base}/incidents/${incident.id}`;
  const worker = can("hypercare.work");
  const mayLink = () => worker || (can("hypercare.report") && session.user && incident.reported_by_id === session.user.id);
  const headingId = uniqueId("triage");

  async function load() {
    askedVersion = incident.version;
    try {
      [answer, links] = await Promise.all([
        api.get(`${url()}/triage`, { signal }),
        api.get(`${url()}/links`, { signal }).then((page) => page.items),
      ]);
    } catch (error) {
      if (error.name === "AbortError" || signal.aborted) return;
      showProblem(error);
      return;
    }
    paint();
  }

  /** After a change made here: the page reloads the incident, then the advice is asked again (a link changes
   * the advice but not the incident's version, so the page's own update would not). */
  async function act(button, work, message) {
    try {
      await busy(button, work, "Saving…");
      showMessage(message);
      region.querySelector(`#${headingId}`).focus();
      await refreshAll();
    } catch (error) {
      showProblem(error);
      if (error.status === 409 || error.status === 412) await refreshAll();
    }
  }

  async function refreshAll() {
    selfRefresh = true;
    try {
      await reload();
    } finally {
      selfRefresh = false;
    }
    await load();
  }

  function accept(suggestion, button) {
    act(button, async () => {
      await api.patch(url(), { [INCIDENT_KEY_OF[suggestion.field]]: suggestion.value }, { headers: ifMatch(incident.version) });
      await recordOutcomes(base, incident.id, [{ field: suggestion.field, suggested: suggestion.value,
        confidence: suggestion.confidence, accepted: true }]);
    }, `${incident.number}: ${suggestionText(suggestion)} accepted.`);
  }

  async function dismiss(key, outcome) {
    dismissed.add(key);
    paint();
    region.querySelector(`#${headingId}`).focus();
    await recordOutcomes(base, incident.id, [outcome]);
  }

  function linkDuplicate(duplicate, button) {
    act(button, async () => {
      await api.post(`${url()}/links`, { target_id: duplicate.id });
      await recordOutcomes(base, incident.id, [{ field: "duplicate", suggested: String(duplicate.id),
        confidence: duplicate.score, accepted: true }]);
    }, `${incident.number} is linked as a duplicate of ${duplicate.number}.`);
  }

  function unlink(link, button) {
    act(button, () => api.del(`${url()}/links/${link.id}`), `The duplicate link between ${link.incident.number} and ${link.target.number} was removed.`);
  }

  function linksContent() {
    if (!links.length) return null;
    return h("ul", { class: "triage-links", "aria-label": "Duplicate links" }, links.map((link) => {
      const isDuplicate = link.incident.id === incident.id;
      const other = isDuplicate ? link.target : link.incident;
      return h("li", {}, isDuplicate ? "Duplicate of " : "Duplicated by ",
        h("a", { href: incidentHref(project, other), text: other.number }), ` · ${other.title} `,
        statusChip(INCIDENT_STATUSES, other.status),
        worker ? [" ", h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Unlink",
          "aria-label": `Unlink ${other.number}`, onClick: (e) => unlink(link, e.currentTarget) })] : null);
    }));
  }

  function paint() {
    const heading = h("h2", { class: "card-title", id: headingId, tabindex: "-1", text: "Triage assistant" });
    if (!answer) {
      region.replaceChildren(heading, h("p", { class: "muted", text: "Looking for similar incidents…" }));
      return;
    }
    const duplicate = answer.duplicate && !dismissed.has(`duplicate:${answer.duplicate.id}`) ? answer.duplicate : null;
    const suggestions = answer.suggestions.filter((s) => !s.current && !dismissed.has(`${s.field}:${s.value}`));
    const open = !["resolved", "closed"].includes(incident.status);
    region.replaceChildren(...[heading,
      linksContent(),
      duplicate && open ? h("div", { class: "alert alert-warning triage-duplicate" }, h("div", { class: "alert-body" },
        h("p", {}, h("strong", { text: "Possible duplicate: " }),
          h("a", { href: incidentHref(project, duplicate), text: duplicate.number }),
          ` · ${duplicate.title} (${label(INCIDENT_STATUSES, duplicate.status).toLowerCase()}, ${percent(duplicate.score)} similar)`),
        mayLink() ? h("div", { class: "alert-actions" },
          h("button", { type: "button", class: "btn btn-secondary btn-small", text: `Link as duplicate of ${duplicate.number}`,
            onClick: (e) => linkDuplicate(duplicate, e.currentTarget) }),
          h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Not a duplicate",
            onClick: () => dismiss(`duplicate:${duplicate.id}`, { field: "duplicate", suggested: String(duplicate.id),
              confidence: duplicate.score, accepted: false }) })) : null)) : null,
      suggestions.length && open ? h("ul", { class: "triage-suggestions", "aria-label": "Suggestions" }, suggestions.map((suggestion) => {
        const text = suggestionLine(suggestion);
        return h("li", { class: "triage-suggestion", dataset: { field: suggestion.field } }, text, " ",
          h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Accept", "aria-describedby": text.id,
            onClick: (e) => accept(suggestion, e.currentTarget) }), " ",
          h("button", { type: "button", class: "btn btn-ghost btn-small", text: "Dismiss", "aria-describedby": text.id,
            onClick: () => dismiss(`${suggestion.field}:${suggestion.value}`, { field: suggestion.field,
              suggested: suggestion.value, confidence: suggestion.confidence, accepted: false }) }));
      })) : null,
      h("h3", { class: "triage-subheading", text: "Similar incidents" }),
      answer.index.state === "ready" ? similarList(project, answer.similar)
        : h("p", { class: "muted", text: "The assistant is still learning this firm's incidents." })].filter(Boolean));
  }

  paint();
  load();
  return {
    update(next) {
      incident = next;
      if (!selfRefresh && incident.version !== askedVersion) load();
    },
  };
}
