#!/usr/bin/env bash
# Run a command against a real PostgreSQL 15: install the Debian server if missing, start the cluster if it is down,
# create the role and database if missing, run the command with DATABASE_URL set, and stop the cluster only if this
# script started it. Needs root (as on the CI and developer machines).
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null || [ ! -d /usr/lib/postgresql/15 ]; then
  apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null
fi
[ -d /etc/postgresql/15/main ] || pg_createcluster 15 main >/dev/null

started=0
if ! pg_lsclusters -h | awk '$1==15 && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect 15 main start
  started=1
fi
cleanup() { if [ "$started" = 1 ]; then pg_ctlcluster --skip-systemctl-redirect 15 main stop || true; fi; }
trap cleanup EXIT

port=$(pg_lsclusters -h | awk '$1==15 && $2=="main" {print $3}')
runuser -u postgres -- psql -p "$port" -qtc "SELECT 1 FROM pg_roles WHERE rolname='tracker'" | grep -q 1 \
  || runuser -u postgres -- psql -p "$port" -qc "CREATE ROLE tracker LOGIN PASSWORD 'tracker' CREATEDB"
runuser -u postgres -- psql -p "$port" -qtc "SELECT 1 FROM pg_database WHERE datname='tracker'" | grep -q 1 \
  || runuser -u postgres -- psql -p "$port" -qc "CREATE DATABASE tracker OWNER tracker"

export DATABASE_URL="postgres://tracker:tracker@127.0.0.1:${port}/tracker"
echo "Running on PostgreSQL 15 at 127.0.0.1:${port}: $*"
"$@"
