#!/usr/bin/env bash
# A three-node RabbitMQ cluster and a PostgreSQL primary with a synchronous hot standby, on this machine,
# from the installed RabbitMQ and PostgreSQL, beside (never touching) the machine's own servers.
#   deploy/cluster.sh up       start it (made on first use) and print the CP_* variables that point at it
#   deploy/cluster.sh status   what runs
#   deploy/cluster.sh env      the CP_* variables alone
#   deploy/cluster.sh down     stop it and remove everything it made
# Its directory is $CP_CLUSTER_DIR, or contactpoint-cluster under $TMPDIR (or /tmp). deploy/cluster.md describes
# the same layout on real hosts.
set -euo pipefail
cd "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")"
PY=.venv/bin/python
[[ -x "$PY" ]] || PY=python3
exec "$PY" -m contactpoint.nodes "${1:-status}"
