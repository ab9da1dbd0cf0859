# syntax=docker/dockerfile:1
# eso container image: `eso` on a slim Python 3.11, as user 1000, read-only-root friendly.
#
#   docker build -t eso:0.1.0 .
#
# Two stages: the first builds eso's wheel and installs it (with every dependency pinned by
# constraints.txt) into a virtualenv; the second copies only that virtualenv onto a fresh
# base, so no compiler, pip cache, source tree or build tool reaches the final image.
# Pin the base by digest for reproducible builds:
#   docker build --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest> .

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN python -m venv /opt/eso \
 && python -m pip wheel --no-deps --wheel-dir /tmp/dist . \
 && /opt/eso/bin/pip install --constraint constraints.txt /tmp/dist/eso-*.whl \
 && /opt/eso/bin/pip uninstall --yes pip setuptools wheel \
 && /opt/eso/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/eso/lib \
 && /opt/eso/bin/eso --version

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="eso" \
      org.opencontainers.image.description="External Secrets Operator, in Python" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0"
# Bytecode was compiled at build time; nothing is written outside /tmp at run time
# (the chart mounts an emptyDir there and sets readOnlyRootFilesystem).
ENV PATH=/opt/eso/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp
COPY --from=build /opt/eso /opt/eso
# The base image's own pip/setuptools/wheel are build tools too: remove them.
RUN groupadd --gid 1000 eso \
 && useradd --uid 1000 --gid 1000 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin eso \
 && python -m pip uninstall --yes --quiet pip setuptools wheel
USER 1000:1000
WORKDIR /tmp
EXPOSE 8080 8081 8082 10250
ENTRYPOINT ["eso"]
CMD ["run"]
