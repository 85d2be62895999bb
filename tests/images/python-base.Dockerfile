# Stand-in for python:3.11-slim-bookworm where no registry can be reached: Debian's own Python 3.11
# on the debootstrap base (tests/images builds it; pass it as --build-arg PYTHON_IMAGE=...).
ARG BASE_IMAGE=vocabulo/debian-base:bookworm
FROM ${BASE_IMAGE}
SHELL ["/bin/sh", "-eu", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3=3.11.* python3-venv=3.11.* \
 && rm -rf /var/lib/apt/lists/*
