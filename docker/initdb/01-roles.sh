#!/bin/sh
# Runs once, when the postgres container initialises its volume: creates the application role
# (the API) and the worker role, each with its own password. `kefu migrate` (as the owner)
# grants them what they need and nothing more (sql/001, sql/017).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$KEFU_APP_PASSWORD" -v worker_password="$KEFU_WORKER_PASSWORD" <<'SQL'
CREATE ROLE kefu_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE ROLE kefu_worker LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'worker_password';
SQL
