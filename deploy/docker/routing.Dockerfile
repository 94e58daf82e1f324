# syntax=docker/dockerfile:1.7
# The samleng-routing image. Build from the repository root (see docs/operations.md):
#   docker build -f deploy/docker/routing.Dockerfile -t samleng/routing:$(git rev-parse --short HEAD) .
# Dependencies come from uv.lock only (--locked), so the same commit gives the same packages.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# uv checks the lock against every workspace member, so every manifest is copied; sources
# of the members this image does not contain are not.
COPY pyproject.toml uv.lock ./
COPY libs/common/pyproject.toml libs/common/pyproject.toml
COPY services/intake/pyproject.toml services/intake/pyproject.toml
COPY services/routing/pyproject.toml services/routing/pyproject.toml
COPY services/notification/pyproject.toml services/notification/pyproject.toml
COPY services/reporting/pyproject.toml services/reporting/pyproject.toml
COPY services/web/pyproject.toml services/web/pyproject.toml
COPY tools/devstack/pyproject.toml tools/devstack/pyproject.toml
# Third-party dependencies first: this layer is reused until uv.lock changes.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-workspace --package samleng-routing
COPY libs/common/src libs/common/src
COPY services/routing/src services/routing/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --package samleng-routing

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 samleng \
    && useradd --system --uid 10001 --gid samleng --no-create-home --shell /usr/sbin/nologin samleng
# Owned by root and read-only to the service: nothing in the image is written at run time.
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    SAMLENG_HTTP_HOST=0.0.0.0 \
    SAMLENG_HTTP_PORT=8001
WORKDIR /app
USER 10001:10001
EXPOSE 8001
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['SAMLENG_HTTP_PORT']}/healthz\", timeout=2)"]
# "serve" by default; "migrate" runs the idempotent one-time job (indexes, reference data).
ENTRYPOINT ["python", "-m", "samleng.routing"]
CMD ["serve"]
