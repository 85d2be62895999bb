# Apply the service roles (SQL written by the role-sql init container) to an existing data
# directory through a server that listens on a private socket only, then stop it. A new data
# directory is left to the image's entrypoint, which runs the same file during initdb.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "apply-roles: new data directory; the entrypoint applies $ROLES_SQL during initdb"
  exit 0
fi
socket_dir=$(mktemp -d /tmp/apply-roles.XXXXXX)
pg_ctl -D "$PGDATA" -w -t "${PG_START_TIMEOUT:-600}" -l "$socket_dir/server.log" \
  -o "-c listen_addresses='' -c unix_socket_directories=$socket_dir" start || {
  cat "$socket_dir/server.log" >&2
  exit 1
}
trap 'pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null; cat "$socket_dir/server.log"' EXIT
# Roles are cluster-wide: the maintenance database always exists (POSTGRES_DB may be renamed later).
psql -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -U "$POSTGRES_USER" -d postgres -f "$ROLES_SQL"
echo "apply-roles: roles applied from $ROLES_SQL"
