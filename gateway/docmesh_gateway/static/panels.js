// The panels beside the document: the business profile (with its logo), the customers, and
// the owner's past documents. Each is a <dialog>; its form fields are built from one list per
// kind of record, so the seller and a customer share the party fields.
"use strict";

(function () {
  const { state, $, api, request, el, KINDS, STAGES } = window.docmesh;

  const PARTY_FIELDS = [
    { name: "name", label: "Name", required: true },
    { name: "address_lines", label: "Street address (one line per row)", type: "lines" },
    { name: "postal_code", label: "Postal code" },
    { name: "city", label: "City" },
    { name: "country_code", label: "Country code (ISO, e.g. DE, US)", maxlength: 2 },
    { name: "email", label: "Email", type: "email" },
    { name: "phone", label: "Phone", type: "tel" },
    { name: "tax_id", label: "Tax ID (VAT number)" },
    { name: "company_id", label: "Company registration number" },
    { name: "website", label: "Website" },
  ];
  const TERMS_FIELDS = [
    { name: "default_currency_code", label: "Default currency (e.g. EUR)", maxlength: 3 },
    { name: "default_payment_terms", label: "Default payment terms (e.g. Net 30)" },
    { name: "default_payment_days", label: "Days to pay", type: "number" },
  ];
  const within = (prefix, fields, legend) => ({ legend, fields: fields.map((f) => ({ ...f, name: prefix + f.name })) });
  const PROFILE_FORM = [
    within("seller.", PARTY_FIELDS, "Your business"),
    { legend: "Bank details", fields: [
      { name: "bank.iban", label: "IBAN" },
      { name: "bank.bic", label: "BIC" },
      { name: "bank.account_holder", label: "Account holder (if not the business)" },
      { name: "bank.text", label: "Other bank details", type: "lines" },
    ] },
    { legend: "Defaults for new documents", fields: [
      ...TERMS_FIELDS,
      { name: "default_notes", label: "Notes", type: "lines" },
      { name: "footer", label: "Footer (every page)" },
      { name: "language", label: "Language", type: "select",
        options: [["en", "English"], ["es", "Español"], ["de", "Deutsch"], ["fr", "Français"]] },
    ] },
    { legend: "Numbering ({seq:04} is the running number, {YYYY} the year)", fields: [
      { name: "numbering.invoice", label: "Invoices" },
      { name: "numbering.quote", label: "Quotes" },
      { name: "numbering.receipt", label: "Receipts" },
      { name: "numbering.purchase_order", label: "Purchase orders" },
      { name: "numbering.credit_note", label: "Credit notes" },
    ] },
  ];
  const CUSTOMER_FORM = [within("party.", PARTY_FIELDS, "Customer"), { legend: "Terms", fields: TERMS_FIELDS }];

  const fieldsOf = (groups) => groups.flatMap((group) => group.fields);

  function buildForm(form, groups, idPrefix) {
    const body = form.querySelector(".fields");
    body.textContent = "";
    for (const group of groups) {
      const fieldset = el("fieldset", {}, el("legend", {}, group.legend));
      for (const field of group.fields) {
        const id = idPrefix + "-" + field.name.replace(/\./g, "-");
        let input;
        if (field.type === "lines") input = el("textarea", { id, name: field.name, rows: 2 });
        else if (field.type === "select") {
          input = el("select", { id, name: field.name }, field.options.map(([value, text]) => el("option", { value }, text)));
        } else {
          input = el("input", { id, name: field.name, type: field.type || "text", maxlength: field.maxlength,
            required: field.required, min: field.type === "number" ? 0 : undefined });
        }
        fieldset.append(el("div", { className: "field" }, el("label", { for: id }, field.label), input));
      }
      body.append(fieldset);
    }
  }

  function getPath(object, path) {
    return path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), object);
  }

  function fillForm(form, groups, record) {
    for (const field of fieldsOf(groups)) {
      const input = form.elements.namedItem(field.name);
      const value = getPath(record, field.name);
      if (field.name.endsWith("address_lines")) input.value = (value || []).join("\n");
      else input.value = value === undefined || value === null ? (field.type === "select" ? "en" : "") : value;
    }
  }

  function readForm(form, groups) {
    const record = {};
    for (const field of fieldsOf(groups)) {
      const raw = form.elements.namedItem(field.name).value;
      let value = raw.trim();
      if (field.name.endsWith("address_lines")) value = raw.split("\n").map((l) => l.trim()).filter(Boolean);
      else if (field.type === "number") value = value === "" ? 0 : Number(value);
      else if (field.name.endsWith("country_code") || field.name.endsWith("currency_code")) value = value.toUpperCase();
      const keys = field.name.split(".");
      let node = record;
      for (const key of keys.slice(0, -1)) node = node[key] = node[key] || {};
      node[keys[keys.length - 1]] = value;
    }
    return record;
  }

  // Shows a request's error in the form, on the input of the field it names.
  function showFormError(form, error) {
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const alert = form.querySelector(".form-error");
    alert.textContent = error ? error.message : "";
    if (!error || !error.field) return;
    const names = [...form.elements].map((e) => e.name).filter(Boolean);
    const name = names.find((n) => error.field === n || error.field.endsWith("." + n) || n.endsWith("." + error.field));
    if (name) {
      const input = form.elements.namedItem(name);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", alert.id);
      input.focus();
    }
  }

  // Profile

  async function loadProfile() {
    if (!state.key) return null;
    const data = await api("GET", "/api/v1/profile");
    state.profile = data.profile;
    await loadLogo();
    return state.profile;
  }

  async function loadLogo() {
    if (state.logoUrl) URL.revokeObjectURL(state.logoUrl);
    state.logoUrl = "";
    if (!state.profile || !state.profile.logo || !state.profile.logo.content_type) return;
    const response = await request("GET", "/api/v1/profile/logo");
    state.logoUrl = URL.createObjectURL(await response.blob());
  }

  function showLogo() {
    const box = $("logo-current");
    box.textContent = "";
    if (state.logoUrl) box.append(el("img", { src: state.logoUrl, alt: "Current logo" }));
    else box.append(el("span", { className: "muted" }, "No logo"));
    $("logo-remove").disabled = !state.logoUrl;
  }

  // The form is filled from the stored profile once it arrives: until then its fields are
  // disabled, so nothing typed meanwhile is overwritten by the stored values (and lost on save).
  function setLoading(form, loading) {
    for (const field of form.elements) field.disabled = loading;
    form.setAttribute("aria-busy", String(loading));
  }

  async function openProfile() {
    const form = $("profile-form");
    showFormError(form, null);
    setLoading(form, true);
    $("profile-dialog").showModal();
    try {
      fillForm(form, PROFILE_FORM, (await loadProfile()) || {});
    } catch (error) {
      showFormError(form, error);
    } finally {
      setLoading(form, false);
    }
    showLogo();
  }

  async function saveProfile(event) {
    event.preventDefault();
    const form = $("profile-form");
    try {
      const data = await api("PATCH", "/api/v1/profile", readForm(form, PROFILE_FORM));
      state.profile = data.profile;
      showFormError(form, null);
      $("profile-dialog").close();
      window.docmesh.refreshPreview();
      window.docmesh.setStatus("Profile saved.");
    } catch (error) {
      showFormError(form, error);
    }
  }

  async function uploadLogo() {
    const file = $("logo-file").files[0];
    const form = $("profile-form");
    if (!file) return;
    try {
      await request("PUT", "/api/v1/profile/logo", await file.arrayBuffer(), file.type || "application/octet-stream");
      await loadProfile();
      showFormError(form, null);
    } catch (error) {
      showFormError(form, error);
    }
    $("logo-file").value = "";
    showLogo();
    window.docmesh.refreshPreview();
  }

  async function removeLogo() {
    try {
      await request("DELETE", "/api/v1/profile/logo");
      await loadProfile();
    } catch (error) {
      showFormError($("profile-form"), error);
    }
    showLogo();
    window.docmesh.refreshPreview();
  }

  // Customers

  const customers = { pageToken: "", editing: "", request: 0 };

  async function listCustomers(append) {
    const list = $("customer-list");
    const params = new URLSearchParams({ page_size: "20", query: $("customer-search").value.trim() });
    if (append && customers.pageToken) params.set("page_token", customers.pageToken);
    const ticket = ++customers.request;
    try {
      const data = await api("GET", "/api/v1/customers?" + params);
      if (ticket !== customers.request) return; // a newer search is on its way
      if (!append) list.textContent = "";
      for (const customer of data.customers) {
        const party = customer.party || {};
        list.append(el("li", { dataset: { customer: customer.id } },
          el("span", { className: "grow" }, el("strong", {}, party.name),
            [party.city, party.country_code].filter(Boolean).length ? " — " + [party.city, party.country_code].filter(Boolean).join(", ") : ""),
          button("Edit", () => editCustomer(customer), "Edit " + party.name),
          button("Delete", () => deleteCustomer(customer), "Delete " + party.name)));
      }
      if (!list.children.length) list.append(el("li", { className: "muted" }, "No customers yet."));
      customers.pageToken = data.next_page_token || "";
      $("customer-more").hidden = !customers.pageToken;
    } catch (error) {
      showFormError($("customer-form"), error);
    }
  }

  function button(text, onClick, label) {
    const node = el("button", { type: "button", "aria-label": label }, text);
    node.addEventListener("click", onClick);
    return node;
  }

  function editCustomer(customer) {
    const form = $("customer-form");
    customers.editing = customer ? customer.id : "";
    fillForm(form, CUSTOMER_FORM, customer || {});
    showFormError(form, null);
    $("customer-form-title").textContent = customer ? "Edit customer" : "New customer";
    form.elements.namedItem("party.name").focus();
  }

  async function saveCustomer(event) {
    event.preventDefault();
    const form = $("customer-form");
    const record = readForm(form, CUSTOMER_FORM);
    try {
      if (customers.editing) await api("PATCH", "/api/v1/customers/" + encodeURIComponent(customers.editing), record);
      else await api("POST", "/api/v1/customers", record);
      window.docmesh.setStatus("Customer " + record.party.name + " saved.");
      editCustomer(null);
      await listCustomers(false);
    } catch (error) {
      showFormError(form, error);
    }
  }

  async function deleteCustomer(customer) {
    const name = (customer.party || {}).name || "this customer";
    if (!window.confirm("Delete " + name + "?")) return;
    try {
      await api("DELETE", "/api/v1/customers/" + encodeURIComponent(customer.id));
      if (customers.editing === customer.id) editCustomer(null);
      await listCustomers(false);
    } catch (error) {
      showFormError($("customer-form"), error);
    }
  }

  function openCustomers() {
    editCustomer(null);
    listCustomers(false);
    $("customers-dialog").showModal();
  }

  // Past documents

  // Typing and choosing filters start overlapping searches; only the latest one is shown.
  let documentsRequest = 0;

  async function listDocuments() {
    const list = $("document-list");
    const params = new URLSearchParams({ page_size: "50" });
    const query = $("document-search").value.trim();
    if (query) params.set("query", query);
    if ($("document-kind").value) params.set("document_kind", $("document-kind").value);
    if ($("document-stage").value) params.set("stage", $("document-stage").value);
    const ticket = ++documentsRequest;
    try {
      const data = await api("GET", "/api/v1/sessions?" + params);
      if (ticket !== documentsRequest) return; // a newer search is on its way
      list.textContent = "";
      for (const session of data.sessions) {
        const when = (session.update_time || session.create_time || "").slice(0, 10);
        const label = session.document_number || session.title || "Untitled";
        list.append(el("li", { dataset: { session: session.id } },
          el("span", { className: "grow" },
            el("strong", {}, label),
            el("span", { className: "muted" },
              " " + [KINDS[session.document_kind], STAGES[session.stage], when].filter(Boolean).join(" · "))),
          button("Open", () => { $("documents-dialog").close(); window.docmesh.openSession(session.id); }, "Open " + label)));
      }
      if (!list.children.length) list.append(el("li", { className: "muted" }, "No documents match."));
    } catch (error) {
      list.textContent = "";
      list.append(el("li", { className: "error" }, error.message));
    }
  }

  function openDocuments() {
    listDocuments();
    $("documents-dialog").showModal();
  }

  function wire() {
    buildForm($("profile-form"), PROFILE_FORM, "profile");
    buildForm($("customer-form"), CUSTOMER_FORM, "customer");
    $("open-profile").addEventListener("click", openProfile);
    $("open-customers").addEventListener("click", openCustomers);
    $("open-documents").addEventListener("click", openDocuments);
    $("profile-form").addEventListener("submit", saveProfile);
    $("customer-form").addEventListener("submit", saveCustomer);
    $("customer-new").addEventListener("click", () => editCustomer(null));
    $("customer-more").addEventListener("click", () => listCustomers(true));
    $("customer-search").addEventListener("input", () => listCustomers(false));
    $("logo-file").addEventListener("change", uploadLogo);
    $("logo-remove").addEventListener("click", removeLogo);
    for (const id of ["document-search", "document-kind", "document-stage"]) {
      $(id).addEventListener(id === "document-search" ? "input" : "change", listDocuments);
    }
    for (const close of document.querySelectorAll("dialog [data-close]")) {
      close.addEventListener("click", () => close.closest("dialog").close());
    }
  }

  Object.assign(window.docmesh, { wirePanels: wire, loadProfile });
})();
