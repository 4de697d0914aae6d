"""ReadEInvoice over real gRPC: the invoice and its syntax, and INVALID_ARGUMENT on `content`
naming the reason for every file it cannot read."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc
from docmesh_common.errors import error_from_rpc
from docmesh_common.model.invoice import from_proto
from docmesh_document.einvoice.cii import to_cii
from docmesh_document.einvoice.read_xml import MAX_EINVOICE_BYTES
from docmesh_document.einvoice.ubl import to_ubl
from tests.document.einvoice_cases import CASES
from tests.document.einvoice_inputs import HOSTILE, business_content, facturx_pdf

Stub = document_service_pb2_grpc.DocumentServiceStub


async def _refused(stub: Stub, content: bytes, content_type: str = "") -> tuple[str, dict[str, str], str]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ReadEInvoice(
            pb.ReadEInvoiceRequest(content=content, content_type=content_type), timeout=30
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    error = error_from_rpc(caught.value)
    return error.message, error.violations, error.reason


@pytest.mark.parametrize(
    ("write", "syntax"), [(to_ubl, "ubl"), (to_cii, "cii"), (lambda i: facturx_pdf(to_cii(i)), "factur-x")]
)
async def test_read_einvoice_answers_the_invoice_and_its_syntax(
    document_stub: Stub, write: Any, syntax: str
) -> None:
    case = CASES[7]
    read = await document_stub.ReadEInvoice(pb.ReadEInvoiceRequest(content=write(case)), timeout=30)
    assert read.syntax == syntax
    assert business_content(to_ubl(from_proto(read.invoice))) == business_content(to_ubl(case))


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_an_unreadable_file_is_invalid_argument_on_content(document_stub: Stub, name: str) -> None:
    content, content_type = HOSTILE[name]
    message, violations, reason = await _refused(document_stub, content, content_type)
    assert list(violations) == ["content"]
    assert reason == "EINVOICE_UNREADABLE"
    assert message.startswith("content: ")


async def test_empty_content_is_required(document_stub: Stub) -> None:
    _, violations, _ = await _refused(document_stub, b"")
    assert violations == {"content": "content is required"}


async def test_content_over_10_mb_is_refused_as_too_large(document_stub: Stub) -> None:
    _, violations, reason = await _refused(document_stub, b"<" + b"x" * MAX_EINVOICE_BYTES)
    assert reason == "INPUT_TOO_LARGE"
    assert list(violations) == ["content"]
