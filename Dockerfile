# authcheck: one image for the Slack bot (`authcheck serve`) and the worker (`authcheck worker`).
#
# Two stages: the build stage installs the package into a virtualenv; the runtime stage copies
# only that virtualenv, so no compiler, pip cache or source tree ships. The runtime runs as a
# numeric non-root user and writes nothing outside /tmp, so it works with a read-only root
# filesystem (mount an emptyDir at /tmp, as the Helm chart does).

FROM python:3.11.12-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml ./
COPY bot ./bot
COPY handlers ./handlers
# A regular (non-editable) install: site-packages holds the code, /src is left behind.
# pip byte-compiles here, because the runtime cannot write .pyc files.
RUN /opt/venv/bin/pip install --compile . \
    && /opt/venv/bin/authcheck --help >/dev/null

FROM python:3.11.12-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="authcheck" \
      org.opencontainers.image.description="Slack chat-ops bot that diagnoses 401/403 errors" \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 authcheck \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
       --shell /usr/sbin/nologin authcheck

COPY --from=build /opt/venv /opt/venv

# HOME and TMPDIR point at /tmp, the only writable place (an emptyDir in Kubernetes).
ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    PORT=3000 \
    AUTHCHECK_HEALTH_PORT=8080

USER 10001:10001
WORKDIR /tmp
EXPOSE 3000 8080

# No curl in slim images: a tiny stdlib call to the liveness endpoint both processes serve.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('AUTHCHECK_HEALTH_PORT', '8080') + '/healthz', timeout=4)"]

ENTRYPOINT ["authcheck"]
CMD ["serve"]
