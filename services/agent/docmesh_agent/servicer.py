"""gRPC servicers of the agent: its own protos in, the turn and the document operations called,
its own protos out. No rules here; the session and document messages its replies embed are
converted by adapters/wire.py (once per document)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.api import httpbody_pb2

from docmesh.agent.v1 import agent_service_pb2 as pb
from docmesh.agent.v1 import agent_service_pb2_grpc as pb_grpc
from docmesh.agent.v1 import invoice_app_service_pb2 as app_pb
from docmesh.agent.v1 import invoice_app_service_pb2_grpc as app_grpc
from docmesh.type.v1 import invoice_pb2
from docmesh_agent.adapters.wire import invoice_wire, report_wire, revision_wire, session_wire, totals_wire
from docmesh_agent.documents import SessionDocuments
from docmesh_agent.domain import Document
from docmesh_agent.finalize import Finalizer
from docmesh_agent.imports import DocumentImports
from docmesh_agent.legacy import LegacyApp
from docmesh_agent.turn import ChatTurns, TurnResult
from docmesh_common.errors import DomainError, InvalidArgument
from docmesh_common.model.invoice import DocumentKind, kind_from_proto

log = logging.getLogger(__name__)

_ACTIONS = {
    "generate": pb.CHAT_ACTION_GENERATE,
    "edit": pb.CHAT_ACTION_EDIT,
    "undo": pb.CHAT_ACTION_UNDO,
    "question": pb.CHAT_ACTION_QUESTION,
}
_END = object()


def _kind(value: int) -> DocumentKind | None:
    if value == invoice_pb2.DOCUMENT_KIND_UNSPECIFIED:
        return None
    if value not in invoice_pb2.DocumentKind.values():
        raise InvalidArgument(f"unknown document_kind {value}", field="document_kind")
    return kind_from_proto(value)


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _now() -> str:
    return _rfc3339(dt.datetime.now(dt.UTC))


def usage_proto(result: TurnResult) -> pb.TurnUsage:
    usage = result.usage
    return pb.TurnUsage(
        provider=result.provider,
        model=result.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=format(usage.cost_usd, "f"),
        latency_ms=usage.latency_ms,
        llm_calls=usage.llm_calls,
        estimated=usage.estimated,
    )


def chat_response(result: TurnResult) -> pb.ChatResponse:
    response = pb.ChatResponse(
        session_id=result.session_id,
        reply=result.reply,
        action=_ACTIONS[result.action],
        session_token_count=result.session_token_count,
        usage=usage_proto(result),
        revision_number=result.revision_number,
        user_message_id=result.user_message_id,
        assistant_message_id=result.assistant_message_id,
    )
    document = result.document
    if document is not None:
        response.invoice.CopyFrom(invoice_wire(document))
        response.totals.CopyFrom(totals_wire(document))
        response.msc = document.msc
        response.validation.CopyFrom(report_wire(document.validation))
    return response


class _StreamEvents:
    """TurnEvents that queue ChatStream events for the handler to yield."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    async def started(self, session_id: str, user_message_id: str) -> None:
        await self.queue.put(
            pb.ChatStreamResponse(
                started=pb.ChatStarted(session_id=session_id, user_message_id=user_message_id)
            )
        )

    async def delta(self, text: str) -> None:
        await self.queue.put(pb.ChatStreamResponse(text_delta=pb.TextDelta(text=text)))

    async def document_ready(self, document: Document, revision_number: int) -> None:
        await self.queue.put(
            pb.ChatStreamResponse(
                document_ready=pb.DocumentReady(
                    invoice=invoice_wire(document),
                    totals=totals_wire(document),
                    msc=document.msc,
                    validation=report_wire(document.validation),
                    revision_number=revision_number,
                )
            )
        )

    async def usage(self, result: TurnResult) -> None:
        await self.queue.put(pb.ChatStreamResponse(usage=usage_proto(result)))


def error_event(error: BaseException) -> pb.ChatStreamResponse:
    if isinstance(error, DomainError):
        code = error.code.name
        message = error.message
        retry = math.ceil(error.retry_after_seconds or 0)
    else:
        code, message, retry = grpc.StatusCode.INTERNAL.name, "internal error", 0
    return pb.ChatStreamResponse(error=pb.ChatError(code=code, message=message, retry_after_seconds=retry))


class AgentServicer(pb_grpc.AgentServiceServicer):
    def __init__(
        self,
        turns: ChatTurns,
        documents: SessionDocuments,
        finalizer: Finalizer,
        imports: DocumentImports | None = None,
    ) -> None:
        self.turns = turns
        self.documents = documents
        self.finalizer = finalizer
        self.imports = imports or DocumentImports(turns.sessions, turns.documents)

    async def Chat(self, request: pb.ChatRequest, context: grpc.aio.ServicerContext) -> pb.ChatResponse:
        result = await self.turns.chat(
            session_id=request.session_id,
            message=request.message,
            idempotency_key=request.idempotency_key,
            document_kind=_kind(request.document_kind),
        )
        return chat_response(result)

    async def ChatStream(
        self, request: pb.ChatStreamRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ChatStreamResponse]:
        events = _StreamEvents()

        async def turn() -> TurnResult:
            try:
                return await self.turns.chat(
                    session_id=request.session_id,
                    message=request.message,
                    idempotency_key=request.idempotency_key,
                    document_kind=_kind(request.document_kind),
                    events=events,
                )
            finally:
                await events.queue.put(_END)

        task = asyncio.create_task(turn())
        try:
            while (event := await events.queue.get()) is not _END:
                yield event
            try:
                result = task.result()
            except Exception as error:
                if not isinstance(error, DomainError):
                    log.exception("chat stream turn failed")
                yield error_event(error)
                return
            yield pb.ChatStreamResponse(done=chat_response(result))
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def ExportSessionDocument(
        self, request: pb.ExportSessionDocumentRequest, context: grpc.aio.ServicerContext
    ) -> pb.ExportSessionDocumentResponse:
        exported = await self.documents.export(
            request.session_id, request.file_name, request.revision_number, profile=request.profile
        )
        return pb.ExportSessionDocumentResponse(
            body=httpbody_pb2.HttpBody(content_type=exported.content_type, data=exported.content),
            file_name=exported.file_name,
        )

    async def RevertRevision(
        self, request: pb.RevertRevisionRequest, context: grpc.aio.ServicerContext
    ) -> pb.RevertRevisionResponse:
        revision = await self.documents.revert(request.session_id, request.revision_number)
        return pb.RevertRevisionResponse(revision=revision_wire(revision))

    async def FinalizeDocument(
        self, request: pb.FinalizeDocumentRequest, context: grpc.aio.ServicerContext
    ) -> pb.FinalizeDocumentResponse:
        finalized = await self.finalizer.finalize(request.session_id)
        response = pb.FinalizeDocumentResponse(session=session_wire(finalized.session))
        if finalized.revision is not None:
            response.revision.CopyFrom(revision_wire(finalized.revision))
        return response

    async def ImportDocument(
        self, request: pb.ImportDocumentRequest, context: grpc.aio.ServicerContext
    ) -> pb.ImportDocumentResponse:
        imported = await self.imports.import_document(
            request.body.data, request.body.content_type, request.idempotency_key
        )
        return pb.ImportDocumentResponse(
            session=session_wire(imported.session),
            invoice=invoice_wire(imported.document),
            syntax=imported.syntax,
        )


class InvoiceAppServicer(app_grpc.InvoiceAppServiceServicer):
    """The original app's routes on top of the same chat turn."""

    def __init__(self, app: LegacyApp) -> None:
        self.app = app

    async def GenerateInvoice(
        self, request: app_pb.GenerateInvoiceRequest, context: grpc.aio.ServicerContext
    ) -> app_pb.GenerateInvoiceResponse:
        result = await self.app.generate(request.initial_prompt, request.session_id)
        return app_pb.GenerateInvoiceResponse(
            session_id=result.session_id,
            message=result.reply,
            msc_content=result.document.msc if result.document else "",
            token_count=result.session_token_count,
            timestamp=_now(),
        )

    async def SendChatMessage(
        self, request: app_pb.SendChatMessageRequest, context: grpc.aio.ServicerContext
    ) -> app_pb.SendChatMessageResponse:
        result = await self.app.send(request.session_id, request.message)
        return app_pb.SendChatMessageResponse(
            session_id=result.session_id,
            message=result.reply,
            msc_content=result.document.msc if result.document else "",
            token_count=result.session_token_count,
            timestamp=_now(),
        )

    async def GetAppSession(
        self, request: app_pb.GetAppSessionRequest, context: grpc.aio.ServicerContext
    ) -> app_pb.GetAppSessionResponse:
        session = await self.app.get(request.session_id)
        return app_pb.GetAppSessionResponse(
            session_id=session.session_id,
            message=session.last_reply,
            msc_content=session.msc,
            token_count=session.token_count,
            timestamp=_rfc3339(session.last_activity),
            messages=[
                app_pb.AppMessage(role=role, content=content, timestamp=_rfc3339(at))
                for role, content, at in session.messages
            ],
        )

    async def DeleteAppSession(
        self, request: app_pb.DeleteAppSessionRequest, context: grpc.aio.ServicerContext
    ) -> app_pb.DeleteAppSessionResponse:
        token_count = await self.app.delete(request.session_id)
        return app_pb.DeleteAppSessionResponse(
            session_id=request.session_id,
            message="Session deleted",
            token_count=token_count,
            timestamp=_now(),
        )
