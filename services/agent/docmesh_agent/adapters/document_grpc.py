"""DocumentEngine over the document service's gRPC API."""

from __future__ import annotations

import logging

from docmesh.document.v1 import document_service_pb2 as doc_pb2
from docmesh.document.v1 import document_service_pb2_grpc as doc_grpc
from docmesh_agent.adapters import wire
from docmesh_agent.domain import Document, ExportedFile, ExportFormat, Letterhead, Validation
from docmesh_agent.settings import AgentSettings
from docmesh_common.clients import Upstream
from docmesh_common.model.invoice import Invoice, from_proto, to_proto

log = logging.getLogger(__name__)

_FORMATS: dict[ExportFormat, doc_pb2.ExportFormat.ValueType] = {
    "xlsx": doc_pb2.EXPORT_FORMAT_XLSX,
    "csv": doc_pb2.EXPORT_FORMAT_CSV,
    "html": doc_pb2.EXPORT_FORMAT_HTML,
    "msc": doc_pb2.EXPORT_FORMAT_MSC,
    "pdf": doc_pb2.EXPORT_FORMAT_PDF,
    "ubl": doc_pb2.EXPORT_FORMAT_UBL,
    "cii": doc_pb2.EXPORT_FORMAT_CII,
}
# The session route's profile names (documents.E_INVOICE_PROFILES) on the wire.
_PROFILES: dict[str, doc_pb2.EInvoiceProfile.ValueType] = {
    "": doc_pb2.E_INVOICE_PROFILE_EN16931,
    "en16931": doc_pb2.E_INVOICE_PROFILE_EN16931,
    "peppol": doc_pb2.E_INVOICE_PROFILE_PEPPOL_BIS_3,
    "xrechnung": doc_pb2.E_INVOICE_PROFILE_XRECHNUNG_3,
}


class GrpcDocumentEngine:
    def __init__(self, upstream: Upstream[doc_grpc.DocumentServiceStub]) -> None:
        self._upstream = upstream

    @classmethod
    def connect(cls, settings: AgentSettings) -> GrpcDocumentEngine:
        """Over a breaker-protected client of the document service the settings name."""
        return cls(Upstream("document", settings.document_target, doc_grpc.DocumentServiceStub, settings))

    async def is_serving(self) -> bool:
        return await self._upstream.is_serving()

    async def close(self) -> None:
        await self._upstream.close()

    async def render(self, invoice: Invoice) -> Document:
        sent = to_proto(invoice)
        rendered = await self._upstream.call(
            self._upstream.stub.RenderInvoice, doc_pb2.RenderInvoiceRequest(invoice=sent)
        )
        document = Document(
            invoice=invoice, msc=rendered.msc, validation=wire.validation_from_wire(rendered.validation)
        )
        # The revision and the reply carry the invoice as sent and the totals the sheet computed.
        wire.remember_document(document, sent, rendered.totals)
        return document

    async def correct(self, document: Document) -> Document:
        corrected = await self._upstream.call(
            self._upstream.stub.Correct, doc_pb2.CorrectRequest(msc=document.msc)
        )
        log.warning("rendered sheet was invalid; %d fix(es) applied", len(corrected.fixes))
        fixed = Document(
            invoice=document.invoice,
            msc=corrected.msc,
            validation=wire.validation_from_wire(corrected.report),
        )
        wire.remember_document(fixed, wire.invoice_wire(document), wire.totals_wire(document))
        return fixed

    async def validate(self, msc: str) -> Validation:
        checked = await self._upstream.call(
            self._upstream.stub.Validate, doc_pb2.ValidateRequest(msc=msc, invoice_checks=True)
        )
        return wire.validation_from_wire(checked.report)

    async def read_einvoice(self, content: bytes, content_type: str) -> tuple[Invoice, str]:
        read = await self._upstream.call(
            self._upstream.stub.ReadEInvoice,
            doc_pb2.ReadEInvoiceRequest(content=content, content_type=content_type),
        )
        return from_proto(read.invoice), read.syntax

    async def export(
        self,
        msc: str,
        export_format: ExportFormat,
        base_name: str,
        *,
        invoice: Invoice | None = None,
        letterhead: Letterhead | None = None,
        language: str = "",
        profile: str = "",
    ) -> ExportedFile:
        request = doc_pb2.ExportRequest(
            msc=msc,
            format=_FORMATS[export_format],
            base_name=base_name,
            language=language,
            e_invoice_profile=_PROFILES[profile],
        )
        if invoice is not None:
            request.invoice.CopyFrom(to_proto(invoice))
        if letterhead is not None:
            request.letterhead.CopyFrom(_letterhead(letterhead))
        exported = await self._upstream.call(self._upstream.stub.Export, request)
        return ExportedFile(
            content=exported.content, content_type=exported.content_type, file_name=exported.file_name
        )


def _letterhead(letterhead: Letterhead) -> doc_pb2.Letterhead:
    wire = doc_pb2.Letterhead(
        iban=letterhead.iban, bic=letterhead.bic, bank_text=letterhead.bank_text, footer=letterhead.footer
    )
    if letterhead.logo is not None:
        wire.logo = letterhead.logo.content
        wire.logo_content_type = letterhead.logo.content_type
    return wire
