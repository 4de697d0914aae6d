"""The agent's wire forms (adapters/wire.py): each document, verdict and revision is converted
once, and what came from the wire goes back out as it came."""

from __future__ import annotations

import datetime as dt

from docmesh.document.v1 import document_service_pb2 as doc_pb2
from docmesh.session.v1 import session_service_pb2 as ses_pb2
from docmesh_agent.adapters import wire
from docmesh_agent.domain import Document, Finding, Revision, Validation
from docmesh_common.model.invoice import Invoice, from_proto, to_proto
from docmesh_common.model.totals import compute_totals
from tests.agent.conftest import INVOICE

ACME = Invoice.model_validate(INVOICE)


def test_a_verdict_read_from_the_wire_goes_back_out_as_it_came() -> None:
    report = doc_pb2.ValidationReport(
        valid=False,
        error_count=1,
        findings=[
            doc_pb2.Finding(
                level=doc_pb2.VALIDATION_LEVEL_LOGIC,
                code="stale-value",
                line=7,
                cell="D11",
                severity=doc_pb2.SEVERITY_ERROR,
                message="stale",
            )
        ],
    )
    validation = wire.validation_from_wire(report)
    assert validation.errors() == ["D11: stale"]
    assert wire.report_wire(validation) is report


def test_a_verdict_made_in_the_agent_converts_every_field() -> None:
    validation = Validation(
        valid=False,
        error_count=1,
        warning_count=1,
        findings=(
            Finding(severity="error", message="bad", cell="A1", code="x", line=3, level=2),
            Finding(severity="warning", message="odd"),
        ),
    )
    report = wire.report_wire(validation)
    assert wire.validation_from_wire(report).findings == validation.findings
    assert (report.valid, report.error_count, report.warning_count) == (False, 1, 1)


def test_a_documents_invoice_and_totals_are_converted_once() -> None:
    document = Document(invoice=ACME, msc="", validation=Validation(valid=True))
    first = wire.invoice_wire(document)
    assert wire.invoice_wire(document) is first
    assert from_proto(first) == ACME
    assert wire.totals_wire(document) == compute_totals(ACME).to_proto()
    assert wire.totals_wire(document) is wire.totals_wire(document)


def test_a_rendered_document_carries_the_invoice_as_sent_and_the_totals_as_answered() -> None:
    document = Document(invoice=ACME, msc="", validation=Validation(valid=True))
    sent = to_proto(ACME)
    answered = compute_totals(ACME).to_proto()
    wire.remember_document(document, sent, answered)
    assert wire.invoice_wire(document) is sent
    assert wire.totals_wire(document) is answered


def test_a_revision_made_in_the_agent_converts_with_the_model_totals() -> None:
    saved = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    revision = Revision(
        session_id="s", number=2, invoice=ACME, msc="m", message_id="u", summary="Edited", create_time=saved
    )
    message = wire.revision_wire(revision)
    assert (message.session_id, message.number, message.msc, message.message_id, message.summary) == (
        "s",
        2,
        "m",
        "u",
        "Edited",
    )
    assert message.totals == compute_totals(ACME).to_proto()
    assert message.create_time.ToDatetime(tzinfo=dt.UTC) == saved


def test_a_revision_read_from_the_wire_goes_back_out_as_it_came() -> None:
    message = ses_pb2.Revision(session_id="s", number=1, invoice=to_proto(ACME))
    revision = Revision(session_id="s", number=1, invoice=ACME, msc="", message_id="", summary="")
    wire.remember_revision(revision, message)
    assert wire.revision_wire(revision) is message
