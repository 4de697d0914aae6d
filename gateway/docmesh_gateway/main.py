"""`docmesh-gateway`: run the REST gateway until SIGTERM/SIGINT, then drain and exit 0."""

from __future__ import annotations

from docmesh_common.server import run_service
from docmesh_gateway.server import create_server
from docmesh_gateway.settings import GatewaySettings


def main() -> None:
    run_service(create_server, GatewaySettings)


if __name__ == "__main__":
    main()
