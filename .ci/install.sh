#!/usr/bin/env bash
# Everything the test suite needs beyond the .NET SDK. Idempotent: safe to run on a machine that has it all.
#
# DCMTK (dcmdump, dcmconv, dump2dcm, img2dcm, ...): the DICOM reader's tests compare it with dcmdump and make their
# test files with the others.
#
# moto_server (Python's moto): the S3-compatible store that the upload and end-to-end tests use on loopback; .ci/run
# starts it. It is looked for on PATH and in ~/.pyenv/shims; when absent, Debian's python3-moto is tried, and the S3
# tests skip (saying why) if neither is there.
#
# Debian's Chromium, for the portal's browser tests (Playwright drives /usr/bin/chromium; no browser is downloaded).
#
# PostgreSQL 15 on loopback, for the account/cohort store tests: installed from Debian's packages when missing,
# its cluster started for this run, and a role and a database for the tests created. The connection string is
# written to .ci/postgres.conn (not committed), which .ci/run exports as IMAGINGCOMMONS_TEST_POSTGRES.
# Runs as root (CI does); a machine without root can skip it and run the PostgreSQL tests as the README says.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo ".NET SDK 10 is required (dotnet not on PATH)"; exit 1; }

# moto_server (the download tests' S3 store) comes with this machine's Python (pip package moto); .ci/run starts it.
command -v moto_server >/dev/null || echo "install.sh: moto_server is not installed; the download tests will skip (pip install 'moto[server]')"

PG_VERSION=15
PG_CLUSTER=main
PG_ROLE=imagingcommons
PG_PASSWORD=imagingcommons
PG_DATABASE=imagingcommons_test

if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: not root, so Chromium and PostgreSQL are left alone (the browser tests skip without /usr/bin/chromium; the PostgreSQL tests skip unless IMAGINGCOMMONS_TEST_POSTGRES is set)"
    rm -f .ci/postgres.conn
    exit 0
fi

apt_updated=0
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x /usr/bin/chromium ]; then
    echo "install.sh: installing Chromium"
    apt_install chromium
fi

if ! command -v dcmdump >/dev/null || ! command -v img2dcm >/dev/null; then
    echo "install.sh: installing DCMTK"
    apt_install dcmtk
fi

if ! command -v moto_server >/dev/null && [ ! -x "$HOME/.pyenv/shims/moto_server" ]; then
    echo "install.sh: installing moto (python3-moto)"
    apt_install python3-moto python3-flask python3-flask-cors 2>/dev/null \
        || echo "install.sh: python3-moto is not available; the S3 tests will skip"
fi

if [ ! -x "/usr/lib/postgresql/${PG_VERSION}/bin/postgres" ]; then
    echo "install.sh: installing PostgreSQL ${PG_VERSION}"
    apt_install "postgresql-${PG_VERSION}" postgresql-client-common postgresql-common
fi

# The package creates the cluster on install; a machine where it was dropped gets a new one.
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {found=1} END {exit !found}'; then
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
fi

# Loopback only, whatever the cluster's configuration says.
conf_dir="/etc/postgresql/${PG_VERSION}/${PG_CLUSTER}"
if ! grep -qE "^listen_addresses = 'localhost'" "$conf_dir/postgresql.conf"; then
    sed -i -E "s/^#?listen_addresses\s*=.*/listen_addresses = 'localhost'/" "$conf_dir/postgresql.conf"
    grep -qE "^listen_addresses" "$conf_dir/postgresql.conf" || echo "listen_addresses = 'localhost'" >> "$conf_dir/postgresql.conf"
fi

status=$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}')
if [ "$status" != "online" ]; then
    # No init system is assumed: pg_ctlcluster starts the server as the cluster's owner (postgres). The socket
    # folder lives on /run, which a fresh boot empties.
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi

port=$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $3}')
for _ in $(seq 1 60); do
    if su postgres -c "pg_isready -q -h localhost -p $port"; then break; fi
    sleep 0.5
done
su postgres -c "pg_isready -q -h localhost -p $port" || { echo "install.sh: PostgreSQL did not start"; exit 1; }

psql_admin() { su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $port -d postgres $*"; }

if [ "$(psql_admin "-tAc \"SELECT 1 FROM pg_roles WHERE rolname='${PG_ROLE}'\"")" != "1" ]; then
    psql_admin "-c \"CREATE ROLE ${PG_ROLE} LOGIN PASSWORD '${PG_PASSWORD}'\""
fi
if [ "$(psql_admin "-tAc \"SELECT 1 FROM pg_database WHERE datname='${PG_DATABASE}'\"")" != "1" ]; then
    psql_admin "-c \"CREATE DATABASE ${PG_DATABASE} OWNER ${PG_ROLE}\""
fi

echo "Host=127.0.0.1;Port=${port};Username=${PG_ROLE};Password=${PG_PASSWORD};Database=${PG_DATABASE}" > .ci/postgres.conn
echo "install.sh: PostgreSQL ${PG_VERSION} is running on 127.0.0.1:${port} (database ${PG_DATABASE})"
