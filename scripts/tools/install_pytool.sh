#!/usr/bin/env bash
# Install a Python tool whose pins clash with .venv into its own venv .tools/NAME, idempotently.
# usage: install_pytool.sh nca|checkov
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
case "${1:-}" in
  nca) SPEC="network-config-analyzer==2.1.0"; EXE="nca" ;;
  checkov) SPEC="checkov==3.3.30"; EXE="checkov" ;;
  *) echo "usage: $0 nca|checkov" >&2; exit 2 ;;
esac
VENV="$ROOT/.tools/$1"
STAMP="$VENV/.installed-$SPEC"
[[ -f "$STAMP" && -x "$VENV/bin/$EXE" ]] && exit 0
PYTHON="${PYTHON:-python3}"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" || {
  echo "python3 -m venv failed: on Debian/Ubuntu run 'apt-get install python3-venv'" >&2
  exit 1
}
"$VENV/bin/pip" install -q --disable-pip-version-check "$SPEC" 2> >(grep -v "is ignored: it is neither" >&2)
"$VENV/bin/$EXE" --help >/dev/null
touch "$STAMP"
mkdir -p "$ROOT/.tools/bin"
ln -sf "$VENV/bin/$EXE" "$ROOT/.tools/bin/$EXE"
echo "$SPEC installed in $VENV"
