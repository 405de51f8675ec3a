// API reference (issue 15.1): the OpenAPI 3.1 document the server generates from the schemas that load and dump
// (GET /api/v1/openapi.json), browsable. Operations are grouped by tag and filtered by text; each opens to show its
// parameters, its body (required fields marked; PATCH bodies are partial), and every answer it can give, problem
// documents included, with the schema's fields.

import { api } from "../api.js";
import { chip, emptyState, h, pageHeader, tableWrap, uniqueId } from "../ui.js";

const METHOD_TONES = { get: "info", post: "success", put: "warning", patch: "warning", delete: "danger" };
const DOCUMENT_URL = "/api/v1/openapi.json";

export async function render(container, { signal }) {
  const document_ = await api.get(DOCUMENT_URL, { signal });
  const operations = Object.entries(document_.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
  const tags = [...new Set(operations.map(({ operation }) => (operation.tags || ["other"])[0]))].sort();
  const filterId = uniqueId("api-filter");
  const tagId = uniqueId("api-tag");
  const filter = h("input", { id: filterId, type: "search", class: "input", placeholder: "Path, summary or operation id",
    autocomplete: "off" });
  const tagSelect = h("select", { id: tagId, class: "input" }, h("option", { value: "", text: "All areas" }),
    tags.map((tag) => h("option", { value: tag, text: tag })));
  const count = h("p", { class: "muted", "aria-live": "polite" });
  const list = h("div", { class: "api-reference" });

  function show() {
    const text = filter.value.trim().toLowerCase();
    const tag = tagSelect.value;
    const shown = operations.filter(({ path, method, operation }) =>
      (!tag || (operation.tags || ["other"])[0] === tag)
      && (!text || `${method} ${path} ${operation.summary} ${operation.operationId}`.toLowerCase().includes(text)));
    count.textContent = `${shown.length} of ${operations.length} operations`;
    const groups = tags.map((name) => [name, shown.filter(({ operation }) => (operation.tags || ["other"])[0] === name)])
      .filter(([, items]) => items.length);
    list.replaceChildren(...(groups.length ? groups.map(([name, items]) => h("section", { class: "card" },
      h("h2", { class: "card-title", text: name }),
      items.map((item) => operationView(document_, item))))
      : [emptyState("No operation matches.")]));
  }
  filter.addEventListener("input", show);
  tagSelect.addEventListener("change", show);

  container.replaceChildren(
    pageHeader({
      title: "API reference",
      subtitle: `${document_.info.title} ${document_.info.version} · OpenAPI ${document_.openapi}. `
        + "Send a session's token or an API token as Authorization: Bearer …",
      actions: [h("a", { class: "btn btn-secondary", href: DOCUMENT_URL, download: "meridian-openapi.json",
        text: "Download openapi.json" })],
    }),
    h("div", { class: "form-grid" },
      h("div", { class: "field" }, h("label", { for: filterId, text: "Filter" }), filter),
      h("div", { class: "field" }, h("label", { for: tagId, text: "Area" }), tagSelect)),
    count, list);
  show();
}

function operationView(document_, { path, method, operation }) {
  const body = h("div", { class: "api-operation-body" });
  const details = h("details", { class: "api-operation", dataset: { operationId: operation.operationId } },
    h("summary", {}, chip(method.toUpperCase(), METHOD_TONES[method] || "neutral"), " ",
      h("code", { text: path }), " ", h("span", { text: operation.summary || "" })),
    body);
  details.addEventListener("toggle", () => {
    if (details.open && !body.childElementCount) body.append(...operationDetails(document_, operation));
  }, { once: false });
  return details;
}

function operationDetails(document_, operation) {
  const parts = [];
  if (operation.description) parts.push(h("p", { text: operation.description }));
  parts.push(h("p", { class: "muted", text: operation.security ? "Needs a bearer token." : "No token needed." }));
  if (operation.parameters && operation.parameters.length) {
    parts.push(h("h3", { text: "Parameters" }), tableWrap(h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["Name", "In", "Type", "Required", "Description"].map((t) => h("th", { text: t })))),
      h("tbody", {}, operation.parameters.map((p) => h("tr", {},
        h("td", {}, h("code", { text: p.name })), h("td", { text: p.in }), h("td", { text: typeText(document_, p.schema) }),
        h("td", { text: p.required ? "yes" : "" }), h("td", { text: p.description || "" }))))), "Parameters"));
  }
  if (operation.requestBody) {
    const [mediaType, content] = Object.entries(operation.requestBody.content)[0];
    parts.push(h("h3", { text: `Body (${mediaType})` }), h("div", { class: "api-body" }, schemaView(document_, content.schema)));
  }
  parts.push(h("h3", { text: "Answers" }));
  for (const [status, response] of Object.entries(operation.responses)) {
    const content = Object.entries(response.content || {})[0];
    parts.push(h("div", { class: "api-response" },
      h("p", {}, h("strong", { text: status }), ` ${response.description || ""}`,
        content ? h("span", { class: "muted", text: ` · ${content[0]}` }) : null),
      content && content[1].schema && !status.startsWith("4") ? schemaView(document_, content[1].schema) : null));
  }
  return parts;
}

function resolve(document_, schema) {
  let current = schema || {};
  for (let depth = 0; current.$ref && depth < 10; depth += 1) {
    current = current.$ref.replace(/^#\//, "").split("/").reduce((node, key) => (node ? node[key] : undefined), document_) || {};
  }
  return current;
}

function refName(schema) {
  return schema && schema.$ref ? schema.$ref.split("/").pop() : "";
}

function typeText(document_, schema) {
  if (!schema) return "any";
  if (schema.$ref) return refName(schema);
  if (schema.anyOf) return schema.anyOf.map((s) => typeText(document_, s)).join(" | ");
  const types = [].concat(schema.type || "any");
  const base = types.map((t) => (t === "array" ? `array of ${typeText(document_, schema.items)}` : t)).join(" | ");
  const extra = [schema.format, schema.enum ? `one of ${schema.enum.map(String).join(", ")}` : null].filter(Boolean);
  return extra.length ? `${base} (${extra.join("; ")})` : base;
}

function schemaView(document_, schema) {
  const resolved = resolve(document_, schema);
  const name = refName(schema) || (resolved.properties && resolved.properties.items ? "Page" : "");
  const properties = Object.entries(resolved.properties || {});
  if (!properties.length) return h("p", { class: "muted", text: typeText(document_, schema) });
  const required = new Set(resolved.required || []);
  return h("div", {},
    name ? h("p", {}, h("code", { text: name }), resolved.description ? ` — ${resolved.description}` : "") : null,
    tableWrap(h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["Field", "Type", "Required", "Notes"].map((t) => h("th", { text: t })))),
      h("tbody", {}, properties.map(([field, property]) => h("tr", {},
        h("td", {}, h("code", { text: field })),
        h("td", { text: typeText(document_, property) }),
        h("td", { text: required.has(field) ? "required" : "" }),
        h("td", { text: [property.readOnly ? "read-only" : "", property.writeOnly ? "write-only" : "",
          property.description || ""].filter(Boolean).join(" · ") }))))), `Fields of ${name || "the schema"}`));
}
