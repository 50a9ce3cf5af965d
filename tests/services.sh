#!/usr/bin/env bash
# Makes sure the servers the tests use are running on this machine:
#   PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication for local connections)
#   Redis on 127.0.0.1:6379
# Installs them with apt-get where missing (needs root) and starts them where stopped. Idempotent.
set -euo pipefail

log() { printf 'services: %s\n' "$*"; }

apt_ready=
apt_install() {
  if [ -z "$apt_ready" ]; then
    apt-get update -qq
    apt_ready=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

postgres_ready() {
  command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 &&
    psql -qAtX "postgres://postgres@127.0.0.1:5432/postgres" -c 'select 1' >/dev/null 2>&1
}

redis_ready() {
  command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]
}

if postgres_ready; then
  log "PostgreSQL is running on 127.0.0.1:5432"
else
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing PostgreSQL (apt-get)"
    apt_install postgresql postgresql-client
  fi
  if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    pg_createcluster "$version" main >/dev/null
  fi
  read -r version cluster _ < <(pg_lsclusters -h | head -n 1)
  conf="/etc/postgresql/$version/$cluster"
  # The tests connect as postgres over TCP without a password: trust local connections only.
  sed -i -E 's/^(local|host)(\s+\S+\s+\S+(\s+(127\.0\.0\.1\/32|::1\/128))?\s+)(peer|md5|scram-sha-256)/\1\2trust/' "$conf/pg_hba.conf"
  sed -i -E "s/^#?listen_addresses\s*=.*/listen_addresses = '127.0.0.1'/; s/^#?port\s*=.*/port = 5432/" "$conf/postgresql.conf"
  log "starting PostgreSQL $version/$cluster"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" restart
  for _ in $(seq 1 50); do postgres_ready && break; sleep 0.2; done
  postgres_ready || { log "PostgreSQL did not start"; exit 1; }
fi

if redis_ready; then
  log "Redis is running on 127.0.0.1:6379"
else
  if ! command -v redis-server >/dev/null; then
    log "installing Redis (apt-get)"
    apt_install redis-server
  fi
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/one-login-tests.log
  for _ in $(seq 1 50); do redis_ready && break; sleep 0.2; done
  redis_ready || { log "Redis did not start"; exit 1; }
fi
