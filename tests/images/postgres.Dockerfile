# Stand-in for the official postgres image (none can be pulled here): Debian's PostgreSQL 15,
# run as the postgres user with trust auth on a throwaway cluster (tests/images only).
ARG BASE_IMAGE=vocabulo/debian-base:bookworm
FROM ${BASE_IMAGE}
SHELL ["/bin/sh", "-eu", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15=15.* \
 && rm -rf /var/lib/apt/lists/*
ENV PGDATA=/var/lib/postgresql/data PATH=/usr/lib/postgresql/15/bin:$PATH
# The Debian package creates the postgres user; its UID is not fixed.
# hadolint ignore=DL3066
USER postgres:postgres
RUN initdb -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA" \
 && echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf" \
 && echo "host all all 0.0.0.0/0 trust" >> "$PGDATA/pg_hba.conf"
EXPOSE 5432
CMD ["postgres", "-D", "/var/lib/postgresql/data", "-k", "/tmp"]
