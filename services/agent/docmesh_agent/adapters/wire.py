"""Wire forms of the agent's documents, revisions and sessions, each converted at most once.

A document's invoice goes out on up to three hops in one turn (the render request, the
revision in CommitTurn, the reply to the client); a revision read from the session service
may go back out unchanged (RevertRevision's answer). The adapters remember the message each
domain object was made from or sent as, keyed by the object itself (weakly: the entry goes
with the object), and every later hop reuses it instead of converting again. Domain objects
are immutable, so a remembered form cannot go stale.
"""

from __future__ import annotations

import weakref

from docmesh.document.v1 import document_service_pb2 as doc_pb2
from docmesh.session.v1 import session_service_pb2 as ses_pb2
from docmesh.type.v1 import invoice_pb2
from docmesh_agent.domain import Document, Finding, Revision, Session, Severity, Validation
from docmesh_common.model.invoice import to_proto
from docmesh_common.model.totals import compute_totals

_INVOICES: weakref.WeakKeyDictionary[Document, invoice_pb2.Invoice] = weakref.WeakKeyDictionary()
_TOTALS: weakref.WeakKeyDictionary[Document, invoice_pb2.InvoiceTotals] = weakref.WeakKeyDictionary()
_REPORTS: weakref.WeakKeyDictionary[Validation, doc_pb2.ValidationReport] = weakref.WeakKeyDictionary()
_REVISIONS: weakref.WeakKeyDictionary[Revision, ses_pb2.Revision] = weakref.WeakKeyDictionary()
_SESSIONS: weakref.WeakKeyDictionary[Session, ses_pb2.Session] = weakref.WeakKeyDictionary()

_SEVERITY_TO_WIRE: dict[Severity, doc_pb2.Severity.ValueType] = {
    "unspecified": doc_pb2.SEVERITY_UNSPECIFIED,
    "error": doc_pb2.SEVERITY_ERROR,
    "warning": doc_pb2.SEVERITY_WARNING,
    "info": doc_pb2.SEVERITY_INFO,
}
_SEVERITY_FROM_WIRE: dict[int, Severity] = {v: k for k, v in _SEVERITY_TO_WIRE.items()}


def remember_document(
    document: Document, invoice: invoice_pb2.Invoice, totals: invoice_pb2.InvoiceTotals
) -> None:
    """`document`'s invoice as it was sent to the document service, and the totals it answered."""
    _INVOICES[document] = invoice
    _TOTALS[document] = totals


def validation_from_wire(report: doc_pb2.ValidationReport) -> Validation:
    validation = Validation(
        valid=report.valid,
        error_count=report.error_count,
        warning_count=report.warning_count,
        findings=tuple(
            Finding(
                severity=_SEVERITY_FROM_WIRE.get(f.severity, "unspecified"),
                message=f.message,
                cell=f.cell,
                code=f.code,
                line=f.line,
                level=f.level,
            )
            for f in report.findings
        ),
    )
    _REPORTS[validation] = report
    return validation


def remember_revision(revision: Revision, message: ses_pb2.Revision) -> None:
    _REVISIONS[revision] = message


def remember_session(session: Session, message: ses_pb2.Session) -> None:
    _SESSIONS[session] = message


def session_wire(session: Session) -> ses_pb2.Session:
    """The session message `session` was read from (a session the agent made up has its header)."""
    wire = _SESSIONS.get(session)
    if wire is None:
        wire = _SESSIONS[session] = ses_pb2.Session(
            id=session.id,
            version=session.version,
            document_number=session.document_number,
            latest_revision_number=session.latest_revision_number,
            token_count=session.token_count,
        )
    return wire


def invoice_wire(document: Document) -> invoice_pb2.Invoice:
    wire = _INVOICES.get(document)
    if wire is None:
        wire = _INVOICES[document] = to_proto(document.invoice)
    return wire


def totals_wire(document: Document) -> invoice_pb2.InvoiceTotals:
    wire = _TOTALS.get(document)
    if wire is None:
        wire = _TOTALS[document] = document.totals.to_proto()
    return wire


def report_wire(validation: Validation) -> doc_pb2.ValidationReport:
    wire = _REPORTS.get(validation)
    if wire is None:
        wire = _REPORTS[validation] = doc_pb2.ValidationReport(
            valid=validation.valid,
            error_count=validation.error_count,
            warning_count=validation.warning_count,
            findings=[_finding_wire(f) for f in validation.findings],
        )
    return wire


def revision_wire(revision: Revision) -> ses_pb2.Revision:
    wire = _REVISIONS.get(revision)
    if wire is None:
        wire = ses_pb2.Revision(
            session_id=revision.session_id,
            number=revision.number,
            invoice=to_proto(revision.invoice),
            msc=revision.msc,
            message_id=revision.message_id,
            totals=compute_totals(revision.invoice).to_proto(),
            summary=revision.summary,
        )
        if revision.create_time is not None:
            wire.create_time.FromDatetime(revision.create_time)
        _REVISIONS[revision] = wire
    return wire


def _finding_wire(finding: Finding) -> doc_pb2.Finding:
    return doc_pb2.Finding(
        level=finding.level,  # type: ignore[arg-type]
        code=finding.code,
        line=finding.line,
        cell=finding.cell,
        severity=_SEVERITY_TO_WIRE[finding.severity],
        message=finding.message,
    )
