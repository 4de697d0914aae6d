"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM).

One answer is one completion: ask for json_schema structured output (or free text, see
below), parse and validate it; an answer that does not validate raises InvalidAnswer with the
errors, and the turn decides whether to ask again (turn.py holds the one re-ask loop). Each
HTTP call runs under the endpoint's breaker with retries (resilience.py). When a model's
endpoint fails, the fallback models are tried in order.

Structured output: "auto" asks for `response_format={"type": "json_schema", ...}`; an
endpoint that rejects that (HTTP 400/422) is remembered as free-text-only and the JSON is
then extracted from the text (fences, prose, trailing commas) and validated the same way.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import httpx2
import openai
import pydantic
from openai import AsyncStream
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from docmesh_agent.providers.base import (
    AgentAnswer,
    DeltaSink,
    InvalidAnswer,
    ProviderAnswer,
    TurnRequest,
    answer_schema,
)
from docmesh_agent.providers.jsonextract import NoJsonFound, ReplyStreamer, extract_json
from docmesh_agent.providers.prompt import ChatMessage, build_messages
from docmesh_agent.resilience import (
    BreakerOpen,
    EndpointBreaker,
    RetriesExhausted,
    RetryPolicy,
    call_with_retries,
    describe,
)
from docmesh_agent.settings import AgentSettings
from docmesh_agent.usage import CallUsage, TurnUsage, cost_usd, count_message_tokens, count_tokens
from docmesh_common.errors import DeadlineExceeded, DomainError, Unavailable
from docmesh_common.model.invoice import Invoice

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_INVOICE_KEYS = frozenset(Invoice.model_fields)
# A rejected credential is fixed by an operator, not by retrying at once.
AUTH_RETRY_AFTER_SECONDS = 30.0


def parse_answer(text: str | None, *, has_document: bool) -> AgentAnswer:
    """Validate a model's text as an AgentAnswer (a bare Invoice object is accepted too)."""
    if not text or not text.strip():
        raise InvalidAnswer(["the answer was empty; answer with one JSON object"])
    try:
        data = extract_json(text)
    except NoJsonFound as error:
        raise InvalidAnswer([str(error)]) from None
    if "action" not in data and "reply" not in data and data.keys() & _INVOICE_KEYS:
        # Smaller models often answer with the document alone.
        data = {
            "reply": "Here is the updated document." if has_document else "Here is your document.",
            "action": "edit" if has_document else "generate",
            "invoice": data,
        }
    try:
        return AgentAnswer.model_validate(data)
    except pydantic.ValidationError as error:
        raise InvalidAnswer(validation_errors(error)) from None


def validation_errors(error: pydantic.ValidationError) -> list[str]:
    """One line per error, naming the JSON path, for the model to fix."""
    lines = []
    for item in error.errors(include_url=False):
        path = ".".join(str(p) for p in item.get("loc", ())) or "(root)"
        lines.append(f"{path}: {item.get('msg')}")
    return lines[:20]


class OpenAIProvider:
    """The Provider for OpenAI-compatible endpoints."""

    name = "openai"
    can_fix = True

    def __init__(self, settings: AgentSettings) -> None:
        self._settings = settings
        self.endpoint = (settings.llm_base_url or DEFAULT_BASE_URL).rstrip("/")
        self.model = settings.llm_model
        self.models = [
            settings.llm_model,
            *(m for m in settings.llm_fallback_models if m != settings.llm_model),
        ]
        self._client = openai.AsyncOpenAI(
            base_url=self.endpoint,
            # Local servers need no key, but the client insists on one.
            api_key=settings.llm_api_key.get_secret_value() or "unused",
            max_retries=0,
            timeout=openai.Timeout(
                settings.llm_timeout_seconds, connect=settings.llm_connect_timeout_seconds
            ),
            http_client=_http_client(settings),
        )
        self.breaker = EndpointBreaker(
            self.endpoint,
            fail_max=settings.llm_breaker_fail_max,
            reset_seconds=settings.llm_breaker_reset_seconds,
            first_open_seconds=settings.breaker_first_open_seconds,
        )
        self._policy = RetryPolicy(
            max_retries=settings.llm_max_retries,
            base_seconds=settings.llm_backoff_base_seconds,
            cap_seconds=settings.llm_backoff_cap_seconds,
        )
        self._structured = settings.llm_structured_output

    async def close(self) -> None:
        await self._client.close()

    async def answer(
        self,
        request: TurnRequest,
        usage: TurnUsage,
        *,
        on_delta: DeltaSink | None = None,
        deadline: float | None = None,
    ) -> ProviderAnswer:
        messages = build_messages(request, context_tokens=self._settings.llm_context_tokens)
        last: BaseException | None = None
        streamer_used = False
        # A re-ask goes to the model whose answer is sent back, then to the ones after it.
        models = (
            self.models[self.models.index(request.model) :] if request.model in self.models else self.models
        )
        for model in models:
            try:
                text, streamed = await self._complete(
                    model,
                    messages,
                    usage,
                    on_delta=None if streamer_used else on_delta,
                    deadline=deadline,
                )
            except BreakerOpen as error:
                raise Unavailable(
                    f"the language model endpoint is failing and its circuit breaker is open; "
                    f"try again in {round(error.retry_after)} s",
                    reason="LLM_BREAKER_OPEN",
                    retry_after_seconds=error.retry_after,
                ) from None
            except TimeoutError as error:
                raise DeadlineExceeded(
                    f"the request's deadline passed while waiting for the language model ({error})",
                    reason="LLM_DEADLINE",
                ) from None
            except (RetriesExhausted, openai.APIError) as error:
                last = error
                streamer_used = streamer_used or on_delta is not None
                # One line per failed model, with the status only (resilience.describe).
                log.warning("model %s failed: %s", model, _failure_text(error))
                continue
            try:
                answer = parse_answer(text, has_document=request.current is not None)
            except InvalidAnswer as error:
                raise InvalidAnswer(error.errors, text=text, model=model) from None
            return ProviderAnswer(
                action=answer.action,
                invoice=answer.invoice,
                reply=answer.reply,
                summary=answer.summary,
                streamed=streamed,
                model=model,
            )
        raise _final_error(last)

    async def _complete(
        self,
        model: str,
        messages: list[ChatMessage],
        usage: TurnUsage,
        *,
        on_delta: DeltaSink | None,
        deadline: float | None,
    ) -> tuple[str, bool]:
        """One completion (with retries); returns its text and whether deltas were sent."""
        while True:
            mode = self._structured
            try:
                return await self._complete_once(model, messages, usage, mode, on_delta, deadline)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as error:
                if mode == "auto" and self._structured == "auto":
                    log.warning(
                        "%s rejected json_schema output (%s); using free text with JSON extraction",
                        self.endpoint,
                        describe(error),
                    )
                    self._structured = "none"
                    continue
                raise

    async def _complete_once(
        self,
        model: str,
        messages: list[ChatMessage],
        usage: TurnUsage,
        mode: str,
        on_delta: DeltaSink | None,
        deadline: float | None,
    ) -> tuple[str, bool]:
        body = _request_body(
            model=model,
            messages=messages,
            max_tokens=self._settings.llm_max_output_tokens,
            temperature=self._settings.llm_temperature,
            response_format=_response_format(mode),
            stream=on_delta is not None,
        )
        # Reply characters already sent: a retried attempt writes the reply again from its
        # start, and only what goes beyond them is new to the client.
        sent = 0

        async def attempt(timeout: float) -> tuple[str, Any]:
            nonlocal sent
            # The SDK's lower-level `post` with the body already encoded: see _request_body.
            options: openai.RequestOptions = {"timeout": timeout, "security": {"bearer_auth": True}}
            if on_delta is None:
                response = await self._client.post(
                    "/chat/completions", cast_to=httpx2.Response, content=body, options=options
                )
                return _completion(response.content)
            stream = await self._client.post(
                "/chat/completions",
                cast_to=ChatCompletion,
                content=body,
                options=options,
                stream=True,
                stream_cls=AsyncStream[ChatCompletionChunk],
            )
            streamer = ReplyStreamer()
            pieces: list[str] = []
            reported = None
            async for chunk in stream:
                if chunk.usage is not None:
                    reported = chunk.usage
                for choice in chunk.choices:
                    piece = choice.delta.content if choice.delta else None
                    if not piece:
                        continue
                    pieces.append(piece)
                    streamer.feed(piece)
                    if len(streamer.text) > sent:
                        fresh = streamer.text[sent:]
                        sent = len(streamer.text)
                        await on_delta(fresh)
            return "".join(pieces), reported

        started = time.monotonic()
        text, reported = await call_with_retries(
            attempt,
            policy=self._policy,
            breaker=self.breaker,
            provider=self.name,
            model=model,
            timeout=self._settings.llm_timeout_seconds,
            deadline=deadline,
            on_retry=lambda reason, delay: usage.note_retry(),
        )
        latency_ms = int((time.monotonic() - started) * 1000)
        self._record(model, messages, text, reported, latency_ms, usage)
        return text, sent > 0

    def _record(
        self,
        model: str,
        messages: list[ChatMessage],
        text: str,
        reported: Any,
        latency_ms: int,
        usage: TurnUsage,
    ) -> None:
        prompt = getattr(reported, "prompt_tokens", None)
        completion = getattr(reported, "completion_tokens", None)
        estimated = prompt is None or completion is None
        if estimated:
            prompt = count_message_tokens(messages)
            completion = count_tokens(text)
        assert prompt is not None and completion is not None
        usage.add(
            CallUsage(
                provider=self.name,
                model=model,
                prompt_tokens=int(prompt),
                completion_tokens=int(completion),
                cost_usd=cost_usd(self._settings.llm_prices, model, int(prompt), int(completion)),
                latency_ms=latency_ms,
                estimated=estimated,
            )
        )


# The request body as `chat.completions.create` would send it (same keys, same order, same
# compact UTF-8 JSON), built here instead: `create` walks every message through the SDK's
# TypedDict transform and then encodes the schema dict again, per call, which was the
# largest share of a turn's CPU in the agent. The response_format part never changes, so it
# is encoded once.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


@functools.cache
def _schema_format() -> bytes:
    return _ENCODER.encode(
        {
            "type": "json_schema",
            "json_schema": {"name": "agent_answer", "schema": answer_schema(), "strict": False},
        }
    ).encode()


def _response_format(mode: str) -> bytes | None:
    """The encoded `response_format` of a structured-output mode (None: not sent)."""
    if mode in ("auto", "json_schema"):
        return _schema_format()
    if mode == "json_object":
        return b'{"type":"json_object"}'
    return None


def _request_body(
    *,
    model: str,
    messages: list[ChatMessage],
    max_tokens: int,
    temperature: float | None,
    response_format: bytes | None,
    stream: bool,
) -> bytes:
    fields: dict[str, Any] = {"model": model}
    if stream:
        fields["stream"] = True
    fields["messages"] = messages
    fields["max_tokens"] = max_tokens
    if stream:
        fields["stream_options"] = {"include_usage": True}
    if temperature is not None:
        fields["temperature"] = temperature
    encoded = _ENCODER.encode(fields).encode()
    if response_format is None:
        return encoded
    # The SDK merges extra_body last, so response_format is the body's last key.
    return encoded[:-1] + b',"response_format":' + response_format + b"}"


@dataclass(frozen=True)
class _ReportedUsage:
    prompt_tokens: int | None
    completion_tokens: int | None


def _completion(raw: bytes) -> tuple[str, _ReportedUsage | None]:
    """The text and reported usage of a chat completion's JSON, read without building the
    SDK's typed ChatCompletion (only two fields of it are used)."""
    data = json.loads(raw)
    choices = data.get("choices")
    content = (choices[0].get("message") or {}).get("content") if choices else None
    usage = data.get("usage")
    reported = (
        _ReportedUsage(usage.get("prompt_tokens"), usage.get("completion_tokens"))
        if isinstance(usage, dict)
        else None
    )
    return content or "", reported


def _http_client(settings: AgentSettings) -> Any:
    """The HTTP client of the openai SDK: its aiohttp transport when chosen and available
    (openai >= 1.80 with aiohttp), else its httpx one; either keeps idle connections for
    `llm_keepalive_seconds`."""
    defaults = openai.DEFAULT_CONNECTION_LIMITS
    limits = type(defaults)(
        max_connections=defaults.max_connections,
        max_keepalive_connections=defaults.max_keepalive_connections,
        keepalive_expiry=settings.llm_keepalive_seconds,
    )
    factory = getattr(openai, "DefaultAioHttpClient", None)
    if settings.llm_http_transport == "aiohttp" and factory is not None:
        try:
            return factory(limits=limits)
        except RuntimeError:  # the aiohttp extra is not installed
            log.warning("aiohttp is not installed; the LLM client uses httpx")
    return openai.DefaultAsyncHttpxClient(limits=limits)


def _failure_text(error: BaseException) -> str:
    if isinstance(error, RetriesExhausted):
        return f"{describe(error.last)} (after {error.attempts} attempt(s))"
    return describe(error)


def _final_error(last: BaseException | None) -> DomainError:
    """The error a client sees when every model failed: our own code and words, with the
    endpoint's status code at most (its text may carry secrets, see resilience.describe).

    Nothing here blames the client: a credential the endpoint rejects, a request it refuses
    and an outage are all the service's trouble, so all are UNAVAILABLE.
    """
    inner = last.last if isinstance(last, RetriesExhausted) else last
    status = inner.status_code if isinstance(inner, openai.APIStatusError) else None
    seen = f" ({describe(inner)})" if inner is not None else ""
    if isinstance(last, RetriesExhausted):
        hint = last.retry_after if last.retry_after is not None else 1.0
        if status == 429:
            return Unavailable(
                f"the language model is busy{seen}; try again in {math.ceil(hint)} s",
                reason="LLM_RATE_LIMITED",
                retry_after_seconds=hint,
            )
        return Unavailable(
            f"the language model is unavailable{seen}", reason="LLM_UNAVAILABLE", retry_after_seconds=hint
        )
    if status in (401, 403):
        return Unavailable(
            f"the language model endpoint rejected our credentials{seen}",
            reason="LLM_AUTH",
            retry_after_seconds=AUTH_RETRY_AFTER_SECONDS,
        )
    if status is not None:
        return Unavailable(f"the language model could not answer this request{seen}", reason="LLM_REJECTED")
    return Unavailable("the language model is unavailable", reason="LLM_UNAVAILABLE", retry_after_seconds=1.0)
