"""The DocumentService over real gRPC: every RPC, bad input, the size limit, and concurrency."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from decimal import Decimal
from typing import Any

import grpc
import openpyxl
import pytest

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc
from docmesh.type.v1 import invoice_pb2, money_pb2
from docmesh_common.errors import error_from_rpc
from docmesh_common.model.invoice import to_proto
from docmesh_common.model.totals import compute_totals
from docmesh_document.settings import DocumentSettings
from tests.document.conftest import MAX_INPUT_BYTES
from tests.document.invoice_shapes import invoice, named_shapes

Stub = document_service_pb2_grpc.DocumentServiceStub

STALE = "version:1.5\ncell:A1:v:2\ncell:A2:v:3\ncell:A3:vtf:n:0:SUM(A1\\cA2)\nsheet:c:1:r:3\n"
CIRCULAR = "version:1.5\ncell:A1:vtf:n:0:A2+1\ncell:A2:vtf:n:0:A1+1\nsheet:c:1:r:2\n"
BROKEN = "version:1.5\ncell:A1:v:1\nbogus:line\ncell:A2:vtf:n:0:SUM(A1:A1)\nsheet:c:1:r:2\n"


async def _rpc_error(call: Any) -> tuple[grpc.StatusCode, str, dict[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    error = error_from_rpc(info.value)
    return info.value.code(), info.value.details() or "", error.violations


# --- RenderInvoice --------------------------------------------------------------------------


async def test_render_invoice_returns_multipart_msc_totals_and_a_clean_report(document_stub: Stub) -> None:
    inv = named_shapes()["gst-pst"]
    response = await document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=to_proto(inv)))
    assert response.msc.startswith("socialcalc:version:1.0\n")
    assert response.totals == compute_totals(inv).to_proto()
    assert response.validation.valid and response.validation.error_count == 0


async def test_render_invoice_makes_a_bare_sheet_when_asked(document_stub: Stub) -> None:
    request = pb.RenderInvoiceRequest(invoice=to_proto(invoice()), container=pb.CONTAINER_BARE)
    response = await document_stub.RenderInvoice(request)
    assert response.msc.startswith("version:1.5\n")
    assert response.totals.total.amount == "1620.00"


async def test_rendered_msc_loads_in_the_real_engine(document_stub: Stub, oracle_batch: Any) -> None:
    response = await document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=to_proto(invoice())))
    result = oracle_batch({"service-render": response.msc})["service-render"]
    assert result["ok"] and result["warnings"] == []
    totals = [v["value"] for v in result["cells"].values() if v.get("formula", "") and v["value"] == 1620]
    assert totals


async def test_render_invoice_without_an_invoice_names_the_field(document_stub: Stub) -> None:
    code, _, violations = await _rpc_error(document_stub.RenderInvoice(pb.RenderInvoiceRequest()))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "invoice" in violations


async def test_bad_unit_price_names_the_line_field(document_stub: Stub) -> None:
    msg = to_proto(invoice())
    msg.line_items[0].unit_price.amount = "twelve"
    code, _, violations = await _rpc_error(document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=msg)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "invoice.line_items[0].unit_price" in violations


async def test_every_bad_field_is_named(document_stub: Stub) -> None:
    msg = to_proto(invoice())
    msg.currency_code = "XYZ"
    msg.line_items[0].quantity = "-1"
    msg.taxes[0].rate_percent = "150"
    code, _, violations = await _rpc_error(document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=msg)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert {
        "invoice.currency_code",
        "invoice.line_items[0].quantity",
        "invoice.taxes[0].rate_percent",
    } <= set(violations)


async def test_amount_in_another_currency_names_its_currency_field(document_stub: Stub) -> None:
    msg = to_proto(invoice())
    msg.line_items[0].unit_price.CopyFrom(money_pb2.Money(amount="10", currency_code="EUR"))
    code, _, violations = await _rpc_error(document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=msg)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "invoice.line_items[0].unit_price.currency_code" in violations


async def test_every_amount_in_another_currency_is_named_with_the_other_bad_fields(
    document_stub: Stub,
) -> None:
    msg = to_proto(invoice())
    msg.line_items[0].unit_price.CopyFrom(money_pb2.Money(amount="10", currency_code="EUR"))
    msg.shipping.CopyFrom(money_pb2.Money(amount="5", currency_code="GBP"))
    msg.line_items[0].quantity = "-1"
    code, _, violations = await _rpc_error(document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=msg)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert {
        "invoice.line_items[0].unit_price.currency_code",
        "invoice.shipping.currency_code",
        "invoice.line_items[0].quantity",
    } <= set(violations)


async def test_an_amount_naming_the_invoices_own_currency_renders(document_stub: Stub) -> None:
    msg = to_proto(invoice())
    msg.line_items[0].unit_price.currency_code = msg.currency_code.lower()
    response = await document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=msg))
    assert response.totals.total.amount == format(compute_totals(invoice()).total, "f")


async def test_line_naming_an_undefined_tax_is_rejected(document_stub: Stub) -> None:
    msg = to_proto(invoice())
    msg.line_items[0].tax_names.append("VAT")
    code, details, violations = await _rpc_error(
        document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=msg))
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "VAT" in details and violations


async def test_oversized_invoice_names_the_limit(document_stub: Stub) -> None:
    msg = invoice_pb2.Invoice(currency_code="USD", notes="x" * (MAX_INPUT_BYTES + 1))
    code, details, violations = await _rpc_error(
        document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=msg))
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert str(MAX_INPUT_BYTES) in details and "invoice" in violations


# --- Parse / Validate / Correct / Recalculate -----------------------------------------------


async def test_parse_returns_form_size_and_cells(document_stub: Stub) -> None:
    response = await document_stub.Parse(pb.ParseRequest(msc=STALE))
    assert (response.form, response.last_col, response.last_row) == ("bare-sheet", 1, 3)
    assert [(c.coord, c.value_type, c.value, c.formula) for c in response.cells] == [
        ("A1", "n", "2", ""),
        ("A2", "n", "3", ""),
        ("A3", "n", "0", "SUM(A1:A2)"),
    ]
    assert list(response.errors) == []


async def test_parse_reports_bad_lines_with_their_line_numbers(document_stub: Stub) -> None:
    response = await document_stub.Parse(pb.ParseRequest(msc=BROKEN))
    lines = {(e.line, e.severity) for e in response.errors}
    assert (3, pb.SEVERITY_ERROR) in lines and (4, pb.SEVERITY_ERROR) in lines


async def test_validate_reports_findings_with_level_code_and_line(document_stub: Stub) -> None:
    response = await document_stub.Validate(pb.ValidateRequest(msc=STALE))
    report = response.report
    stale = [f for f in report.findings if f.code == "stale-value"]
    assert stale and stale[0].cell == "A3" and stale[0].level == pb.VALIDATION_LEVEL_LOGIC
    assert report.warning_count >= 1


async def test_validate_checks_invoice_arithmetic_when_asked(document_stub: Stub) -> None:
    rendered = await document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=to_proto(invoice())))
    tampered = rendered.msc.replace("vtf:n:1500:", "vtf:n:1400:", 1)
    plain = await document_stub.Validate(pb.ValidateRequest(msc=rendered.msc, invoice_checks=True))
    assert plain.report.valid
    response = await document_stub.Validate(pb.ValidateRequest(msc=tampered, invoice_checks=True))
    assert any(f.code == "stale-value" for f in response.report.findings)


async def test_correct_fixes_and_reports_each_fix(document_stub: Stub) -> None:
    response = await document_stub.Correct(pb.CorrectRequest(msc="\ufeff" + STALE.replace("\n", "\r\n")))
    codes = [f.code for f in response.fixes]
    assert {"bom", "crlf", "stale-value"} <= set(codes)
    assert "\r" not in response.msc and "cell:A3:vtf:n:5:SUM(A1\\cA2)" in response.msc
    assert response.report.valid


async def test_recalculate_rewrites_cached_values(document_stub: Stub) -> None:
    response = await document_stub.Recalculate(pb.RecalculateRequest(msc=STALE))
    assert "cell:A3:vtf:n:5:SUM(A1\\cA2)" in response.msc
    assert {c.coord: c.value for c in response.cells}["A3"] == "5"
    assert list(response.circular_cells) == []


async def test_recalculate_reports_circular_cells(document_stub: Stub) -> None:
    response = await document_stub.Recalculate(pb.RecalculateRequest(msc=CIRCULAR))
    assert list(response.circular_cells) == ["A1", "A2"]


async def test_recalculate_of_unparsable_text_names_msc_and_the_line(document_stub: Stub) -> None:
    code, details, violations = await _rpc_error(document_stub.Recalculate(pb.RecalculateRequest(msc=BROKEN)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "msc" in violations and "line 3" in details


@pytest.mark.parametrize("method", ["Parse", "Validate", "Correct", "Recalculate"])
async def test_empty_msc_is_rejected(document_stub: Stub, method: str) -> None:
    request = {
        "Parse": pb.ParseRequest,
        "Validate": pb.ValidateRequest,
        "Correct": pb.CorrectRequest,
        "Recalculate": pb.RecalculateRequest,
    }[method](msc="")
    code, _, violations = await _rpc_error(getattr(document_stub, method)(request))
    assert code is grpc.StatusCode.INVALID_ARGUMENT and "msc" in violations


@pytest.mark.parametrize("method", ["Parse", "Validate", "Correct", "Recalculate", "Export"])
async def test_msc_over_the_size_limit_names_the_limit_and_field(document_stub: Stub, method: str) -> None:
    big = "version:1.5\n" + "cell:A1:t:" + "x" * MAX_INPUT_BYTES + "\n"
    request = {
        "Parse": pb.ParseRequest(msc=big),
        "Validate": pb.ValidateRequest(msc=big),
        "Correct": pb.CorrectRequest(msc=big),
        "Recalculate": pb.RecalculateRequest(msc=big),
        "Export": pb.ExportRequest(msc=big, format=pb.EXPORT_FORMAT_CSV),
    }[method]
    code, details, violations = await _rpc_error(getattr(document_stub, method)(request))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert f"limit is {MAX_INPUT_BYTES} bytes" in details
    assert "msc" in violations


async def test_multibyte_text_is_measured_in_utf8_bytes(document_stub: Stub) -> None:
    # Under the limit in code points, over it in bytes.
    big = "version:1.5\ncell:A1:t:" + "€" * (MAX_INPUT_BYTES // 3 + 10) + "\n"
    code, _, violations = await _rpc_error(document_stub.Parse(pb.ParseRequest(msc=big)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT and "msc" in violations


def test_input_limit_defaults_to_two_mebibytes_and_reads_its_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    assert DocumentSettings().max_input_bytes == 2 * 1024 * 1024
    monkeypatch.setenv("DOCMESH_MAX_INPUT_BYTES", "1000")
    monkeypatch.setenv("DOCMESH_DOCUMENT_PORT", "6000")
    monkeypatch.setenv("DOCMESH_DOCUMENT_METRICS_PORT", "6001")
    settings = DocumentSettings()
    assert (settings.max_input_bytes, settings.port, settings.metrics_port) == (1000, 6000, 6001)


def test_default_ports() -> None:
    settings = DocumentSettings()
    assert (settings.port, settings.metrics_port) == (50053, 9093)


# --- Export ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def rendered_msc(document_stub: Stub) -> str:
    response = await document_stub.RenderInvoice(
        pb.RenderInvoiceRequest(invoice=to_proto(named_shapes()["hostile-text"]))
    )
    return response.msc


async def test_export_xlsx_opens_with_formulas(document_stub: Stub, rendered_msc: str) -> None:
    response = await document_stub.Export(
        pb.ExportRequest(msc=rendered_msc, format=pb.EXPORT_FORMAT_XLSX, base_name="inv-42")
    )
    assert response.file_name == "inv-42.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    formulas = [c.value for row in ws.iter_rows() for c in row if getattr(c, "data_type", "") == "f"]
    assert any(str(f).startswith("=ROUND(SUM(") for f in formulas)


async def test_export_csv_uses_recalculated_values_not_stale_cache(document_stub: Stub) -> None:
    response = await document_stub.Export(pb.ExportRequest(msc=STALE, format=pb.EXPORT_FORMAT_CSV))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows == [["2"], ["3"], ["5"]]
    assert (response.content_type, response.file_name) == ("text/csv; charset=utf-8", "document.csv")


async def test_export_html_escapes_user_text(document_stub: Stub, rendered_msc: str) -> None:
    response = await document_stub.Export(pb.ExportRequest(msc=rendered_msc, format=pb.EXPORT_FORMAT_HTML))
    page = response.content.decode("utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page


async def test_export_msc_wraps_a_bare_sheet(document_stub: Stub) -> None:
    response = await document_stub.Export(pb.ExportRequest(msc=STALE, format=pb.EXPORT_FORMAT_MSC))
    assert response.content.decode("utf-8").startswith("socialcalc:version:1.0\n")


async def test_export_without_a_format_names_the_field(document_stub: Stub) -> None:
    code, _, violations = await _rpc_error(document_stub.Export(pb.ExportRequest(msc=STALE)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT and "format" in violations


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b", "x" * 101, "-leading-dash", 'quote"s'])
async def test_export_rejects_unsafe_base_names(document_stub: Stub, name: str) -> None:
    request = pb.ExportRequest(msc=STALE, format=pb.EXPORT_FORMAT_CSV, base_name=name)
    code, _, violations = await _rpc_error(document_stub.Export(request))
    assert code is grpc.StatusCode.INVALID_ARGUMENT and "base_name" in violations


# --- concurrency ------------------------------------------------------------------------------


# Big enough (about 1 s of recalculation here) that the heavy call is surely still running
# when the small call returns, even on a loaded CI machine; 5,000 rows once finished first.
HEAVY_ROWS = 12_000


def _heavy_sheet(rows: int = HEAVY_ROWS) -> str:
    lines = ["version:1.5"]
    for r in range(1, rows + 1):
        lines.append(f"cell:A{r}:v:{r}")
        lines.append(f"cell:B{r}:vtf:n:0:A{r}*2+B{r - 1}" if r > 1 else "cell:B1:vtf:n:0:A1*2")
    lines.append(f"sheet:c:2:r:{rows}")
    return "\n".join(lines) + "\n"


async def test_heavy_recalculation_does_not_stall_a_small_call(document_stub: Stub) -> None:
    heavy_text = _heavy_sheet()
    small = pb.ParseRequest(msc="version:1.5\ncell:A1:v:1\nsheet:c:1:r:1\n")
    await document_stub.Recalculate(pb.RecalculateRequest(msc=heavy_text))  # warm the workers
    started = time.perf_counter()
    await document_stub.Recalculate(pb.RecalculateRequest(msc=heavy_text))
    heavy_alone = time.perf_counter() - started

    heavy = asyncio.ensure_future(document_stub.Recalculate(pb.RecalculateRequest(msc=heavy_text)))
    await asyncio.sleep(heavy_alone / 4)  # the heavy call is being computed now
    started = time.perf_counter()
    await document_stub.Parse(small)
    small_latency = time.perf_counter() - started
    assert not heavy.done()
    response = await heavy
    assert response.cells[-1].value == str(HEAVY_ROWS * (HEAVY_ROWS + 1))
    assert small_latency < heavy_alone / 4, (small_latency, heavy_alone)


async def test_large_render_does_not_stall_a_small_call(document_stub: Stub) -> None:
    big = to_proto(named_shapes()["two-hundred-lines"])
    small = pb.ParseRequest(msc="version:1.5\ncell:A1:v:1\nsheet:c:1:r:1\n")
    await document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=big))
    started = time.perf_counter()
    await document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=big))
    heavy_alone = time.perf_counter() - started

    heavy = asyncio.ensure_future(document_stub.RenderInvoice(pb.RenderInvoiceRequest(invoice=big)))
    await asyncio.sleep(heavy_alone / 4)
    started = time.perf_counter()
    await document_stub.Parse(small)
    small_latency = time.perf_counter() - started
    response = await heavy
    assert Decimal(response.totals.total.amount) == compute_totals(named_shapes()["two-hundred-lines"]).total
    assert small_latency < heavy_alone / 3, (small_latency, heavy_alone)


async def test_server_reports_serving_on_health(document_server: Any) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    async with grpc.aio.insecure_channel(f"127.0.0.1:{document_server.port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for _ in range(50):
            reply = await stub.Check(
                health_pb2.HealthCheckRequest(service="docmesh.document.v1.DocumentService")
            )
            if reply.status == health_pb2.HealthCheckResponse.SERVING:
                break
            await asyncio.sleep(0.05)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_a_dead_worker_gives_unavailable_once_then_the_pool_is_replaced(run_server: Any) -> None:
    import os
    import signal

    from docmesh_document.server import create_server

    settings = DocumentSettings(
        DOCMESH_DOCUMENT_PORT=0, DOCMESH_DOCUMENT_METRICS_PORT=0, DOCMESH_DOCUMENT_WORKERS=1
    )
    heavy_text = _heavy_sheet(1500)
    async with run_server(create_server, settings) as server:
        pool = server.service._executor
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGKILL)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = document_service_pb2_grpc.DocumentServiceStub(channel)
            code, _, _ = await _rpc_error(stub.Recalculate(pb.RecalculateRequest(msc=heavy_text)))
            assert code is grpc.StatusCode.UNAVAILABLE
            response = await stub.Recalculate(pb.RecalculateRequest(msc=heavy_text))
            assert response.cells[-1].value == str(1500 * 1501)


async def test_export_msc_rewrites_stale_cached_values(document_stub: Stub) -> None:
    response = await document_stub.Export(pb.ExportRequest(msc=STALE, format=pb.EXPORT_FORMAT_MSC))
    assert "cell:A3:vtf:n:5:SUM(A1\\cA2)" in response.content.decode("utf-8")
