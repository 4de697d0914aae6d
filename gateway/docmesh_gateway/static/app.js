// docmesh web page: chat with the agent (streamed over SSE), the live sheet, revisions, downloads.
// Plain browser JavaScript, no build step; every call goes through the REST gateway.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("docmesh-config").textContent || "{}");
  const $ = (id) => document.getElementById(id);
  const state = {
    key: config.devKey || localStorage.getItem("docmesh.apiKey") || "",
    sessionId: new URLSearchParams(location.hash.slice(1)).get("session") || "",
    latestRevision: 0,
    busy: false,
  };

  function setStatus(text) { $("status").textContent = text; }

  function setSession(id) {
    state.sessionId = id;
    $("session-label").textContent = id ? "session " + id : "no session yet";
    history.replaceState(null, "", id ? "#session=" + encodeURIComponent(id) : "#");
  }

  async function api(method, path, body) {
    const headers = { "X-API-Key": state.key };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw await errorOf(response);
    return response.json();
  }

  async function errorOf(response) {
    let message = response.status + " " + response.statusText;
    try {
      const data = await response.json();
      if (data && data.error && data.error.message) message = data.error.message;
    } catch (_) { /* not JSON: keep the status line */ }
    const error = new Error(message);
    error.status = response.status;
    return error;
  }

  function addMessage(role, text) {
    const item = document.createElement("li");
    item.className = role;
    item.textContent = text;
    $("chat-log").appendChild(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  // Server-Sent Events from a POST response body (EventSource cannot POST).
  async function* sseEvents(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
      }
    }
  }

  async function sendChat(text) {
    if (state.busy) return;
    state.busy = true;
    $("chat-send").disabled = true;
    addMessage("user", text);
    const bubble = addMessage("assistant", "");
    setStatus("The agent is working…");
    try {
      const response = await fetch("/api/v1/chat:stream", {
        method: "POST",
        headers: { "X-API-Key": state.key, "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ session_id: state.sessionId, message: text }),
      });
      if (!response.ok) throw await errorOf(response);
      let rendered = false;
      for await (const { event, data } of sseEvents(response)) {
        if (event === "started") setSession(data.started.session_id);
        else if (event === "text_delta") bubble.textContent += data.text_delta.text;
        else if (event === "document_ready") { rendered = true; await showDocument(data.document_ready); }
        else if (event === "done") {
          const done = data.done;
          if (!bubble.textContent) bubble.textContent = done.reply;
          if (done.session_id) setSession(done.session_id);
          if (!rendered && done.msc) await showDocument(done);
        } else if (event === "error") {
          throw new Error(data.error.message || "the turn failed");
        }
      }
      setStatus("");
    } catch (error) {
      bubble.className = "error";
      bubble.textContent = error.message;
      setStatus("");
    } finally {
      state.busy = false;
      $("chat-send").disabled = false;
    }
  }

  function money(value) {
    if (!value || value.amount === undefined) return "";
    return value.amount + (value.currency_code ? " " + value.currency_code : "");
  }

  function showTotals(totals) {
    const list = $("totals");
    list.textContent = "";
    if (!totals) return;
    const rows = [["Subtotal", totals.subtotal], ["Discounts", totals.discount_total], ["Tax", totals.tax_total],
      ["Shipping", totals.shipping], ["Total", totals.total]];
    for (const [label, value] of rows) {
      if (!value || (label !== "Total" && label !== "Subtotal" && Number(value.amount) === 0)) continue;
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = money(value);
      dd.dataset.total = label.toLowerCase();
      list.append(dt, dd);
    }
  }

  function columnNumber(letters) {
    let n = 0;
    for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n;
  }

  function columnName(n) {
    let name = "";
    while (n > 0) { const r = (n - 1) % 26; name = String.fromCharCode(65 + r) + name; n = Math.floor((n - 1) / 26); }
    return name;
  }

  // SocialCalc value types: "nd" dates are day serials (epoch 1899-12-30), "n%" fractions,
  // "n$" currency amounts; other numbers and text are shown as stored.
  function display(cell) {
    const type = cell.value_type || "";
    const number = Number(cell.value);
    if (cell.value === "" || Number.isNaN(number)) return cell.value;
    if (type.startsWith("nd")) {
      return new Date(Date.UTC(1899, 11, 30) + Math.round(number * 86400000)).toISOString().slice(0, 10);
    }
    if (type === "n%") return String(Math.round(number * 1e6) / 1e4) + "%";
    if (type === "n$") return number.toFixed(2);
    return cell.value;
  }

  function renderCells(cells) {
    const byCoord = new Map();
    let maxRow = 0, maxCol = 0;
    for (const cell of cells) {
      const match = /^([A-Z]+)(\d+)$/.exec(cell.coord);
      if (!match) continue;
      const col = columnNumber(match[1]), row = Number(match[2]);
      byCoord.set(col + ":" + row, cell);
      maxRow = Math.max(maxRow, row);
      maxCol = Math.max(maxCol, col);
    }
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    head.appendChild(document.createElement("th"));
    for (let c = 1; c <= maxCol; c++) {
      const th = document.createElement("th");
      th.textContent = columnName(c);
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (let r = 1; r <= maxRow; r++) {
      const tr = body.insertRow();
      const th = document.createElement("th");
      th.textContent = String(r);
      tr.appendChild(th);
      for (let c = 1; c <= maxCol; c++) {
        const td = tr.insertCell();
        const cell = byCoord.get(c + ":" + r);
        if (!cell) continue;
        td.dataset.coord = cell.coord;
        td.textContent = cell.error || display(cell);
        if (cell.value_type && cell.value_type.startsWith("n")) td.classList.add("num");
        if (cell.formula) { td.classList.add("formula"); td.title = "=" + cell.formula; }
      }
    }
    const sheet = $("sheet");
    sheet.textContent = "";
    sheet.appendChild(table);
  }

  async function showDocument(doc) {
    const number = doc.revision_number || doc.number;
    if (number) state.latestRevision = number;
    showTotals(doc.totals);
    if (doc.msc) {
      // Recalculate through the document service so the page shows what the formulas compute.
      const result = await api("POST", "/api/v1/documents:recalculate", { msc: doc.msc });
      renderCells(result.cells);
    }
    for (const button of document.querySelectorAll("[data-download]")) button.disabled = !state.sessionId;
    await loadRevisions();
  }

  async function loadRevisions() {
    const list = $("revisions");
    list.textContent = "";
    if (!state.sessionId) return;
    const data = await api("GET", "/api/v1/sessions/" + encodeURIComponent(state.sessionId) + "/revisions?page_size=50");
    for (const revision of data.revisions) {
      const item = document.createElement("li");
      item.value = revision.number;
      item.dataset.revision = revision.number;
      const total = revision.totals && revision.totals.total ? " — " + money(revision.totals.total) : "";
      item.textContent = "#" + revision.number + " " + (revision.summary || "") + total;
      if (revision.number !== state.latestRevision) {
        const restore = document.createElement("button");
        restore.type = "button";
        restore.textContent = "Restore";
        restore.addEventListener("click", () => revert(revision.number));
        item.appendChild(restore);
      }
      list.appendChild(item);
    }
    $("undo").disabled = state.latestRevision < 2;
  }

  async function revert(number) {
    try {
      setStatus("Restoring revision " + number + "…");
      const result = await api("POST", "/api/v1/sessions/" + encodeURIComponent(state.sessionId) + "/revisions/" + number + ":revert", {});
      await showDocument(result.revision);
      setStatus("");
    } catch (error) {
      setStatus(error.message);
    }
  }

  async function loadSession() {
    if (!state.sessionId || !state.key) return;
    try {
      const data = await api("GET", "/api/v1/sessions/" + encodeURIComponent(state.sessionId) + "?view=SESSION_VIEW_FULL");
      setSession(data.session.id);
      $("chat-log").textContent = "";
      for (const message of data.messages) {
        if (message.role === "MESSAGE_ROLE_USER") addMessage("user", message.content);
        else if (message.role === "MESSAGE_ROLE_ASSISTANT") addMessage("assistant", message.content);
      }
      if (data.latest_revision) await showDocument(data.latest_revision);
    } catch (error) {
      setSession("");
      setStatus(error.message);
    }
  }

  async function download(fileName) {
    try {
      const response = await fetch("/api/v1/sessions/" + encodeURIComponent(state.sessionId) + "/" + fileName, {
        headers: { "X-API-Key": state.key },
      });
      if (!response.ok) throw await errorOf(response);
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(disposition);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = match ? match[1] : fileName;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      setStatus(error.message);
    }
  }

  $("api-key").value = state.key;
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.key = $("api-key").value.trim();
    localStorage.setItem("docmesh.apiKey", state.key);
    loadSession();
  });
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("chat-input").value.trim();
    if (!text) return;
    if (!state.key) { setStatus("Enter your API key first."); return; }
    $("chat-input").value = "";
    sendChat(text);
  });
  $("chat-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("chat-form").requestSubmit(); }
  });
  $("new-session").addEventListener("click", () => {
    setSession("");
    state.latestRevision = 0;
    $("chat-log").textContent = "";
    $("totals").textContent = "";
    $("sheet").textContent = "";
    $("revisions").textContent = "";
    for (const button of document.querySelectorAll("[data-download]")) button.disabled = true;
  });
  $("undo").addEventListener("click", () => { if (state.latestRevision > 1) revert(state.latestRevision - 1); });
  for (const button of document.querySelectorAll("[data-download]")) {
    button.addEventListener("click", () => download(button.dataset.download));
  }
  setSession(state.sessionId);
  loadSession();
})();
