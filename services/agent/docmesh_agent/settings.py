"""Agent settings: env vars with the DOCMESH_ prefix (see the README's settings table)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from docmesh_common.settings import ServiceSettings

ProviderName = Literal["builtin", "openai"]
StructuredOutput = Literal["auto", "json_schema", "json_object", "none"]


class ModelPrice(BaseModel):
    """USD per million tokens for one model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: Annotated[Decimal, Field(ge=0)]
    completion: Annotated[Decimal, Field(ge=0)]


class AgentSettings(ServiceSettings):
    # Field names work as well as env names when settings are built in code (tests, bench).
    model_config = SettingsConfigDict(**ServiceSettings.model_config, populate_by_name=True)

    port: int = Field(50052, validation_alias="DOCMESH_AGENT_PORT", ge=0, le=65535)
    metrics_port: int = Field(9092, validation_alias="DOCMESH_AGENT_METRICS_PORT", ge=0, le=65535)

    session_target: str = Field("127.0.0.1:50051", validation_alias="DOCMESH_SESSION_TARGET", min_length=1)
    document_target: str = Field("127.0.0.1:50053", validation_alias="DOCMESH_DOCUMENT_TARGET", min_length=1)

    # Empty means: openai when a base URL or key is configured, else builtin (see `provider`).
    llm_provider: ProviderName | None = Field(None, validation_alias="DOCMESH_LLM_PROVIDER")
    llm_base_url: str = Field("", validation_alias="DOCMESH_LLM_BASE_URL")
    llm_api_key: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("DOCMESH_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str = Field("gpt-4o-mini", validation_alias="DOCMESH_LLM_MODEL", min_length=1)
    # Tried in order when the main model fails (after its retries); comma-separated or JSON list.
    llm_fallback_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="DOCMESH_LLM_FALLBACK_MODELS"
    )
    # auto: ask for json_schema output, and drop to free text (JSON extracted and validated)
    # for an endpoint that rejects it.
    llm_structured_output: StructuredOutput = Field("auto", validation_alias="DOCMESH_LLM_STRUCTURED_OUTPUT")
    # aiohttp costs a third of the CPU per request of httpx at hundreds of concurrent calls.
    llm_http_transport: Literal["aiohttp", "httpx"] = Field(
        "aiohttp", validation_alias="DOCMESH_LLM_HTTP_TRANSPORT"
    )
    # Idle pooled connections are dropped after this long. It must stay below the endpoint's
    # own idle timeout (5 s for uvicorn-based servers such as vLLM and the LiteLLM proxy):
    # otherwise a burst after a lull reuses connections the server is closing, the calls fail
    # with "Server disconnected", and enough of them at once open the circuit breaker.
    llm_keepalive_seconds: float = Field(4.0, validation_alias="DOCMESH_LLM_KEEPALIVE_SECONDS", gt=0, le=300)
    llm_timeout_seconds: float = Field(60.0, validation_alias="DOCMESH_LLM_TIMEOUT_SECONDS", gt=0)
    llm_connect_timeout_seconds: float = Field(
        5.0, validation_alias="DOCMESH_LLM_CONNECT_TIMEOUT_SECONDS", gt=0
    )
    llm_max_retries: int = Field(3, validation_alias="DOCMESH_LLM_MAX_RETRIES", ge=0, le=20)
    llm_backoff_base_seconds: float = Field(0.5, validation_alias="DOCMESH_LLM_BACKOFF_BASE_SECONDS", ge=0)
    llm_backoff_cap_seconds: float = Field(20.0, validation_alias="DOCMESH_LLM_BACKOFF_CAP_SECONDS", ge=0)
    # How many more times a turn may ask the model after its first answer: every rejected
    # answer (bad JSON, schema errors, an incomplete document, one the renderer rejects, a
    # sheet still invalid) counts against this one limit.
    llm_reask_limit: int = Field(2, validation_alias="DOCMESH_LLM_REASK_LIMIT", ge=0, le=10)
    # Tokens the prompt may use: system prompt, current document, history and the message.
    llm_context_tokens: int = Field(8000, validation_alias="DOCMESH_LLM_CONTEXT_TOKENS", ge=512)
    llm_max_output_tokens: int = Field(4096, validation_alias="DOCMESH_LLM_MAX_OUTPUT_TOKENS", ge=64)
    llm_temperature: float | None = Field(None, validation_alias="DOCMESH_LLM_TEMPERATURE", ge=0, le=2)
    llm_breaker_fail_max: int = Field(5, validation_alias="DOCMESH_LLM_BREAKER_FAIL_MAX", ge=1)
    # The longest open of the LLM breaker (its first is DOCMESH_BREAKER_FIRST_OPEN_SECONDS,
    # doubled per failed probe): it bounds how long turns fail after the endpoint is back (the
    # target: 2 s; at 30 s a 20 s outage left turns failing 4+ s after it). A probe per second
    # of an endpoint that is down is one request per replica; 4xx and 429 never open it.
    llm_breaker_reset_seconds: float = Field(1.0, validation_alias="DOCMESH_LLM_BREAKER_RESET_SECONDS", gt=0)
    # JSON: {"gpt-4o-mini": {"prompt": "0.15", "completion": "0.60"}}; unknown models cost 0.
    llm_prices: Annotated[dict[str, ModelPrice], NoDecode] = Field(
        default_factory=dict, validation_alias="DOCMESH_LLM_PRICES"
    )

    # The lease of a running turn on its session (lease.py): renewed by the turn's heartbeat
    # every third of it, so a turn whose replica died blocks its session this long at most.
    turn_lease_seconds: float = Field(10.0, validation_alias="DOCMESH_AGENT_TURN_LEASE_SECONDS", gt=0)
    max_message_chars: int = Field(8000, validation_alias="DOCMESH_AGENT_MAX_MESSAGE_CHARS", ge=1)

    @field_validator("llm_provider", "llm_temperature", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            return value or None
        return value

    @field_validator("llm_fallback_models", mode="before")
    @classmethod
    def _split_models(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("llm_prices", mode="before")
    @classmethod
    def _parse_prices(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("llm_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @property
    def provider(self) -> ProviderName:
        """The provider in use: explicit, else openai when an endpoint or key is set."""
        if self.llm_provider is not None:
            return self.llm_provider
        if self.llm_base_url or self.llm_api_key.get_secret_value():
            return "openai"
        return "builtin"
