#!/usr/bin/env bash
# Build the wheelhouse of one image: .tools/wheels/<image>/ (pinned by constraints.txt), for the
# IMAGE's interpreter and platform (CPython 3.11, manylinux, glibc <= 2.36 = Debian bookworm), not the
# host's: `pip download --only-binary=:all: --python-version 3.11 --platform manylinux…` works the same
# from macOS, Windows or Linux with any Python 3.
# usage: wheelhouse.sh restore|quiz|junior      env: IMAGE_ARCH=amd64|arm64 (default: the docker
# engine's architecture, else this machine's)
# The images install from it with --no-index, so a docker build needs no registry access (pip inside
# a build cannot verify TLS on machines whose registry traffic is re-signed; see ENVIRONMENT.md).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
NAME="${1:?usage: wheelhouse.sh restore|quiz|junior}"
REQ="$ROOT/requirements/$NAME.txt"
[[ -f "$REQ" ]] || { echo "no $REQ" >&2; exit 2; }
PY_VERSION=3.11
GLIBC_MAX=36

arch="${IMAGE_ARCH:-}"
if [[ -z "$arch" ]]; then
  arch="$(${DOCKER:-docker} version -f '{{.Server.Arch}}' 2>/dev/null | tr -d '[:space:]' || true)"
  [[ -n "$arch" ]] || arch="$(uname -m)"
fi
case "$arch" in
  amd64 | x86_64) machine=x86_64 ;;
  arm64 | aarch64) machine=aarch64 ;;
  *) echo "wheelhouse: unsupported image architecture '$arch' (amd64 and arm64 are supported)" >&2; exit 2 ;;
esac

OUT="$ROOT/.tools/wheels/$NAME"
STAMP="$OUT/.stamp"
KEY="$(cat "$REQ" "$ROOT/requirements/service.txt" "$ROOT/requirements/constraints.txt" | sha256sum | cut -c1-16)-cp${PY_VERSION/./}-$machine"
[[ -f "$STAMP" && "$(cat "$STAMP")" == "$KEY" ]] && exit 0
PIP="${PIP:-$ROOT/.venv/bin/pip}"
[[ -x "$PIP" ]] || PIP="pip3"

platforms=(--platform "manylinux2014_$machine")
for minor in $(seq 17 "$GLIBC_MAX"); do platforms+=(--platform "manylinux_2_${minor}_$machine"); done
rm -rf "$OUT"
mkdir -p "$OUT"
(cd "$ROOT/requirements" && "$PIP" download -q --disable-pip-version-check --only-binary=:all: \
  --python-version "$PY_VERSION" --implementation cp --abi "cp${PY_VERSION/./}" --abi abi3 --abi none \
  "${platforms[@]}" -r "$NAME.txt" -c constraints.txt -d "$OUT" \
  2> >(grep -v 'is ignored: it is neither' >&2)) || {
  echo "wheelhouse $NAME: a pinned package has no wheel for CPython $PY_VERSION on linux/$machine" >&2
  exit 1
}
echo "$KEY" > "$STAMP"
echo "wheelhouse $NAME: $(ls "$OUT"/*.whl | wc -l) wheels for CPython $PY_VERSION linux/$machine in $OUT"
