// Administration › Profile: name, logo initials, the default time zone and working calendar of new projects
// (their SLA support hours), and the subscription tier (read-only). Saved with If-Match; a stale version reloads.

import { showMessage, showNotice } from "../alerts.js";
import { ApiError, api, ifMatch } from "../api.js";
import { NOTHING_CHANGED, field, submitForm } from "../forms.js";
import { card, h, uniqueId } from "../ui.js";

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export async function render(container, { signal }) {
  const profile = await api.get("/api/v1/admin/tenant", { signal });
  const fields = {
    name: field({ label: "Organisation name", name: "name", required: true, value: profile.name, attrs: { maxlength: "200" } }),
    logo_initials: field({ label: "Logo initials", name: "logo_initials", value: profile.logo_initials || "",
      hint: "One to three letters shown as your logo.", attrs: { maxlength: "3" } }),
    default_timezone: field({ label: "Default time zone", name: "default_timezone", required: true,
      value: profile.default_timezone, hint: "An IANA name such as Europe/Berlin; new projects start with it.",
      attrs: { spellcheck: "false" } }),
    work_start: field({ label: "Working day starts", name: "work_start", type: "time", value: profile.work_start }),
    work_end: field({ label: "Working day ends", name: "work_end", type: "time", value: profile.work_end }),
  };
  const legendId = uniqueId("days");
  const days = WEEKDAYS.map((day, index) => field({ label: day, name: `day-${index}`, type: "checkbox",
    value: profile.working_days.includes(index) }));
  const daysSet = h("fieldset", { class: "field fieldset-days", "aria-describedby": `${legendId}-hint`, id: "working_days" },
    h("legend", { text: "Working days" }),
    h("div", { class: "day-list" }, days.map((item) => item.wrapper)),
    h("p", { class: "field-hint", id: `${legendId}-hint`, text: "New projects' SLA support calendar (business-hours targets)." }));
  const problems = h("div", { class: "form-alerts" });
  const save = h("button", { type: "submit", class: "btn btn-primary", text: "Save profile" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "Organisation profile" }, problems,
    h("div", { class: "form-grid" }, fields.name.wrapper, fields.logo_initials.wrapper, fields.default_timezone.wrapper,
      fields.work_start.wrapper, fields.work_end.wrapper),
    daysSet, h("div", { class: "form-actions" }, save));

  let base = profile;
  const values = () => ({
    name: fields.name.control.value.trim(),
    logo_initials: fields.logo_initials.control.value.trim() || null,
    default_timezone: fields.default_timezone.control.value.trim(),
    work_start: fields.work_start.control.value,
    work_end: fields.work_end.control.value,
    working_days: days.map((item, index) => (item.control.checked ? index : null)).filter((day) => day !== null),
  });
  submitForm(form, {
    button: save, problems,
    send: () => {
      const changes = Object.fromEntries(Object.entries(values())
        .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(base[key] ?? null)));
      if (!Object.keys(changes).length) return NOTHING_CHANGED;
      return api.patch("/api/v1/admin/tenant", changes, { headers: ifMatch(base.version), signal });
    },
    onSuccess: (saved) => {
      base = saved;
      showMessage("The profile was saved.");
    },
    onUnchanged: () => showMessage("Nothing changed.", { tone: "info" }),
    onError: (error) => {
      if (!(error instanceof ApiError && error.status === 409)) return false;
      showNotice(problems, { title: "Someone else changed the profile", detail: "Your changes were not saved.",
        action: { text: "Reload", onClick: () => { container.replaceChildren(); render(container, { signal }); } } });
      return true;
    },
  });

  container.append(
    card("Subscription", h("dl", { class: "details" },
      h("dt", { text: "Tier" }), h("dd", { text: profile.tier }),
      h("dt", { text: "Requests per minute" }), h("dd", { text: String(profile.rate_limit_per_minute ?? "—") }),
      h("dt", { text: "Short name" }), h("dd", { text: profile.slug })),
      h("p", { class: "muted", text: "The tier comes with your subscription; contact Meridian to change it." })),
    card("Profile", form));
}
