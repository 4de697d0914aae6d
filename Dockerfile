# One image for the four docmesh processes. The Deployment picks the command:
#   docmesh-session | docmesh-agent | docmesh-document | docmesh-gateway
# and the migration Job runs `python -m docmesh_session.migrate`.
#
# Stages:
#   codegen  - installs the `build` extra (grpcio-tools, mypy-protobuf) and generates gen/
#   builder  - installs docmesh (no extras) with a regular, non-editable install into /opt/docmesh
#   runtime  - the slim base, the venv copied from builder, a non-root user; no compilers, no
#              code generators, no test dependencies, no developer tools (dev/ is not copied).
#
# Every dependency is installed at the version pinned in deploy/requirements.lock (`make lock`),
# so two builds of one commit ship the same packages.
#
# Build:  docker build -t registry.example.com/docmesh/docmesh:0.1.0 .

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Requirement lists are read from pyproject.toml (the single source of the version ranges) and
# pinned by the lock, so that the dependency layers below stay cached until one of them changes,
# not on every edit.
COPY pyproject.toml README.md ./
COPY deploy/docker/requirements.py ./deploy/docker/requirements.py
COPY deploy/requirements.lock ./deploy/requirements.lock
RUN python deploy/docker/requirements.py runtime > /tmp/requirements-runtime.txt \
 && python deploy/docker/requirements.py codegen > /tmp/requirements-codegen.txt


FROM base AS codegen
# protos/generate.py finds the protoc-gen-mypy plugins next to its interpreter, so it runs from
# the venv that holds the `build` extra.
RUN python -m venv /opt/codegen \
 && /opt/codegen/bin/pip install -r /tmp/requirements-codegen.txt -c deploy/requirements.lock
COPY protos ./protos
RUN /opt/codegen/bin/python protos/generate.py \
 && test -f gen/docmesh/session/v1/session_service_pb2.py


FROM base AS builder
RUN python -m venv /opt/docmesh \
 && /opt/docmesh/bin/pip install -r /tmp/requirements-runtime.txt -c deploy/requirements.lock
COPY services ./services
COPY gateway ./gateway
# gen/ must exist before the install: setuptools packages it as the `docmesh` namespace.
COPY --from=codegen /src/gen ./gen
# A regular (non-editable) install of `.` with no extras: the code, the generated stubs and the
# package data (alembic scripts, web page) are copied into the venv; /src is not needed at run time.
# The smoke check imports every entry point from outside /src, so a module that needs a package
# missing from the runtime dependencies (e.g. one only the test extra brings) fails the build.
RUN /opt/docmesh/bin/pip install . \
 && /opt/docmesh/bin/pip check \
 && cd / && /opt/docmesh/bin/python -c "import docmesh_session.main, docmesh_session.migrate, docmesh_agent.main, docmesh_document.main, docmesh_gateway.main" \
 && for cmd in docmesh-session docmesh-agent docmesh-document docmesh-gateway; do test -x /opt/docmesh/bin/$cmd; done


FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="docmesh" \
      org.opencontainers.image.description="docmesh session, agent, document and gateway services"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/docmesh/bin:$PATH \
    HOME=/tmp \
    DOCMESH_BIND_HOST=0.0.0.0
# A numeric UID: Kubernetes' runAsNonRoot can only verify a numeric user.
RUN groupadd --gid 10001 docmesh \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin docmesh
COPY --from=builder /opt/docmesh /opt/docmesh
WORKDIR /app
USER 10001:10001
# Ports by default: session 50051/9091, agent 50052/9092, document 50053/9093, gateway 8080.
EXPOSE 50051 50052 50053 8080 9091 9092 9093
# The Deployment sets the command; the default starts the gateway.
CMD ["docmesh-gateway"]
