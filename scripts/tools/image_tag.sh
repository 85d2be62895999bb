#!/bin/sh
# Content tag of the three Vocabulo images (issue 15 item 5): the git tree hash of their build
# inputs as they are on disk now (committed or not, untracked files included, .gitignore
# respected), folded with the blob hashes of the ignored files the images still copy (the Junior
# model files). Same inputs -> same tag; any change -> a new tag, so `make up` rolls the pods.
# Prints 12 hex digits. Writes only git objects of the inputs (a temporary index, never the real one).
set -eu
cd "$(dirname "$0")/../.."
INPUTS="Dockerfiles requirements apps jobs/db-restore data/post_restore.sql data/lsf_app_dump.sql.gz data/lsf_app_dump.manifest.json .dockerignore"
index=$(mktemp "${TMPDIR:-/tmp}/vocabulo-tag-index.XXXXXX")
trap 'rm -f "$index"' EXIT
present=""
for path in $INPUTS; do
  if [ -e "$path" ]; then present="$present $path"; fi
done
# shellcheck disable=SC2086  # the paths hold no spaces
GIT_INDEX_FILE="$index" git read-tree --empty
# shellcheck disable=SC2086
GIT_INDEX_FILE="$index" git add -A -- $present
tree=$(GIT_INDEX_FILE="$index" git write-tree)
ignored=$(git ls-files --others --ignored --exclude-standard -- apps/junior/models \
  | grep -v '__pycache__' | LC_ALL=C sort | while read -r file; do
    printf '%s %s\n' "$(git hash-object -- "$file")" "$file"
  done)
printf 'tree %s\n%s\n' "$tree" "$ignored" | git hash-object --stdin | cut -c1-12
