"""LLM providers behind one interface; `create_provider` picks one from the settings."""

from __future__ import annotations

from docmesh_agent.providers.base import Provider
from docmesh_agent.settings import AgentSettings


def create_provider(settings: AgentSettings) -> Provider:
    """The provider the settings name (imports only the one in use)."""
    if settings.provider == "openai":
        from docmesh_agent.providers.openai_provider import OpenAIProvider

        return OpenAIProvider(settings)
    from docmesh_agent.providers.builtin_provider import BuiltinProvider

    return BuiltinProvider()


__all__ = ["Provider", "create_provider"]
