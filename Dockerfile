# One image for every claimstream service; the command chooses which and what:
#   docker run IMAGE <package> migrate|api|worker      e.g. IMAGE claim_submission worker
# Built in two stages: the builder installs with deploy/install.sh (the script tests/deploy/test_install.py runs,
# so what this image holds is proven where no container engine exists); the runtime stage copies the environment
# alone, and runs as a user without a login, on a root filesystem that may be read-only (nothing is written
# outside /tmp). No HEALTHCHECK: the orchestrator probes /healthz and /readyz (docs/deploy.md).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements/runtime.txt requirements/build.txt requirements/
COPY deploy/install.sh deploy/
COPY shared/pyproject.toml shared/
COPY shared/src shared/src
COPY services services
RUN deploy/install.sh /opt/claimstream

FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="claimstream" \
      org.opencontainers.image.description="Event-driven revenue-cycle backend for behavioral-health billing" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# /var/lib/claimstream: where docker-compose.yml's setup writes (a new volume takes this folder's owner).
RUN groupadd --system --gid 10001 claimstream \
    && useradd --system --uid 10001 --gid claimstream --no-create-home --shell /usr/sbin/nologin claimstream \
    && install -d -o 10001 -g 10001 -m 700 /var/lib/claimstream
COPY --from=builder /opt/claimstream /opt/claimstream
ENV PATH=/opt/claimstream/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["python", "-m"]
CMD ["claimstream_platform.cli", "--help"]
