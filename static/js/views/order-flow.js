// The war room's order-flow panel (issue 20): per marketplace store, orders per hour over the last day
// against the same hours of the four weeks before, packages waiting in Created/Picking past the threshold,
// the last order received, sync health and the incidents the order-flow rules opened. Mounted by
// hypercare.js and refreshed with the rest of the war room; "Sync now" starts a delta sync (a job).

import { showMessage, showProblem } from "../alerts.js";
import { api } from "../api.js";
import { can } from "../app.js";
import { busy } from "../forms.js";
import { chip, emptyState, formatDateTime, h, loading, svg } from "../ui.js";

const SYNC_TONES = { succeeded: "success", running: "info", failed: "danger" };

export function mountOrderFlow(region, project, { signal }) {
  const url = `/api/v1/projects/${project.id}/marketplace`;
  const body = h("div", { class: "order-flow-stores" }, loading("Loading order flow…"));
  region.append(h("h2", { class: "card-title card-title-padded", id: "order-flow-title", text: "Marketplace order flow" }), body);

  async function refresh({ force = false } = {}) {
    if (!force && region.contains(document.activeElement)) return;
    const flow = await api.get(`${url}/order-flow`, { signal });
    body.replaceChildren(...(flow.stores.length ? flow.stores.map(storeCard)
      : [emptyState("No marketplace store feeds this project. Attach a Trendyol or Hepsiburada connection to watch its orders.")]));
  }

  function storeCard(store) {
    const titleId = `store-${store.store_id}`;
    const health = store.sync;
    const syncButton = can("hypercare.work") ? h("button", { type: "button", class: "btn btn-secondary btn-small",
      text: "Sync now", "aria-describedby": titleId, onClick: (event) => syncNow(store, event.currentTarget) }) : null;
    const facts = [
      ["Last order", store.last_order_at ? formatDateTime(store.last_order_at) : "None yet"],
      [`Waiting over ${store.waiting.older_than_hours} h`, h("span", {}, chip(String(store.waiting.count),
        store.waiting.count ? "warning" : "success"), store.waiting.oldest_order_at
        ? ` oldest ordered ${formatDateTime(store.waiting.oldest_order_at)}` : "")],
      ["Sync", h("span", {}, chip(health.last_status || "never", SYNC_TONES[health.last_status] || "neutral"),
        health.lag_minutes !== null ? ` ${health.lag_minutes} min behind` : "",
        health.breaker_state === "open" ? chip("circuit open", "danger") : "")],
    ];
    if (health.last_error) facts.push(["Sync error", health.last_error]);
    return h("article", { class: "order-flow-store", "aria-labelledby": titleId },
      h("div", { class: "order-flow-head" },
        h("h3", { id: titleId, text: store.name }), chip(store.marketplace, "neutral"), syncButton),
      store.alerts.length ? h("ul", { class: "order-flow-alerts", "aria-label": "Open order-flow alerts" },
        store.alerts.map((alert) => h("li", {}, chip("alert", "danger"), ` ${alert.rule_name}: `,
          h("a", { href: `#/hypercare?project=${project.id}&incident=${alert.incident_id}`,
            text: alert.incident_number || "incident" }), ` since ${formatDateTime(alert.opened_at)}`))) : null,
      hourlyChart(store),
      h("dl", { class: "connector-facts" }, facts.flatMap(([term, value]) => [h("dt", { text: term }), h("dd", {}, value)])));
  }

  async function syncNow(store, button) {
    try {
      let job = await busy(button, () => api.post(`${url}/stores/${store.store_id}/sync`, { mode: "delta" }, { signal }), "Syncing…");
      while (job.status === "queued" || job.status === "running") {
        await new Promise((resolve) => { window.setTimeout(resolve, 1000); });
        job = await api.get(job.status_url, { signal });
      }
      if (job.status === "succeeded") showMessage(`${store.name}: ${job.result.packages} package(s) read.`);
      else showProblem(new Error(job.error || "The sync failed."));
      await refresh({ force: true });
    } catch (error) {
      if (error.name !== "AbortError") showProblem(error);
    }
  }

  return { refresh };
}

/** Bars: orders in each of the last 24 hours; line: the mean of the same hour over the previous four weeks. */
function hourlyChart(store) {
  const points = store.hourly;
  const title = `${store.name}: orders per hour, last 24 hours`;
  const total = points.reduce((n, p) => n + p.orders, 0);
  const usual = points.reduce((n, p) => n + p.previous_weeks_avg, 0);
  const last = points[points.length - 1];
  const description = `${total} orders in the last 24 hours against ${Math.round(usual)} usually; `
    + `this hour ${last ? last.orders : 0} against ${last ? last.previous_weeks_avg : 0}`;
  const width = 300;
  const height = 70;
  const peak = Math.max(1, ...points.map((p) => Math.max(p.orders, p.previous_weeks_avg)));
  const step = width / Math.max(1, points.length);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "trend-chart", role: "img", "aria-label": `${title}: ${description}` });
  points.forEach((point, index) => {
    const barHeight = (point.orders / peak) * (height - 4);
    const bar = svg("rect", { x: index * step + step * 0.15, y: height - barHeight, width: step * 0.7, height: barHeight, class: "trend-open" });
    bar.append(svg("title"));
    bar.firstChild.textContent = `${formatDateTime(point.hour)}: ${point.orders} orders (usually ${point.previous_weeks_avg})`;
    chart.append(bar);
  });
  chart.append(svg("polyline", { class: "trend-new", fill: "none",
    points: points.map((p, i) => `${i * step + step / 2},${height - (p.previous_weeks_avg / peak) * (height - 4)}`).join(" ") }));
  return h("figure", { class: "chart" }, h("figcaption", { class: "chart-title", text: "Orders per hour" }), chart,
    h("p", { class: "muted order-flow-summary", text: description }));
}
