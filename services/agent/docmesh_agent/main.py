"""Entry point: `docmesh-agent` / `python -m docmesh_agent.main`."""

from __future__ import annotations

from docmesh_agent.server import create_server
from docmesh_agent.settings import AgentSettings
from docmesh_common.server import run_service


def main() -> None:
    run_service(create_server, AgentSettings)


if __name__ == "__main__":
    main()
