#!/usr/bin/env bash
# Back up or restore the Modelshelf PostgreSQL database named by DATABASE_URL.
#   scripts/backup.sh dump FILE       custom-format dump (compressed, restorable table by table)
#   scripts/backup.sh restore FILE    restore into DATABASE_URL's (empty) database
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database, e.g. postgres://user@host/modelshelf}"
case "${1:-}" in
  dump) pg_dump --format=custom --no-owner --file "$2" "$DATABASE_URL" ;;
  restore) pg_restore --no-owner --exit-on-error --single-transaction --dbname "$DATABASE_URL" "$2" ;;
  *) echo "usage: $0 dump|restore FILE" >&2; exit 2 ;;
esac
