// Administration › API and events, the events half (issue 15.6/15.7): webhook subscriptions and the delivery log.
// An admin subscribes an https endpoint to event types and sees its signing secret once (again after a
// rotation); each subscription can be sent a test event, disabled/enabled or deleted. The delivery log shows
// every send with its outcome, filters by endpoint and status, and redelivers one.

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { busy, field, submitForm } from "../forms.js";
import { pagedList } from "../paged-list.js";
import { card, chip, emptyState, formatDateTime, h, tableWrap } from "../ui.js";

export const EVENT_TYPES = [
  ["incident.created", "Incident created"],
  ["incident.updated", "Incident updated"],
  ["incident.breached", "Incident SLA breached"],
  ["incident.resolved", "Incident resolved"],
  ["change_request.submitted", "Change request submitted"],
  ["change_request.approved", "Change request approved"],
  ["change_request.rejected", "Change request rejected"],
  ["requirement.status_changed", "Requirement status changed"],
  ["sync_run.finished", "Sync run finished"],
];
const DELIVERY_TONES = { succeeded: "success", pending: "warning", failed: "danger" };
const STATUSES = [["", "Any status"], ["pending", "Pending"], ["succeeded", "Succeeded"], ["failed", "Failed"]];

export async function renderEvents(container, { signal }) {
  const secretBox = h("div", { class: "token-secret", "aria-live": "polite" });
  const subscriptionsBox = h("div", {});
  let subscriptions = [];

  const url = field({ label: "Endpoint URL", name: "url", type: "url", required: true,
    hint: "An https address of yours; Meridian POSTs each event there, signed (Standard Webhooks).", attrs: { maxlength: "2000" } });
  const description = field({ label: "Description", name: "description", hint: "What receives it, e.g. \"ERP bridge\".",
    attrs: { maxlength: "500" } });
  const boxes = EVENT_TYPES.map(([value, text]) => field({ label: text, name: "event_types", type: "checkbox",
    attrs: { value } }));
  const events = h("fieldset", { class: "field checkbox-group" }, h("legend", { text: "Events" }),
    ...boxes.map((box) => box.wrapper), h("p", { class: "field-hint", text: "The events this endpoint receives." }));
  const problems = h("div", { class: "form-alerts" });
  const create = h("button", { type: "submit", class: "btn btn-primary", text: "Add endpoint" });
  const form = h("form", { class: "form", novalidate: true, "aria-label": "New webhook endpoint" }, problems,
    h("div", { class: "form-grid" }, url.wrapper, description.wrapper), events, h("div", { class: "form-actions" }, create));
  const chosen = () => boxes.filter((box) => box.control.checked).map((box) => box.control.value);

  submitForm(form, {
    button: create, busyText: "Adding…", problems,
    validate: () => {
      const errors = {};
      if (!url.control.value.trim()) errors.url = ["Enter the endpoint's https URL."];
      if (!chosen().length) errors.event_types = ["Pick at least one event type."];
      return errors;
    },
    send: () => api.post("/api/v1/event-subscriptions",
      { url: url.control.value.trim(), description: description.control.value.trim(), event_types: chosen() }, { signal }),
    onSuccess: async (created) => {
      form.reset();
      showSecret(secretBox, created, "created");
      await Promise.all([loadSubscriptions(), log.load()]);
    },
  });

  async function act(button, work, busyText, done) {
    try {
      await busy(button, work, busyText);
      if (done) showMessage(done);
      await Promise.all([loadSubscriptions(), log.load()]);
    } catch (error) {
      showProblem(error);
    }
  }

  function actions(subscription) {
    const name = subscription.description || subscription.url;
    const path = `/api/v1/event-subscriptions/${subscription.id}`;
    const test = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Send test", "aria-label": `Send a test event to ${name}` });
    test.addEventListener("click", () => act(test, async () => {
      const delivery = await api.post(`${path}/test`, {}, { signal });
      showMessage(delivery.status === "succeeded" ? `The test event reached ${name}.`
        : `The test event failed: ${delivery.last_error || "no answer"}.`);
    }, "Sending…"));
    const rotate = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Rotate secret", "aria-label": `Rotate the secret of ${name}` });
    rotate.addEventListener("click", async () => {
      if (!window.confirm(`Replace the signing secret of ${name}? Events are signed with the new one at once.`)) return;
      await act(rotate, async () => showSecret(secretBox, await api.post(`${path}/rotate-secret`, {}, { signal }), "rotated"), "Rotating…");
    });
    const toggle = h("button", { type: "button", class: "btn btn-secondary btn-small", text: subscription.enabled ? "Disable" : "Enable",
      "aria-label": `${subscription.enabled ? "Disable" : "Enable"} ${name}` });
    toggle.addEventListener("click", () => act(toggle, () => api.patch(path, { enabled: !subscription.enabled }, { signal }),
      "Saving…", subscription.enabled ? `${name} is disabled.` : `${name} is enabled again.`));
    const remove = h("button", { type: "button", class: "btn btn-danger-outline btn-small", text: "Delete", "aria-label": `Delete ${name}` });
    remove.addEventListener("click", async () => {
      if (!window.confirm(`Delete the endpoint ${name}? Nothing more is sent to it; its delivery log stays.`)) return;
      await act(remove, () => api.del(path, { signal }), "Deleting…", `${name} was deleted.`);
    });
    return h("div", { class: "row-actions" }, test, rotate, toggle, remove);
  }

  async function loadSubscriptions() {
    subscriptions = (await api.get("/api/v1/event-subscriptions", { query: { limit: 200 }, signal })).items;
    const eventName = Object.fromEntries(EVENT_TYPES);
    subscriptionsBox.replaceChildren(subscriptions.length ? tableWrap(h("table", { class: "table" },
      h("caption", { class: "visually-hidden", text: "Webhook endpoints" }),
      h("thead", {}, h("tr", {}, ["Endpoint", "Events", "Status", "Failures", "Created", ""].map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, subscriptions.map((s) => h("tr", { "data-subscription": s.id },
        h("td", {}, h("code", { text: s.url }), s.description ? h("div", { class: "field-hint", text: s.description }) : null),
        h("td", { text: s.event_types.map((type) => eventName[type] || type).join(", ") }),
        h("td", {}, chip(s.enabled ? "enabled" : "disabled", s.enabled ? "success" : "danger"),
          s.disabled_reason ? h("div", { class: "field-hint", text: s.disabled_reason }) : null),
        h("td", { text: String(s.consecutive_failures) }),
        h("td", { class: "cell-nowrap", text: formatDateTime(s.created_at) }),
        h("td", {}, actions(s)))))), "Webhook endpoints table") : emptyState("No webhook endpoints yet."));
    endpointFilter.control.replaceChildren(h("option", { value: "", text: "Every endpoint" }),
      ...subscriptions.map((s) => h("option", { value: s.id, text: s.description || s.url })));
    endpointFilter.control.value = subscriptions.some((s) => s.id === filters.subscription_id) ? filters.subscription_id : "";
  }

  // -- the delivery log ------------------------------------------------------------------------------
  const filters = { subscription_id: "", status: "" };
  const endpointFilter = field({ label: "Endpoint", name: "subscription_id", type: "select", options: [["", "Every endpoint"]] });
  const statusFilter = field({ label: "Delivery status", name: "status", type: "select", options: STATUSES, value: "" });
  for (const [key, control] of [["subscription_id", endpointFilter.control], ["status", statusFilter.control]]) {
    control.addEventListener("change", () => {
      filters[key] = control.value;
      log.go(0);
    });
  }
  const log = pagedList({
    noun: "delivery", plural: "deliveries", signal,
    fetchPage: (offset) => api.get("/api/v1/event-deliveries", { query: { limit: 50, offset,
      ...(filters.subscription_id ? { subscription_id: filters.subscription_id } : {}),
      ...(filters.status ? { status: filters.status } : {}) }, signal }),
    table: deliveriesTable,
    empty: () => emptyState("No deliveries yet. Events of the types you subscribed to appear here, and so do test events."),
  });

  function deliveriesTable(items) {
    const endpoint = Object.fromEntries(subscriptions.map((s) => [s.id, s.description || s.url]));
    return tableWrap(h("table", { class: "table" },
      h("caption", { class: "visually-hidden", text: "Webhook deliveries" }),
      h("thead", {}, h("tr", {}, ["Created", "Event", "Endpoint", "Status", "Attempts", "Last answer", ""]
        .map((text) => h("th", { scope: "col", text })))),
      h("tbody", {}, items.map((d) => {
        const redeliver = h("button", { type: "button", class: "btn btn-secondary btn-small", text: "Redeliver",
          "aria-label": `Redeliver ${d.event_type} ${d.event_id}` });
        redeliver.addEventListener("click", () => act(redeliver, async () => {
          const after = await api.post(`/api/v1/event-deliveries/${d.id}/redeliver`, {}, { signal });
          showMessage(after.status === "succeeded" ? "Redelivered." : `The redelivery failed: ${after.last_error || "no answer"}.`);
        }, "Sending…"));
        const answer = [d.last_status_code ? `HTTP ${d.last_status_code}` : null, d.last_error].filter(Boolean).join(" · ");
        return h("tr", { "data-delivery": d.id },
          h("td", { class: "cell-nowrap", text: formatDateTime(d.created_at) }),
          h("td", {}, h("code", { text: d.event_type })),
          h("td", { text: endpoint[d.subscription_id] || "(deleted endpoint)" }),
          h("td", {}, chip(d.status, DELIVERY_TONES[d.status] || "neutral"), d.status === "pending" && d.next_attempt_at
            ? h("div", { class: "field-hint", text: `Next try ${formatDateTime(d.next_attempt_at)}` }) : null),
          h("td", { text: String(d.attempts) }),
          h("td", { text: answer || "—", title: d.response_excerpt || "" }),
          h("td", {}, redeliver));
      }))), "Webhook deliveries table");
  }

  container.append(
    card("New webhook endpoint", form), secretBox,
    h("section", { class: "card card-flush", "aria-label": "Webhook endpoints" }, subscriptionsBox),
    card("Delivery log", h("div", { class: "filters" }, endpointFilter.wrapper, statusFilter.wrapper), ...log.nodes));
  await loadSubscriptions();
  await log.load();
}

function showSecret(box, subscription, verb) {
  const name = subscription.description || subscription.url;
  const input = h("input", { type: "text", readonly: true, value: subscription.secret, class: "token-secret-value",
    "aria-label": `The signing secret of ${name}`, spellcheck: "false" });
  const copy = h("button", { type: "button", class: "btn btn-secondary", text: "Copy" });
  copy.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(subscription.secret);
      copy.textContent = "Copied";
    } catch {
      document.execCommand("copy"); // without clipboard permission (plain http): the selected text
    }
  });
  const done = h("button", { type: "button", class: "btn btn-primary", text: "I have stored the secret" });
  done.addEventListener("click", () => box.replaceChildren());
  box.replaceChildren(card(`Endpoint ${verb}: signing secret`,
    h("p", { class: "notice-warning", role: "alert",
      text: "Copy this signing secret now and keep it in your receiver. It is shown only this once." }),
    h("div", { class: "token-secret-row" }, input, copy),
    h("p", { class: "field-hint", text: "Verify each request's webhook-signature header with it (Standard Webhooks: HMAC-SHA256 over id.timestamp.body)." }),
    h("div", { class: "form-actions" }, done)));
  input.focus();
  input.select();
}
