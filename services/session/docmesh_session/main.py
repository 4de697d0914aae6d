"""Entry point: `docmesh-session` / `python -m docmesh_session.main`."""

from __future__ import annotations

from docmesh_common.server import run_service
from docmesh_session.server import create_server
from docmesh_session.settings import SessionSettings


def main() -> None:
    run_service(create_server, SessionSettings)


if __name__ == "__main__":
    main()
