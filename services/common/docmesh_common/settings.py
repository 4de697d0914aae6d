"""Settings shared by every process: env vars with the DOCMESH_ prefix, validated at start."""

from __future__ import annotations

import sys
from typing import TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "DOCMESH_"


class ServiceSettings(BaseSettings):
    """What every service reads. Subclasses add `port` and `metrics_port` with their own env names."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, case_sensitive=False, extra="ignore")

    port: int = 0
    metrics_port: int = 0
    bind_host: str = "127.0.0.1"
    log_level: str = "INFO"
    # The per-request log line (the gateway's "http", a service's "rpc"): every failed or slow
    # request, and this share of the others, picked by request id so every hop of a sampled
    # request logs it. Every request is counted in the metrics whatever the share (README).
    access_log_sample_rate: float = Field(0.01, ge=0, le=1)
    access_log_slow_seconds: float = Field(1.0, ge=0)
    otlp_endpoint: str = ""
    shutdown_grace_seconds: float = 10.0
    # On SIGTERM the server reports NOT_SERVING and keeps accepting calls this long before it
    # stops, so health-checking clients move to other replicas first (no calls cut off).
    drain_delay_seconds: float = 1.0
    # A ready server reports NOT_SERVING only after this many failed readiness checks in a row
    # (one every 2 s): a blip of a dependency does not eject the replica (see Server).
    readiness_failures_to_eject: int = 3
    breaker_fail_max: int = 5
    # An upstream breaker's first open lasts about breaker_first_open_seconds (a blip heals in
    # a second); each failed probe doubles it, up to breaker_reset_seconds. That longest
    # interval bounds how long errors outlast an outage (the target: under 2 s; 1.5 s left too
    # little room for the first call after it on a loaded machine, so 1 s); a probe every second
    # of an upstream that is down costs one call per client.
    breaker_first_open_seconds: float = 0.5
    breaker_reset_seconds: float = 1.0
    upstream_timeout_seconds: float = 30.0


S = TypeVar("S", bound=BaseSettings)


def env_name(cls: type[BaseSettings], field: str) -> str:
    """The environment variable that sets `field` of a settings class."""
    info = cls.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, str):
        return alias.upper()
    prefix = str(cls.model_config.get("env_prefix", ""))
    return f"{prefix}{field}".upper()


def describe_error(cls: type[BaseSettings], error: ValidationError) -> str:
    """One line per bad variable, naming it the way the operator wrote it."""
    lines = []
    for item in error.errors():
        loc = item.get("loc") or ("?",)
        field = str(loc[0])
        name = env_name(cls, field) if field in cls.model_fields else field.upper()
        lines.append(f"invalid setting {name}: {item.get('msg')} (got {item.get('input')!r})")
    return "\n".join(lines)


def load_settings(cls: type[S]) -> S:
    """Read settings from the environment; on a bad value say which variable and exit 2."""
    try:
        return cls()
    except ValidationError as error:
        print(describe_error(cls, error), file=sys.stderr)  # noqa: T201 - before logging exists
        raise SystemExit(2) from None
