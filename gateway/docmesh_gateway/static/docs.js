// Renders /openapi.json as a browsable page: operations by tag, parameters, bodies and schemas.
"use strict";

(async function () {
  const root = document.getElementById("docs");
  const spec = await (await fetch("/openapi.json")).json();
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const child of children) node.append(child);
    return node;
  };
  const refName = (schema) => (schema && schema.$ref ? schema.$ref.split("/").pop() : "");
  const typeOf = (schema) => {
    if (!schema) return "";
    if (schema.$ref) return refName(schema);
    if (schema.type === "array") return typeOf(schema.items) + "[]";
    return schema.type + (schema.format ? " (" + schema.format + ")" : "");
  };
  root.textContent = "";
  root.append(el("p", {}, spec.info.description || ""));
  const byTag = new Map();
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [verb, op] of Object.entries(operations)) {
      const tag = (op.tags && op.tags[0]) || "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, verb, op });
    }
  }
  const tagInfo = new Map((spec.tags || []).map((t) => [t.name, t.description]));
  for (const [tag, ops] of byTag) {
    const section = el("section", { class: "tag" }, el("h2", {}, tag), el("p", { class: "muted" }, tagInfo.get(tag) || ""));
    for (const { path, verb, op } of ops) {
      const body = el("div", { class: "body" }, el("p", {}, op.description || op.summary || ""));
      if (op.parameters && op.parameters.length) {
        const table = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "type"), el("th", {}, "description")));
        for (const p of op.parameters) {
          table.append(el("tr", {}, el("td", {}, el("code", {}, p.name)), el("td", {}, p.in), el("td", {}, typeOf(p.schema)), el("td", {}, p.description || "")));
        }
        body.append(table);
      }
      if (op.requestBody) {
        // JSON for most operations; an upload (logo) takes raw bytes of any media type.
        const [type, media] = Object.entries(op.requestBody.content)[0];
        body.append(el("p", {}, "Body: ", el("code", {}, type + " " + typeOf(media.schema))));
      }
      for (const [status, response] of Object.entries(op.responses)) {
        const content = response.content || {};
        const type = Object.keys(content)[0] || "";
        const schema = type ? content[type].schema : null;
        body.append(el("p", {}, el("code", {}, status), " " + (response.description || "") + " ", el("code", {}, type + " " + typeOf(schema))));
      }
      section.append(el("details", { class: "op", id: op.operationId },
        el("summary", {}, el("span", { class: "verb " + verb }, verb.toUpperCase()), path, el("span", { class: "muted" }, "  " + (op.summary || ""))),
        body));
    }
    root.append(section);
  }
  const schemas = el("section", { class: "tag" }, el("h2", {}, "Schemas"));
  for (const [name, schema] of Object.entries(spec.components.schemas)) {
    schemas.append(el("details", { class: "op", id: name }, el("summary", {}, name), el("div", { class: "body" }, el("pre", {}, JSON.stringify(schema, null, 2)))));
  }
  root.append(schemas);
})();
