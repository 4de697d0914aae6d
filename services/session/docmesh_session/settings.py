"""Settings of the session service (env vars, validated at start)."""

from __future__ import annotations

from pydantic import Field, field_validator

from docmesh_common.settings import ServiceSettings


class SessionSettings(ServiceSettings):
    """Everything the session service reads from the environment."""

    port: int = Field(50051, ge=0, le=65535, validation_alias="DOCMESH_SESSION_PORT")
    metrics_port: int = Field(9091, ge=0, le=65535, validation_alias="DOCMESH_SESSION_METRICS_PORT")
    # The record: PostgreSQL (postgresql+asyncpg://...) or SQLite (sqlite+aiosqlite:///...).
    database_url: str = Field(
        "sqlite+aiosqlite:///.state/docmesh.db", validation_alias="DOCMESH_DATABASE_URL"
    )
    # Run Alembic upgrade head at start. Unset: yes for SQLite (the embedded default),
    # no for PostgreSQL where an operator runs `make migrate` / a migration job.
    auto_migrate: bool | None = Field(None, validation_alias="DOCMESH_AUTO_MIGRATE")
    db_pool_size: int = Field(10, ge=1, le=200, validation_alias="DOCMESH_DB_POOL_SIZE")
    db_max_overflow: int = Field(10, ge=0, le=200, validation_alias="DOCMESH_DB_MAX_OVERFLOW")
    # Hot cache; empty means no Redis (the database answers everything).
    redis_url: str = Field("", validation_alias="DOCMESH_REDIS_URL")
    # First part of every Redis key: `<namespace>:session:v1:<id>`.
    redis_namespace: str = Field(
        "docmesh", min_length=1, max_length=100, validation_alias="DOCMESH_REDIS_NAMESPACE"
    )
    # Redis calls give up quickly so a slow Redis never slows the service down much.
    redis_timeout_seconds: float = Field(0.25, gt=0, le=10, validation_alias="DOCMESH_REDIS_TIMEOUT_SECONDS")
    redis_max_connections: int = Field(64, ge=1, le=10_000, validation_alias="DOCMESH_REDIS_MAX_CONNECTIONS")
    # After a Redis failure the cache is skipped for this long, then tried again.
    redis_retry_seconds: float = Field(1.0, ge=0, le=300, validation_alias="DOCMESH_REDIS_RETRY_SECONDS")
    # Sliding TTL of cached session state.
    cache_ttl_seconds: int = Field(86_400, ge=1, validation_alias="DOCMESH_SESSION_CACHE_TTL_SECONDS")
    # Idle time after which an active session becomes abandoned.
    session_ttl_seconds: int = Field(86_400, ge=1, validation_alias="DOCMESH_SESSION_TTL_SECONDS")
    max_session_tokens: int = Field(200_000, ge=1, validation_alias="DOCMESH_MAX_SESSION_TOKENS")
    max_message_chars: int = Field(32_000, ge=1, validation_alias="DOCMESH_MAX_MESSAGE_CHARS")
    max_messages_per_append: int = Field(
        100, ge=1, le=10_000, validation_alias="DOCMESH_MAX_MESSAGES_PER_APPEND"
    )
    # Soft-deleted sessions are purged for good after this long.
    deleted_retention_seconds: int = Field(
        30 * 86_400, ge=0, validation_alias="DOCMESH_SESSION_DELETED_RETENTION_SECONDS"
    )
    # How often the sweeper runs (0 turns it off); rows handled per batch.
    sweep_interval_seconds: float = Field(
        60.0, ge=0, validation_alias="DOCMESH_SESSION_SWEEP_INTERVAL_SECONDS"
    )
    sweep_batch_size: int = Field(500, ge=1, le=10_000, validation_alias="DOCMESH_SESSION_SWEEP_BATCH_SIZE")
    # Signs page tokens so a client cannot forge a cursor; every replica needs the same value.
    page_token_secret: str = Field("docmesh-page-token", validation_alias="DOCMESH_PAGE_TOKEN_SECRET")

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("must start with postgresql+asyncpg:// or sqlite+aiosqlite://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://, or be empty")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def should_migrate(self) -> bool:
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate
