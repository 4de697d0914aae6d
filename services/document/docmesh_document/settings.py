"""Settings of the document service (env vars, validated at start)."""

from __future__ import annotations

from pydantic import Field

from docmesh_common.settings import ServiceSettings


class DocumentSettings(ServiceSettings):
    """Everything the document service reads from the environment."""

    port: int = Field(50053, ge=0, le=65535, validation_alias="DOCMESH_DOCUMENT_PORT")
    metrics_port: int = Field(9093, ge=0, le=65535, validation_alias="DOCMESH_DOCUMENT_METRICS_PORT")
    # Largest MSC text (UTF-8 bytes) or serialized invoice a request may carry.
    max_input_bytes: int = Field(2 * 1024 * 1024, ge=1, validation_alias="DOCMESH_MAX_INPUT_BYTES")
    # Worker processes for CPU-heavy requests (large renders, recalculations, exports), so that
    # they run beside the event loop instead of on it; 0 runs them on the loop's own process
    # in a thread (see service.py for the measurements behind the default).
    workers: int = Field(2, ge=0, le=64, validation_alias="DOCMESH_DOCUMENT_WORKERS")
    # Requests smaller than this many input bytes are computed inline: a hop to a worker
    # costs more than the work itself.
    offload_min_bytes: int = Field(32 * 1024, ge=0, validation_alias="DOCMESH_DOCUMENT_OFFLOAD_MIN_BYTES")
