#!/bin/sh
# Runs once, when the postgres container initialises its volume: creates the application role
# with its own password. `kefu migrate` (as the owner) grants it what it needs and nothing more.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$KEFU_APP_PASSWORD" <<'SQL'
CREATE ROLE kefu_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
SQL
