"""A scripted OpenAI-compatible HTTP server: the one fake the test suite allows.

It serves `POST /v1/chat/completions` over real HTTP (uvicorn on an ephemeral port) from a
script of steps, one per request, in order; when the script runs out it answers with the
`default` step. Streaming requests get Server-Sent Events with token-sized chunks and a final
usage chunk, the way OpenAI sends them. Every request body is kept for assertions.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Step:
    """How the server answers one request."""

    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds before the answer starts (headers included).
    delay: float = 0.0
    # (prompt, completion) tokens reported in `usage`; None reports no usage at all.
    usage: tuple[int, int] | None = (120, 40)
    error_message: str = "scripted failure"
    # Characters per streamed chunk.
    chunk_chars: int = 7
    # Seconds between streamed chunks.
    chunk_delay: float = 0.0
    # Answer 400 when the request asks for response_format (an endpoint without
    # structured output).
    reject_response_format: bool = False
    # Put the request's Authorization header into the error message, as some proxies do: a
    # leak test's bait.
    echo_authorization: bool = False


EXHAUSTED = Step(status=500, error_message="script exhausted")


def ok(content: str | dict[str, Any], **kwargs: Any) -> Step:
    text = content if isinstance(content, str) else json.dumps(content)
    return Step(content=text, **kwargs)


def error(status: int, *, retry_after: str | None = None, **kwargs: Any) -> Step:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return Step(status=status, headers=headers, **kwargs)


@dataclass
class Seen:
    """One request the server received."""

    body: dict[str, Any]
    at: float


class FakeLLM:
    """`async with FakeLLM() as llm:` — `llm.base_url` is the /v1 URL to give the openai client."""

    def __init__(self, default: Step | None = None, *, keep_alive_seconds: int = 5) -> None:
        self.keep_alive_seconds = keep_alive_seconds  # uvicorn's idle timeout, as vLLM has it
        self.script: deque[Step] = deque()
        self.default = default or EXHAUSTED
        self.requests: list[Seen] = []
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    def push(self, *steps: Step) -> None:
        self.script.extend(steps)

    def reset(self, default: Step | None = None) -> None:
        """Empty script and request log; unscripted requests get `default` (HTTP 500 if None)."""
        self.script.clear()
        self.requests.clear()
        self.default = default or EXHAUSTED

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> FakeLLM:
        app = Starlette(routes=[Route("/v1/chat/completions", self._completions, methods=["POST"])])
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_keep_alive=self.keep_alive_seconds,
            # A step that hangs (a long `delay`) must not hold the server's shutdown.
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None and self._task is not None
        self._server.should_exit = True
        await self._task

    async def _completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(Seen(body=body, at=time.monotonic()))
        step = self.script.popleft() if self.script else self.default
        if step.delay:
            await asyncio.sleep(step.delay)
        if step.reject_response_format and "response_format" in body:
            return _error_response(400, "response_format is not supported by this server", {})
        if step.status != 200:
            message = step.error_message
            if step.echo_authorization:
                message += f" (Authorization: {request.headers.get('authorization', '')})"
            return _error_response(step.status, message, step.headers)
        model = body.get("model", "unknown")
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(
                _sse(step, model, include_usage), media_type="text/event-stream", headers=step.headers
            )
        payload: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": step.content},
                    "finish_reason": "stop",
                }
            ],
        }
        if step.usage is not None:
            payload["usage"] = _usage(step.usage)
        return JSONResponse(payload, headers=step.headers)


def _usage(tokens: tuple[int, int]) -> dict[str, int]:
    prompt, completion = tokens
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _error_response(status: int, message: str, headers: dict[str, str]) -> Response:
    kind = (
        "rate_limit_error" if status == 429 else "server_error" if status >= 500 else "invalid_request_error"
    )
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": None, "code": None}},
        status_code=status,
        headers=headers,
    )


async def _sse(step: Step, model: str, include_usage: bool):  # type: ignore[no-untyped-def]
    def event(data: dict[str, Any]) -> bytes:
        return f"data: {json.dumps(data)}\n\n".encode()

    base = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }
    yield event({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})
    text = step.content
    for start in range(0, len(text), step.chunk_chars):
        if step.chunk_delay:
            await asyncio.sleep(step.chunk_delay)
        piece = text[start : start + step.chunk_chars]
        yield event({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    yield event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if include_usage and step.usage is not None:
        yield event({**base, "choices": [], "usage": _usage(step.usage)})
    yield b"data: [DONE]\n\n"


async def _serve_forever(delay: float, usage: tuple[int, int]) -> None:
    from tests.agent.conftest import ANSWER

    async with FakeLLM(default=ok(ANSWER, delay=delay, usage=usage)) as server:
        print(json.dumps({"port": server.port}), flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    # `python -m tests.agent.fake_llm --delay 1.0`: a standalone scripted LLM for benchmarks,
    # answering every request with the same valid invoice after `delay` seconds.
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=1.0)
    options = parser.parse_args()
    asyncio.run(_serve_forever(options.delay, (900, 150)))
