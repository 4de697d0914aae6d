"""Gateway settings: env vars with the DOCMESH_ prefix, validated at start."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from docmesh_common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """The REST gateway: its HTTP port, its upstreams and its edge (keys, limits, CORS)."""

    # populate_by_name: tests and tools may pass port=0 as well as DOCMESH_GATEWAY_PORT.
    model_config = SettingsConfigDict(**ServiceSettings.model_config, populate_by_name=True)

    # Metrics are served on the HTTP port at /metrics, so metrics_port stays unused (0).
    port: int = Field(8080, validation_alias="DOCMESH_GATEWAY_PORT")
    session_target: str = "127.0.0.1:50051"
    agent_target: str = "127.0.0.1:50052"
    document_target: str = "127.0.0.1:50053"
    # JSON or YAML list of {key_hash, owner_id}; empty means no keys file.
    api_keys_file: str = ""
    # How often (seconds) the keys file is checked for changes; keys are reloaded without a restart.
    api_keys_reload_seconds: float = Field(5.0, ge=0)
    # Dev mode (make run): also accept dev_api_key, generating one at start when it is empty.
    dev_mode: bool = False
    dev_api_key: str = ""
    dev_owner_id: str = "dev"
    # Token bucket per API key: sustained requests per second and burst size.
    rate_limit_rps: float = Field(20.0, ge=0)
    rate_limit_burst: int = Field(40, ge=1)
    # Shared bucket store so replicas agree; in memory when empty.
    redis_url: str = ""
    rate_limit_key_prefix: str = "docmesh:ratelimit:"
    # With Redis, each replica decides on its copy of the buckets and reconciles them with the
    # shared ones this often (one script call per round): replicas may together exceed a limit
    # by what they let through within one round, and the debt is paid back in the next.
    rate_limit_sync_seconds: float = Field(0.1, gt=0, le=10)
    # Browser origins allowed by CORS (comma separated or a JSON list); empty allows none.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(1_048_576, ge=1)
    # Per-RPC body limits that replace max_body_bytes, e.g. {"AgentService.ImportDocument": 10485760}
    # (JSON): a received e-invoice PDF may be up to 10 MB, as the document service reads it.
    route_body_limits: dict[str, int] = Field(
        default_factory=lambda: {"AgentService.ImportDocument": 10 * 1024 * 1024}
    )
    # Deadline of chat-like calls, which wait for an LLM; other calls use upstream_timeout_seconds.
    chat_timeout_seconds: float = Field(120.0, gt=0)
    # Per-RPC deadline overrides in seconds, e.g. {"DocumentService.Export": 10} (JSON).
    route_timeouts: dict[str, float] = Field(default_factory=dict)
    readiness_timeout_seconds: float = Field(2.0, gt=0)
    # Idle HTTP keep-alive connections are closed after this long.
    keep_alive_seconds: int = Field(75, ge=1)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value
