#!/usr/bin/env bash
# Make sure promtool (Debian package "prometheus") is on PATH; install it offline-registry style if not.
# Idempotent. Exits non-zero with the reason when it cannot: the alert tests then fail, never skip.
set -euo pipefail
if command -v promtool >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "promtool is missing: run 'sudo apt-get install -y --no-install-recommends prometheus' (Debian/Ubuntu)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool is missing and apt-get is not available: install Prometheus' promtool >= 2.42 by hand" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends prometheus >/dev/null
}
command -v promtool >/dev/null 2>&1 || { echo "apt-get installed prometheus but promtool is not on PATH" >&2; exit 1; }
echo "installed $(promtool --version 2>&1 | head -1)"
