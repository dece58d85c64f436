#!/usr/bin/env bash
# Make sure PostgreSQL, Redis and RabbitMQ are running locally for tests/bench.
# Idempotent: servers that already answer are left alone.
# Set CP_SKIP_SERVERS=1 when the servers live elsewhere.
set -euo pipefail

if [[ "${CP_SKIP_SERVERS:-0}" == "1" ]]; then
  echo "servers: skipped (CP_SKIP_SERVERS=1)"
  exit 0
fi

HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379
AMQP_PORT=5672
MGMT_PORT=15672
WAIT_SECONDS=60

export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

die() { echo "ensure-servers: $*" >&2; exit 1; }

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not available; install $* yourself"
  if [[ "$APT_UPDATED" == "0" ]]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
      || die "apt-get update failed"
    APT_UPDATED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# True if something accepts TCP connections on $1:$2.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# wait_for NAME CMD...: poll CMD every 0.5 s for up to WAIT_SECONDS.
wait_for() {
  local name=$1; shift
  local tries=$((WAIT_SECONDS * 2))
  for ((i = 0; i < tries; i++)); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  die "$name did not come up within ${WAIT_SECONDS}s"
}

mgmt_api_ok() {
  curl -sf -o /dev/null -u guest:guest "http://$HOST:$MGMT_PORT/api/overview"
}

command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates

# --- PostgreSQL -------------------------------------------------------------
ensure_postgres() {
  if port_open "$HOST" "$PG_PORT"; then
    echo "postgresql: running on $HOST:$PG_PORT"
    return
  fi
  local fresh=0
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$(ls /etc/postgresql 2>/dev/null)" ]]; then
    echo "postgresql: installing"
    apt_install postgresql
    fresh=1
  fi
  local ver hba
  ver=$(ls /etc/postgresql | sort -V | tail -n1)
  hba="/etc/postgresql/$ver/main/pg_hba.conf"
  if [[ "$fresh" == "1" ]] && ! grep -qE '^host\s+all\s+postgres\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    # Prepend so it wins over the packaged scram/md5 rule for 127.0.0.1.
    $SUDO sed -i '1i host    all    postgres    127.0.0.1/32    trust' "$hba"
  fi
  if ! port_open "$HOST" "$PG_PORT"; then
    $SUDO pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start >/dev/null
  fi
  [[ "$fresh" == "1" ]] && $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main reload >/dev/null || true
  wait_for postgresql port_open "$HOST" "$PG_PORT"
  echo "postgresql: started on $HOST:$PG_PORT"
}

# --- Redis ------------------------------------------------------------------
ensure_redis() {
  if port_open "$HOST" "$REDIS_PORT"; then
    echo "redis: running on $HOST:$REDIS_PORT"
    return
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis: installing"
    apt_install redis-server
  fi
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
  wait_for redis port_open "$HOST" "$REDIS_PORT"
  echo "redis: started on $HOST:$REDIS_PORT"
}

# --- RabbitMQ ---------------------------------------------------------------
ensure_rabbitmq() {
  local started=0
  if port_open "$HOST" "$AMQP_PORT"; then
    :
  else
    if ! command -v rabbitmq-server >/dev/null 2>&1; then
      echo "rabbitmq: installing"
      apt_install rabbitmq-server
    fi
    # A package install may already have started it.
    if ! port_open "$HOST" "$AMQP_PORT"; then
      $SUDO rabbitmq-server -detached >/dev/null 2>&1 || true
    fi
    wait_for rabbitmq port_open "$HOST" "$AMQP_PORT"
    started=1
  fi
  if ! mgmt_api_ok; then
    $SUDO rabbitmq-plugins enable rabbitmq_management >/dev/null \
      || die "rabbitmq-plugins enable rabbitmq_management failed"
    wait_for "rabbitmq management API" mgmt_api_ok
  fi
  if [[ "$started" == "1" ]]; then
    echo "rabbitmq: started on $HOST:$AMQP_PORT (management on $HOST:$MGMT_PORT)"
  else
    echo "rabbitmq: running on $HOST:$AMQP_PORT (management on $HOST:$MGMT_PORT)"
  fi
}

ensure_postgres
ensure_redis
ensure_rabbitmq
