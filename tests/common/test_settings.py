"""Settings come from DOCMESH_ env vars and a bad one names itself."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from docmesh_common.settings import ServiceSettings, describe_error, env_name, load_settings


class ExampleSettings(ServiceSettings):
    port: int = Field(50099, validation_alias="DOCMESH_EXAMPLE_PORT")


def test_a_service_specific_port_is_read_from_its_own_variable(monkeypatch) -> None:
    monkeypatch.setenv("DOCMESH_EXAMPLE_PORT", "6000")
    assert ExampleSettings().port == 6000


def test_shared_settings_use_the_docmesh_prefix(monkeypatch) -> None:
    monkeypatch.setenv("DOCMESH_BREAKER_FAIL_MAX", "9")
    assert ExampleSettings().breaker_fail_max == 9


def test_env_name_reports_aliases_and_prefixed_names() -> None:
    assert env_name(ExampleSettings, "port") == "DOCMESH_EXAMPLE_PORT"
    assert env_name(ExampleSettings, "log_level") == "DOCMESH_LOG_LEVEL"


def test_a_bad_value_is_described_with_the_variable_name(monkeypatch) -> None:
    monkeypatch.setenv("DOCMESH_EXAMPLE_PORT", "not-a-port")
    with pytest.raises(ValidationError) as caught:
        ExampleSettings()
    assert describe_error(ExampleSettings, caught.value).startswith("invalid setting DOCMESH_EXAMPLE_PORT:")


def test_load_settings_exits_with_status_2_on_a_bad_value(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DOCMESH_SHUTDOWN_GRACE_SECONDS", "soon")
    with pytest.raises(SystemExit) as caught:
        load_settings(ExampleSettings)
    assert caught.value.code == 2
    assert "DOCMESH_SHUTDOWN_GRACE_SECONDS" in capsys.readouterr().err
