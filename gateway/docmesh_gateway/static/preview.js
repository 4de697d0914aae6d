// The document as it will be sent: the same blocks as the PDF (logo, seller, buyer, title,
// number or DRAFT, dates, lines, totals with the tax breakdown, payment terms and bank, notes,
// footer), laid out in HTML from the revision's invoice and the totals the services computed.
"use strict";

(function () {
  const { el, KINDS } = window.docmesh;
  // Mirrors CITY_BEFORE_POSTAL_CODE in services/document/docmesh_document/labels.py.
  const CITY_BEFORE_POSTAL_CODE = new Set(["US", "CA", "GB", "AU", "NZ", "IE", "ZA", "SG", "IN", "KR", "JP"]);

  function money(value, currency) {
    if (!value || value.amount === undefined || value.amount === "") return "";
    const code = value.currency_code || currency || "";
    const amount = Number(value.amount);
    if (!code || Number.isNaN(amount)) return value.amount + (code ? " " + code : "");
    try {
      return new Intl.NumberFormat("en-US", { style: "currency", currency: code }).format(amount);
    } catch (_) {
      return value.amount + " " + code;
    }
  }

  function country(code) {
    if (!code) return "";
    try {
      return new Intl.DisplayNames(["en"], { type: "region" }).of(code.toUpperCase()) || code;
    } catch (_) {
      return code;
    }
  }

  function partyBlock(heading, party) {
    party = party || {};
    // As labels.party_lines prints it in the PDF and the sheet.
    const cityFirst = CITY_BEFORE_POSTAL_CODE.has(party.country_code);
    const cityLine = (cityFirst ? [party.city, party.postal_code] : [party.postal_code, party.city])
      .filter(Boolean)
      .join(" ");
    const lines = [
      ...(party.address_lines || []),
      cityLine,
      country(party.country_code),
      party.email,
      party.phone,
      party.website,
      party.tax_id ? "Tax ID " + party.tax_id : "",
      party.company_id ? "Company no. " + party.company_id : "",
    ].filter(Boolean);
    return el("div", { className: "party" },
      el("h3", {}, heading),
      el("p", { className: "party-name" }, party.name || "—"),
      lines.map((line) => el("p", {}, line)));
  }

  function precedingInvoice(invoice) {
    const preceding = invoice.kind === "DOCUMENT_KIND_CREDIT_NOTE" ? invoice.preceding_invoice : null;
    if (!preceding || !preceding.number) return "";
    return preceding.issue_date ? `${preceding.number} (${preceding.issue_date})` : preceding.number;
  }

  function lineDiscount(line) {
    const discount = line.discount;
    if (!discount) return "";
    if (discount.percent) return discount.percent + "%";
    return discount.amount ? money(discount.amount) : "";
  }

  function totalsRows(invoice, totals) {
    const currency = invoice.currency_code;
    const rows = [["Subtotal", totals.subtotal]];
    if (Number((totals.discount_total || {}).amount || 0) !== 0) {
      rows.push(["Discounts", { amount: "-" + totals.discount_total.amount, currency_code: currency }]);
    }
    for (const tax of totals.taxes || []) rows.push([tax.name + " " + tax.rate_percent + "%", tax.amount]);
    if (Number((totals.shipping || {}).amount || 0) !== 0) rows.push(["Shipping", totals.shipping]);
    rows.push(["Total", totals.total]);
    if (invoice.kind === "DOCUMENT_KIND_RECEIPT" || Number((totals.amount_paid || {}).amount || 0) !== 0) {
      rows.push(["Amount paid", totals.amount_paid]);
      rows.push(["Balance due", totals.balance_due]);
    }
    return rows.map(([label, value]) =>
      el("tr", { className: label === "Total" ? "grand" : "" },
        el("th", { scope: "row" }, label),
        el("td", { dataset: { preview: label.toLowerCase().replace(/\s+/g, "-") } }, money(value, currency))));
  }

  function bankLines(bank) {
    bank = bank || {};
    return [
      bank.account_holder ? "Account holder: " + bank.account_holder : "",
      bank.iban ? "IBAN " + bank.iban : "",
      bank.bic ? "BIC " + bank.bic : "",
      bank.text,
    ].filter(Boolean);
  }

  // The preview of one revision; `number` is the session's document number once finalized.
  function renderPreview(container, doc, context) {
    container.textContent = "";
    if (!doc || !doc.invoice) {
      container.appendChild(el("p", { className: "muted" }, "The document appears here once the agent has drafted it."));
      return;
    }
    const invoice = doc.invoice;
    const totals = doc.totals || {};
    const profile = context.profile || {};
    const number = invoice.number || context.number || "";
    const title = invoice.title || KINDS[invoice.kind] || "Invoice";
    const dates = [
      ["Number", number || "DRAFT"],
      ["Date", invoice.issue_date],
      ["Due date", invoice.due_date],
      ["Valid until", invoice.valid_until],
      ["Delivery date", invoice.delivery_date],
      ["Reference", invoice.reference],
      ["Paid by", invoice.payment_method],
      // A credit note names the invoice it corrects (BG-3), as the sheet and the PDF print it.
      ["Credit note for invoice", precedingInvoice(invoice)],
    ].filter(([, value]) => value);
    const amounts = totals.line_amounts || [];
    const items = invoice.line_items || [];
    // A discount column with nothing in it is left out (it would only narrow the others).
    const discounts = items.some((line) => lineDiscount(line));
    const headings = ["Description", "Qty", "Unit", "Unit price", discounts ? "Discount" : null, "Tax", "Amount"];
    const lines = items.map((line, index) =>
      el("tr", {},
        el("td", {}, line.description),
        el("td", { className: "num" }, line.quantity),
        el("td", {}, line.unit),
        el("td", { className: "num" }, money(line.unit_price, invoice.currency_code)),
        discounts ? el("td", { className: "num" }, lineDiscount(line)) : null,
        el("td", {}, line.tax_exempt ? "exempt" : (line.tax_names || []).join(", ")),
        el("td", { className: "num" }, money(amounts[index], invoice.currency_code))));
    const bank = bankLines(profile.bank);
    const page = el("article", { className: "paper", "aria-label": title + " preview" },
      el("header", { className: "paper-head" },
        el("div", {},
          context.logoUrl ? el("img", { className: "logo", src: context.logoUrl, alt: "Logo" }) : null,
          partyBlock("From", invoice.seller)),
        el("div", { className: "paper-title" },
          el("h2", {}, title),
          el("dl", {}, dates.map(([label, value]) =>
            [el("dt", {}, label), el("dd", { dataset: { field: label.toLowerCase() } }, value)])))),
      partyBlock(invoice.kind === "DOCUMENT_KIND_PURCHASE_ORDER" ? "Supplier" : "Bill to", invoice.buyer),
      el("div", { className: "scroll-x" }, el("table", { className: "lines" },
        el("caption", { className: "visually-hidden" }, "Lines"),
        el("thead", {}, el("tr", {},
          headings.filter(Boolean).map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, lines))),
      el("table", { className: "sums" }, el("tbody", {}, totalsRows(invoice, totals))),
      invoice.payment_terms ? el("p", {}, el("strong", {}, "Payment terms: "), invoice.payment_terms) : null,
      bank.length ? el("div", { className: "bank" }, el("h3", {}, "Bank details"), bank.map((l) => el("p", {}, l))) : null,
      invoice.notes ? el("p", { className: "notes" }, invoice.notes) : null,
      profile.footer ? el("footer", {}, profile.footer) : null);
    container.appendChild(page);
  }

  Object.assign(window.docmesh, { renderPreview, money });
})();
