#!/usr/bin/env bash
# Build the wheelhouse of one image on the host: .tools/wheels/<image>/ (pinned by constraints.txt).
# usage: wheelhouse.sh restore|quiz|junior
# The images install from it with --no-index, so a docker build needs no registry access (pip inside
# a build cannot verify TLS on machines whose registry traffic is re-signed; see ENVIRONMENT.md).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
NAME="${1:?usage: wheelhouse.sh restore|quiz|junior}"
REQ="$ROOT/requirements/$NAME.txt"
[[ -f "$REQ" ]] || { echo "no $REQ" >&2; exit 2; }
OUT="$ROOT/.tools/wheels/$NAME"
STAMP="$OUT/.stamp"
KEY="$(cat "$REQ" "$ROOT/requirements/service.txt" "$ROOT/requirements/constraints.txt" | sha256sum | cut -c1-16)"
[[ -f "$STAMP" && "$(cat "$STAMP")" == "$KEY" ]] && exit 0
PIP="${PIP:-$ROOT/.venv/bin/pip}"
[[ -x "$PIP" ]] || PIP="pip3"
rm -rf "$OUT"
mkdir -p "$OUT"
(cd "$ROOT/requirements" && "$PIP" wheel -q --disable-pip-version-check -r "$NAME.txt" -c constraints.txt \
  -w "$OUT" 2> >(grep -v 'is ignored: it is neither' >&2))
echo "$KEY" > "$STAMP"
echo "wheelhouse $NAME: $(ls "$OUT"/*.whl | wc -l) wheels in $OUT"
