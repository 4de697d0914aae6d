// docmesh web page, shared part: the API key, calls to the REST gateway, error display.
// Plain browser JavaScript, no build step; every file adds its part to window.docmesh.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("docmesh-config").textContent || "{}");
  const state = {
    key: config.devKey || localStorage.getItem("docmesh.apiKey") || "",
    sessionId: new URLSearchParams(location.hash.slice(1)).get("session") || "",
    latestRevision: 0,
    busy: false,
    profile: null,
    logoUrl: "",
    document: null, // the latest revision shown: { invoice, totals, msc }
    session: null,
  };

  const $ = (id) => document.getElementById(id);

  // An error thrown by api(): the gateway's message, and the field it names (if any).
  async function errorOf(response) {
    let message = response.status + " " + response.statusText;
    let field = "";
    try {
      const data = await response.json();
      if (data && data.error) {
        if (data.error.message) message = data.error.message;
        for (const detail of data.error.details || []) {
          for (const violation of detail.field_violations || []) field = field || violation.field;
        }
      }
    } catch (_) { /* not JSON: keep the status line */ }
    const error = new Error(message);
    error.status = response.status;
    error.field = field;
    return error;
  }

  async function request(method, path, body, contentType) {
    const headers = { "X-API-Key": state.key };
    let payload;
    if (body !== undefined) {
      headers["Content-Type"] = contentType || "application/json";
      payload = contentType ? body : JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async function api(method, path, body) {
    return (await request(method, path, body)).json();
  }

  function sessionPath(suffix) {
    return "/api/v1/sessions/" + encodeURIComponent(state.sessionId) + (suffix || "");
  }

  function setStatus(text) { $("status").textContent = text; }

  // Saves a response body as a file, named by the gateway's Content-Disposition.
  async function saveResponse(response, fallbackName) {
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = match ? match[1] : fallbackName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // One element with attributes and children; text children become text nodes (never HTML).
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === "") continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const KINDS = {
    DOCUMENT_KIND_INVOICE: "Invoice",
    DOCUMENT_KIND_QUOTE: "Quote",
    DOCUMENT_KIND_RECEIPT: "Receipt",
    DOCUMENT_KIND_PURCHASE_ORDER: "Purchase order",
    DOCUMENT_KIND_CREDIT_NOTE: "Credit note",
  };
  const STAGES = {
    SESSION_STAGE_COLLECTING: "Collecting",
    SESSION_STAGE_DRAFTED: "Draft",
    SESSION_STAGE_FINALIZED: "Finalized",
  };

  window.docmesh = { state, $, api, request, errorOf, sessionPath, setStatus, saveResponse, el, KINDS, STAGES };
})();
