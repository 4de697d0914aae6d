// The spreadsheet grid: the recalculated cells, shown with the sheet's own number formats
// (SocialCalc "valueformat" entries) and without its hidden helper columns.
"use strict";

(function () {
  const { el } = window.docmesh;

  // How many values follow each attribute of a SocialCalc "cell:" line.
  const CELL_ATTRIBUTE_VALUES = {
    v: 1, t: 1, vt: 2, vtf: 3, vtc: 3, e: 1, b: 4, l: 1, f: 1, c: 1, bg: 1, cf: 1, cvf: 1, tvf: 1,
    ntvf: 1, colspan: 1, rowspan: 1, cssc: 1, csss: 1, mod: 1, comment: 1, ro: 1,
  };

  function unescape(text) {
    return text.replace(/\\c/g, ":").replace(/\\n/g, "\n").replace(/\\b/g, "\\");
  }

  // What the grid needs from the saved sheet: hidden columns, value formats and each cell's format.
  function sheetLayout(msc) {
    const layout = { hidden: new Set(), formats: new Map(), cellFormat: new Map() };
    for (const line of (msc || "").split(/\r?\n/)) {
      const parts = line.split(":");
      if (parts[0] === "col") {
        for (let i = 2; i + 1 < parts.length; i += 2) {
          if (parts[i] === "hide" && parts[i + 1] === "yes") layout.hidden.add(parts[1]);
        }
      } else if (parts[0] === "valueformat" && parts.length >= 3) {
        layout.formats.set(parts[1], unescape(parts.slice(2).join(":")));
      } else if (parts[0] === "cell" && parts.length > 2) {
        let i = 2;
        while (i < parts.length) {
          const name = parts[i];
          const count = CELL_ATTRIBUTE_VALUES[name];
          if (count === undefined) break;
          if (name === "ntvf") layout.cellFormat.set(parts[1], parts[i + 1]);
          i += 1 + count;
        }
      }
    }
    return layout;
  }

  function splitSections(format) {
    const sections = [];
    let current = "", quoted = false;
    for (const ch of format) {
      if (ch === '"') quoted = !quoted;
      if (ch === ";" && !quoted) { sections.push(current); current = ""; } else current += ch;
    }
    sections.push(current);
    return sections;
  }

  function dateText(serial, pattern) {
    const date = new Date(Date.UTC(1899, 11, 30) + Math.round(serial * 86400000));
    const pad = (n) => String(n).padStart(2, "0");
    return pattern
      .replace(/yyyy/i, String(date.getUTCFullYear()))
      .replace(/mm/i, pad(date.getUTCMonth() + 1))
      .replace(/dd/i, pad(date.getUTCDate()));
  }

  // A number in a spreadsheet format such as "#,##0.00", "0%", "yyyy-mm-dd" or '"✓";;""'.
  function formatNumber(number, format) {
    const sections = splitSections(format);
    let section = sections[0];
    let value = number;
    if (number < 0 && sections.length > 1) { section = sections[1]; value = -number; }
    else if (number === 0 && sections.length > 2) section = sections[2];
    const literal = /^"([^"]*)"$/.exec(section.trim());
    if (literal) return literal[1];
    if (section.trim() === "" && sections.length > 1) return "";
    if (/y{2,4}|d{1,2}/i.test(section)) return dateText(value, section);
    const percent = section.includes("%");
    if (percent) value *= 100;
    const decimals = (/\.([0#]+)/.exec(section) || ["", ""])[1].length;
    const text = new Intl.NumberFormat("en-US", {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      useGrouping: section.includes(","),
    }).format(value);
    return text + (percent ? "%" : "");
  }

  // SocialCalc value types without a format: "nd" day serials, "n%" fractions, "n$" money.
  function display(cell, layout) {
    const number = Number(cell.value);
    if (cell.value === "" || Number.isNaN(number) || !(cell.value_type || "").startsWith("n")) return cell.value;
    const format = layout.formats.get(layout.cellFormat.get(cell.coord) || "");
    if (format && format !== "General") return formatNumber(number, format);
    const type = cell.value_type;
    if (type.startsWith("nd")) return dateText(number, "yyyy-mm-dd");
    if (type === "n%") return String(Math.round(number * 1e6) / 1e4) + "%";
    if (type === "n$") return number.toFixed(2);
    return cell.value;
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

  // The grid as a table: row numbers and column letters, visible columns only.
  function renderSheet(container, cells, msc) {
    const layout = sheetLayout(msc);
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
    const columns = [];
    for (let c = 1; c <= maxCol; c++) if (!layout.hidden.has(columnName(c))) columns.push(c);
    const table = el("table", {});
    const head = table.createTHead().insertRow();
    head.appendChild(el("th", { scope: "col" }, el("span", { className: "visually-hidden" }, "Row")));
    for (const c of columns) head.appendChild(el("th", { scope: "col" }, columnName(c)));
    const body = table.createTBody();
    for (let r = 1; r <= maxRow; r++) {
      const tr = body.insertRow();
      tr.appendChild(el("th", { scope: "row" }, String(r)));
      for (const c of columns) {
        const td = tr.insertCell();
        const cell = byCoord.get(c + ":" + r);
        if (!cell) continue;
        td.dataset.coord = cell.coord;
        td.textContent = cell.error || display(cell, layout);
        if (cell.value_type && cell.value_type.startsWith("n")) td.classList.add("num");
        if (cell.formula) { td.classList.add("formula"); td.title = "=" + cell.formula; }
      }
    }
    container.textContent = "";
    container.appendChild(table);
  }

  Object.assign(window.docmesh, { renderSheet, formatNumber, sheetLayout });
})();
