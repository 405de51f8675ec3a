// The war room's two charts, inline SVG: the open-incident backlog per day since go-live (with the day's
// new and resolved counts) and the incidents per SAP module. The numbers are in the accessible names and a
// legend, so nobody has to read the picture.

import { formatDate, h, svg } from "../ui.js";

export function trendChart(trend) {
  const title = "Open incidents per day since go-live";
  if (!trend.length) return h("figure", { class: "chart" }, h("figcaption", { class: "chart-title", text: title }),
    h("p", { class: "muted", text: "No days to show yet." }));
  const width = 300;
  const height = 90;
  const peak = Math.max(1, ...trend.map((d) => Math.max(d.open, d.opened)));
  const step = width / trend.length;
  const last = trend[trend.length - 1];
  const peakDay = trend.reduce((best, d) => (d.open > best.open ? d : best), trend[0]);
  const description = `${last.open} open on ${formatDate(last.date)}; peak ${peakDay.open} on ${formatDate(peakDay.date)}; `
    + `${trend.reduce((n, d) => n + d.opened, 0)} reported and ${trend.reduce((n, d) => n + d.resolved, 0)} resolved in ${trend.length} days`;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "trend-chart", role: "img", "aria-label": `${title}: ${description}` });
  trend.forEach((day, index) => {
    const barHeight = (day.open / peak) * (height - 4);
    const bar = svg("rect", { x: index * step + step * 0.15, y: height - barHeight, width: step * 0.7, height: barHeight,
      class: "trend-open" });
    bar.append(svg("title"));
    bar.firstChild.textContent = `${formatDate(day.date)}: ${day.open} open, ${day.opened} new, ${day.resolved} resolved`;
    chart.append(bar);
  });
  const points = trend.map((day, index) => `${index * step + step / 2},${height - (day.opened / peak) * (height - 4)}`).join(" ");
  chart.append(svg("polyline", { points, class: "trend-new", fill: "none" }));
  return h("figure", { class: "chart" }, h("figcaption", { class: "chart-title", text: title }), chart,
    h("ul", { class: "chart-legend" },
      h("li", {}, h("span", { class: "legend-swatch swatch-open", "aria-hidden": "true" }), "Open at day end: ", h("strong", { text: String(last.open) })),
      h("li", {}, h("span", { class: "legend-swatch swatch-new", "aria-hidden": "true" }), "New per day (line)"),
      h("li", { class: "muted", text: description })));
}

export function moduleChart(modules) {
  const title = "Incidents per module";
  if (!modules.length) return h("figure", { class: "chart" }, h("figcaption", { class: "chart-title", text: title }),
    h("p", { class: "muted", text: "No incidents yet." }));
  const rows = modules.slice(0, 8);
  const peak = Math.max(1, ...rows.map((m) => m.total));
  const rowHeight = 14;
  const chart = svg("svg", { viewBox: `0 0 200 ${rows.length * rowHeight}`, class: "module-chart", role: "img",
    "aria-label": `${title}: ${rows.map((m) => `${m.module} ${m.total} (${m.open} open)`).join(", ")}` });
  rows.forEach((m, index) => {
    const y = index * rowHeight + 2;
    const label = svg("text", { x: 0, y: y + 9, class: "module-label" });
    label.textContent = m.module;
    chart.append(label,
      svg("rect", { x: 44, y, width: (m.total / peak) * 130, height: 10, class: "module-total" }),
      svg("rect", { x: 44, y, width: (m.open / peak) * 130, height: 10, class: "module-open" }));
    const count = svg("text", { x: 44 + (m.total / peak) * 130 + 4, y: y + 9, class: "module-count" });
    count.textContent = `${m.open}/${m.total}`;
    chart.append(count);
  });
  return h("figure", { class: "chart" }, h("figcaption", { class: "chart-title", text: title }), chart,
    h("ul", { class: "chart-legend" },
      h("li", {}, h("span", { class: "legend-swatch swatch-module-open", "aria-hidden": "true" }), "Open"),
      h("li", {}, h("span", { class: "legend-swatch swatch-module-total", "aria-hidden": "true" }), "All since go-live")));
}
