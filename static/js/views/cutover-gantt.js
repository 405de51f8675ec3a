// The runbook's Gantt chart as inline SVG: one row per activity in display order, bars from start to finish
// (milestones as diamonds), the critical path in red with its slack-free bars outlined, each activity's slack
// as a thin tail, and a line at "now" when now falls inside the chart. The picture is a summary: its accessible
// name says what it shows, every bar has a <title>, and the table beside it holds every number.

import { h, svg } from "../ui.js";
import { when } from "./cutover-common.js";

const ROW = 22;
const TOP = 28;
const LABEL = 84;
const WIDTH = 1000;
const HOUR = 3600 * 1000;
const STEPS = [1, 2, 3, 6, 12, 24, 48, 168].map((hours) => hours * HOUR);
const TICK = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });

const text = (attrs, content) => {
  const node = svg("text", attrs);
  node.textContent = content;
  return node;
};

/**
 * gantt({items: [{id, code, title, start, finish, late_finish, critical, kind, status}], start, finish, now,
 *   caption, onPath: Set of ids}) -> figure. Times are ISO strings; `status` (a run's) adds a class per bar.
 */
export function gantt({ items, start, finish, now = new Date(), caption, onPath = new Set() }) {
  const from = Date.parse(start);
  const to = Math.max(Date.parse(finish), from + HOUR);
  const span = to - from;
  const x = (value) => LABEL + ((Date.parse(value) - from) / span) * (WIDTH - LABEL - 8);
  const height = TOP + items.length * ROW + 6;
  const critical = items.filter((item) => onPath.has(item.id)).map((item) => item.code);
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "gantt-chart", role: "img", width: WIDTH, height,
    "aria-label": `${caption}: ${items.length} activities from ${when(start)} to ${when(finish)}; `
      + `critical path ${critical.length ? critical.join(", ") : "none"}` });
  const step = STEPS.find((candidate) => span / candidate <= 10) || STEPS[STEPS.length - 1];
  for (let tick = Math.ceil(from / step) * step; tick <= to; tick += step) {
    const at = x(new Date(tick).toISOString());
    chart.append(svg("line", { x1: at, x2: at, y1: TOP - 6, y2: height, class: "gantt-grid" }),
      text({ x: at + 3, y: 14, class: "gantt-tick" }, TICK.format(new Date(tick))));
  }
  items.forEach((item, index) => {
    const y = TOP + index * ROW;
    const row = svg("g", { class: ["gantt-row", item.critical ? "is-critical" : "", onPath.has(item.id) ? "on-path" : "",
      item.status ? `status-${item.status}` : ""].filter(Boolean).join(" "), "data-code": item.code });
    const title = svg("title", {});
    title.textContent = `${item.code} ${item.title}: ${when(item.start)} – ${when(item.finish)}`
      + `${item.critical ? " (critical)" : ""}${item.status ? ` · ${item.status}` : ""}`;
    row.append(title, text({ x: 4, y: y + 15, class: "gantt-code" }, item.code));
    if (item.late_finish && Date.parse(item.late_finish) > Date.parse(item.finish)) {
      row.append(svg("line", { x1: x(item.finish), x2: x(item.late_finish), y1: y + 11, y2: y + 11, class: "gantt-slack" }));
    }
    if (item.kind === "milestone" || item.start === item.finish) {
      const cx = x(item.start);
      row.append(svg("polygon", { points: `${cx},${y + 4} ${cx + 7},${y + 11} ${cx},${y + 18} ${cx - 7},${y + 11}`,
        class: "gantt-milestone" }));
    } else {
      row.append(svg("rect", { x: x(item.start), y: y + 4, width: Math.max(2, x(item.finish) - x(item.start)), height: 14,
        rx: 2, class: "gantt-bar" }));
    }
    chart.append(row);
  });
  const nowTime = now.getTime();
  let note = null;
  if (nowTime >= from && nowTime <= to) {
    const at = x(now.toISOString());
    chart.append(svg("line", { x1: at, x2: at, y1: TOP - 8, y2: height, class: "gantt-now" }),
      text({ x: at + 3, y: TOP - 10, class: "gantt-now-label" }, "Now"));
  } else {
    const days = Math.round(Math.abs(nowTime < from ? from - nowTime : nowTime - to) / (24 * HOUR));
    note = h("p", { class: "muted gantt-note", text: nowTime < from
      ? `Now is before the plan: it starts in ${days} day${days === 1 ? "" : "s"}.`
      : `The plan ended ${days} day${days === 1 ? "" : "s"} ago.` });
  }
  const legend = h("ul", { class: "chart-legend" },
    h("li", {}, h("span", { class: "legend-swatch swatch-critical", "aria-hidden": "true" }), "Critical path"),
    h("li", {}, h("span", { class: "legend-swatch swatch-plan", "aria-hidden": "true" }), "Activity with slack"),
    h("li", {}, h("span", { class: "legend-swatch swatch-slack", "aria-hidden": "true" }), "Slack"),
    h("li", {}, h("span", { class: "legend-swatch swatch-now", "aria-hidden": "true" }), "Now"));
  return h("figure", { class: "chart gantt" }, h("figcaption", { class: "chart-title", text: caption }),
    h("div", { class: "gantt-scroll", role: "region", tabindex: "0", "aria-label": `${caption} (scrolls sideways)` }, chart),
    legend, note);
}
