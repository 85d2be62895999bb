# db-restore image: `vocabulo-restore`, `vocabulo-backup` + psql/pg_dump, the seed dump baked in at /opt/vocabulo/data/.
# Build from the repository root after `make images` prepared .tools/wheels/restore (pinned wheelhouse).
# checkov:skip=CKV_DOCKER_2: Kubernetes probes (/health, /ready) replace HEALTHCHECK, which Kubernetes ignores.
# checkov:skip=CKV_DOCKER_7: FROM uses the PYTHON_IMAGE build arg, whose default is a pinned version tag.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
SHELL ["/bin/sh", "-eu", "-c"]
COPY requirements/ /src/requirements/
COPY .tools/wheels/restore/ /wheels/
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels \
      -r /src/requirements/restore.txt -c /src/requirements/constraints.txt
COPY apps/__init__.py /app/apps/__init__.py
COPY apps/common/ /app/apps/common/
# Same layout as the repository (the code finds data/ relative to itself).
COPY jobs/db-restore/db_restore/ /app/jobs/db-restore/db_restore/
RUN find /app -name '__pycache__' -prune -exec rm -rf {} + \
 && /opt/venv/bin/python -m compileall -q /app /opt/venv \
 && for cmd in restore:cli backup:backup; do \
      printf '#!/opt/venv/bin/python\nimport sys\nfrom db_restore.%s import main\nsys.exit(main())\n' "${cmd#*:}" \
        > "/opt/venv/bin/vocabulo-${cmd%%:*}"; \
      chmod 0755 "/opt/venv/bin/vocabulo-${cmd%%:*}"; \
    done

FROM ${PYTHON_IMAGE}
ARG PG_CLIENT_VERSION=15.*
SHELL ["/bin/sh", "-eu", "-c"]
# psql streams the dump; pg_isready lets the Job wait for the server.
RUN apt-get update \
 && apt-get install -y --no-install-recommends "postgresql-client-15=${PG_CLIENT_VERSION}" \
 && rm -rf /var/lib/apt/lists/*
LABEL org.opencontainers.image.title="vocabulo-db-restore" \
      org.opencontainers.image.description="Restores the Vocabulo dictionary dump and creates the service roles"
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY data/post_restore.sql data/lsf_app_dump.* /opt/vocabulo/data/
ENV PATH=/opt/venv/bin:/usr/lib/postgresql/15/bin:$PATH \
    PYTHONPATH=/app:/app/jobs/db-restore \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    VOCABULO_DUMP=/opt/vocabulo/data/lsf_app_dump.sql.gz
WORKDIR /app
USER 10001:10001
ENTRYPOINT ["vocabulo-restore"]
