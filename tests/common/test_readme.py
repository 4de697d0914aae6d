"""The README stays true: its commands exist and it documents every setting."""

from __future__ import annotations

import re

import pytest

from docmesh_common.settings import ServiceSettings, env_name
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def _settings_classes() -> list[type[ServiceSettings]]:
    from docmesh_agent.settings import AgentSettings
    from docmesh_document.settings import DocumentSettings
    from docmesh_gateway.settings import GatewaySettings
    from docmesh_session.settings import SessionSettings

    return [SessionSettings, AgentSettings, DocumentSettings, GatewaySettings]


def test_readme_quick_start_is_make_run_and_make_test() -> None:
    assert "make run" in README and "make test" in README


def test_every_make_target_the_readme_mentions_exists() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    mentioned = set(re.findall(r"`make ([a-z-]+)", README))
    assert mentioned <= targets


# The base class's port fields are placeholders: each service that listens re-declares them
# with its own variable (DOCMESH_SESSION_PORT, ...); one it does not re-declare is unused.
PLACEHOLDERS = {"DOCMESH_PORT", "DOCMESH_METRICS_PORT"}


@pytest.mark.parametrize("cls", _settings_classes(), ids=lambda c: c.__name__)
def test_readme_documents_every_setting(cls: type[ServiceSettings]) -> None:
    names = {env_name(cls, field) for field in cls.model_fields} - PLACEHOLDERS
    assert sorted(name for name in names if name not in README) == []
