#!/usr/bin/env bash
# Start a private Debian dockerd (if not running) and build the debootstrap base image, idempotently.
# usage: container_engine.sh start|base|stop      (prints nothing on success except progress lines)
# Environment: VOCABULO_DOCKER_DIR (default /var/tmp/vocabulo-docker), BASE_IMAGE (default vocabulo/debian-base:bookworm).
# Why: no container registry is reachable here, so the base image is built with debootstrap
# (ENVIRONMENT.md); on a normal machine `make images` just uses the running docker and python:3.11-slim.
set -euo pipefail
DIR="${VOCABULO_DOCKER_DIR:-/var/tmp/vocabulo-docker}"
SOCK="$DIR/docker.sock"
BASE_IMAGE="${BASE_IMAGE:-vocabulo/debian-base:bookworm}"
DOCKER="${DOCKER_CLI:-/usr/bin/docker}"
export DOCKER_HOST="unix://$SOCK"

# A missing tool is installed from Debian when we are root with apt-get (as make test does for
# PostgreSQL); otherwise the error names the package to install.
need() {
  command -v "$1" >/dev/null && return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "container engine: installing $2 from Debian (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq -o DPkg::Lock::Timeout=600 && apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "$2"; } >&2 || {
      echo "apt-get install $2 failed" >&2; exit 1; }
    command -v "$1" >/dev/null && return 0
  fi
  echo "missing $1: apt-get install $2 (as root), or install Docker" >&2
  exit 1
}

start() {
  if [[ -S "$SOCK" ]] && "$DOCKER" info >/dev/null 2>&1; then return 0; fi
  need dockerd docker.io
  mkdir -p "$DIR/data" "$DIR/exec"
  nohup dockerd --data-root "$DIR/data" --exec-root "$DIR/exec" -H "$DOCKER_HOST" \
    --pidfile "$DIR/dockerd.pid" >"$DIR/dockerd.log" 2>&1 &
  for _ in $(seq 60); do
    "$DOCKER" info >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "dockerd did not start; see $DIR/dockerd.log" >&2
  exit 1
}

base() {
  start
  "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  need debootstrap debootstrap
  local root="$DIR/rootfs"
  rm -rf "$root"
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$DIR/debootstrap.log" 2>&1 || {
    echo "debootstrap failed; see $DIR/debootstrap.log" >&2
    exit 1
  }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "$DOCKER" import - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
}

stop() {
  [[ -f "$DIR/dockerd.pid" ]] || return 0
  local pid
  pid="$(cat "$DIR/dockerd.pid")"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  echo "dockerd ($pid) did not stop within 30 s" >&2
}

case "${1:-}" in
  start) start ;;
  base) base ;;
  stop) stop ;;
  *) echo "usage: $0 start|base|stop" >&2; exit 2 ;;
esac
