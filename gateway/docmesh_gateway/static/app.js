// docmesh web page: chat with the agent (streamed over SSE), the document as it will be sent
// beside its spreadsheet grid, revisions, finalizing and downloads. The session id lives in the
// URL (#session=…), so a reload or a shared link reopens the same document.
"use strict";

(function () {
  const dm = window.docmesh;
  const { state, $, api, request, sessionPath, setStatus, el } = dm;

  function setSession(id) {
    state.sessionId = id;
    $("session-label").textContent = id ? "Session " + id : "no session yet";
    history.replaceState(null, "", id ? "#session=" + encodeURIComponent(id) : location.pathname);
  }

  function addMessage(role, text) {
    const item = el("li", { className: role }, text);
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
      if (!response.ok) throw await dm.errorOf(response);
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
      await loadSessionState(); // "finalize it" in the chat numbers the document
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

  function showTotals(totals) {
    const list = $("totals");
    list.textContent = "";
    if (!totals) return;
    const rows = [["Subtotal", totals.subtotal], ["Discounts", totals.discount_total], ["Tax", totals.tax_total],
      ["Shipping", totals.shipping], ["Total", totals.total]];
    for (const [label, value] of rows) {
      if (!value || (label !== "Total" && label !== "Subtotal" && Number(value.amount) === 0)) continue;
      list.append(el("dt", {}, label),
        el("dd", { dataset: { total: label.toLowerCase() } }, value.amount + (value.currency_code ? " " + value.currency_code : "")));
    }
  }

  function refreshPreview() {
    dm.renderPreview($("preview"), state.document, {
      profile: state.profile,
      logoUrl: state.logoUrl,
      number: state.session ? state.session.document_number : "",
    });
  }

  // The session's stage and number: the badge, the Finalize button and the number in the preview.
  function showSessionState() {
    const session = state.session;
    const finalized = Boolean(session && session.stage === "SESSION_STAGE_FINALIZED");
    const badge = $("doc-state");
    badge.hidden = !state.document;
    badge.textContent = finalized ? (session.document_number || "Finalized") : "Draft";
    badge.className = "badge " + (finalized ? "final" : "draft");
    $("finalize").disabled = !state.document || finalized;
    $("finalize").textContent = finalized ? "Finalized" : "Finalize";
    for (const button of document.querySelectorAll("[data-download]")) button.disabled = !state.sessionId || !state.document;
    refreshPreview();
  }

  async function showDocument(doc) {
    const number = doc.revision_number || doc.number;
    if (number) state.latestRevision = number;
    if (doc.invoice) state.document = { invoice: doc.invoice, totals: doc.totals, msc: doc.msc };
    showTotals(doc.totals);
    if (doc.msc) {
      // Recalculate through the document service so the page shows what the formulas compute.
      const result = await api("POST", "/api/v1/documents:recalculate", { msc: doc.msc });
      dm.renderSheet($("sheet"), result.cells, doc.msc);
    }
    showSessionState();
    await loadRevisions();
  }

  async function loadRevisions() {
    const list = $("revisions");
    list.textContent = "";
    if (!state.sessionId) return;
    const data = await api("GET", sessionPath("/revisions?page_size=50"));
    for (const revision of data.revisions) {
      const total = revision.totals && revision.totals.total ? " — " + dm.money(revision.totals.total) : "";
      const item = el("li", { value: revision.number, dataset: { revision: revision.number } },
        "#" + revision.number + " " + (revision.summary || "") + total);
      if (revision.number !== state.latestRevision) {
        const restore = el("button", { type: "button", "aria-label": "Restore revision " + revision.number }, "Restore");
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
      const result = await api("POST", sessionPath("/revisions/" + number + ":revert"), {});
      await showDocument(result.revision);
      setStatus("");
    } catch (error) {
      setStatus(error.message);
    }
  }

  async function loadSessionState() {
    if (!state.sessionId) return;
    const data = await api("GET", sessionPath());
    state.session = data.session;
    showSessionState();
  }

  async function loadSession() {
    if (!state.sessionId || !state.key) return;
    try {
      const data = await api("GET", sessionPath("?view=SESSION_VIEW_FULL"));
      setSession(data.session.id);
      state.session = data.session;
      $("chat-log").textContent = "";
      for (const message of data.messages) {
        if (message.role === "MESSAGE_ROLE_USER") addMessage("user", message.content);
        else if (message.role === "MESSAGE_ROLE_ASSISTANT") addMessage("assistant", message.content);
      }
      if (data.latest_revision) await showDocument(data.latest_revision);
      else showSessionState();
    } catch (error) {
      setSession("");
      setStatus(error.message);
    }
  }

  async function finalize() {
    $("finalize").disabled = true;
    setStatus("Finalizing…");
    try {
      const result = await api("POST", sessionPath(":complete"), {});
      state.session = result.session;
      if (result.revision) await showDocument(result.revision);
      else showSessionState();
      setStatus("Finalized as " + (result.session.document_number || "a final document") + ". It can no longer change: press New document (or type a new request) for the next one.");
    } catch (error) {
      setStatus(error.message);
      showSessionState();
    }
  }

  async function download(fileName) {
    try {
      dm.saveResponse(await request("GET", sessionPath("/" + fileName)), fileName);
    } catch (error) {
      setStatus(error.message);
    }
  }

  function newDocument() {
    setSession("");
    state.latestRevision = 0;
    state.document = null;
    state.session = null;
    for (const id of ["chat-log", "totals", "sheet", "revisions"]) $(id).textContent = "";
    showSessionState();
    $("chat-input").focus();
  }

  async function openSession(id) {
    newDocument();
    setSession(id);
    await loadSession();
  }

  async function useKey() {
    try {
      await dm.loadProfile();
    } catch (error) {
      setStatus(error.message);
    }
    await loadSession();
  }

  Object.assign(dm, { refreshPreview, openSession });

  $("api-key").value = state.key;
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.key = $("api-key").value.trim();
    localStorage.setItem("docmesh.apiKey", state.key);
    useKey();
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
  $("new-session").addEventListener("click", newDocument);
  $("finalize").addEventListener("click", finalize);
  $("undo").addEventListener("click", () => { if (state.latestRevision > 1) revert(state.latestRevision - 1); });
  for (const button of document.querySelectorAll("[data-download]")) {
    button.addEventListener("click", () => download(button.dataset.download));
  }
  dm.wirePanels();
  setSession(state.sessionId);
  showSessionState();
  if (state.key) useKey();
})();
