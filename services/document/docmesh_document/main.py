"""Entry point: `docmesh-document` / `python -m docmesh_document.main`."""

from __future__ import annotations

from docmesh_common.server import run_service
from docmesh_document.server import create_server
from docmesh_document.settings import DocumentSettings


def main() -> None:
    run_service(create_server, DocumentSettings)


if __name__ == "__main__":
    main()
