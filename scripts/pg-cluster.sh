#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and benchmarks.
#
#   scripts/pg-cluster.sh start DIR [PORT]   prints the cluster's postgres:// URL on stdout
#   scripts/pg-cluster.sh stop DIR           stops the cluster and removes DIR
#   scripts/pg-cluster.sh pg_ctl DIR ARGS... runs pg_ctl on DIR's cluster (`stop -m immediate`, `start`)
#
# `start` makes DIR (it must not exist, or be empty), runs `initdb` there with `fsync=on`, and
# starts the server listening on a Unix socket in DIR and on 127.0.0.1:PORT (PORT defaults to a
# free one picked from 20000-32000). It creates the superuser `storefront` (password `storefront`,
# required over TCP; the socket trusts local users) and the database `shop`, then prints
#
#   postgres://storefront:storefront@127.0.0.1:PORT/shop?sslmode=disable
#
# The same URL is kept in DIR/url, and a socket form (`?host=DIR`) in DIR/socket-url. The server's
# log is DIR/server.log.
#
# Works as root on a fresh Debian machine: it installs the `postgresql` package with apt when
# PostgreSQL 15 is missing, and runs initdb/pg_ctl as the `postgres` OS user (initdb refuses
# root). As any other user it runs them as that user. DIR must then be reachable by that user
# (under /tmp is fine; under /root is not).
#
# `stop` only removes a directory this script made (it holds `.storefront-pg-cluster`).
#
# Exit status: 0 started/stopped; 3 PostgreSQL 15 is missing and could not be installed (tests
# may skip on this one, unless STOREFRONT_REQUIRE_POSTGRES is set); 1 any other failure.
set -euo pipefail

usage() {
  sed -n '2,6p' "$0" >&2
  exit 2
}

log() { echo "pg-cluster: $*" >&2; }

[[ $# -ge 2 ]] || usage
command=$1
dir=$2
marker=.storefront-pg-cluster

# The PostgreSQL 15 server binaries, installing them with apt when missing and allowed.
find_bindir() {
  local candidate
  for candidate in /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)"; do
    if [[ -n $candidate && -x $candidate/initdb && -x $candidate/pg_ctl ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# Runs a command as the cluster's OS user (`postgres` when we are root).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local port=${1:-}
  local bindir
  if ! bindir=$(find_bindir); then
    if [[ $(id -u) -ne 0 ]]; then
      log "PostgreSQL 15 is not installed and we are not root to install it (apt-get install postgresql)"
      exit 3
    fi
    log "installing PostgreSQL with apt"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql postgresql-contrib >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql postgresql-contrib >&2; } \
      || { log "apt-get could not install postgresql"; exit 3; }
    bindir=$(find_bindir) || { log "PostgreSQL 15 is still missing after apt-get install"; exit 3; }
  fi
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    log "the postgres OS user is missing; creating it"
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi

  if [[ -e $dir && -n $(ls -A "$dir" 2>/dev/null) ]]; then
    log "$dir exists and is not empty; give a new directory"
    exit 1
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  touch "$dir/$marker"
  # A Unix socket path is limited to 107 bytes.
  if ((${#dir} + 20 > 107)); then
    log "$dir is too long for a Unix socket path; use a shorter directory"
    rm -rf "$dir"
    exit 1
  fi
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
    chmod 700 "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      log "the postgres user cannot reach $dir (is a parent directory private?); use a directory under /tmp"
      rm -rf "$dir"
      exit 1
    fi
  fi

  local pwfile="$dir/.pw"
  echo storefront >"$pwfile"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$pwfile"
  as_owner "$bindir/initdb" -D "$dir/data" -U storefront --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { log "initdb failed:"; cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$pwfile"

  local attempt started=0
  for attempt in 1 2 3 4 5; do
    local candidate=$port
    if [[ -z $candidate ]]; then
      candidate=$((20000 + RANDOM % 12001))
      if port_in_use "$candidate"; then continue; fi
    fi
    cat >"$dir/data/postgresql.auto.conf" <<EOF
# Written by scripts/pg-cluster.sh
fsync = on
synchronous_commit = on
full_page_writes = on
listen_addresses = '127.0.0.1'
port = $candidate
unix_socket_directories = '$dir'
max_connections = 200
EOF
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/data/postgresql.auto.conf"
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
      port=$candidate
      started=1
      break
    fi
    if [[ -n $port ]]; then break; fi # the caller's port: do not try another
    log "could not start on port $candidate (attempt $attempt)"
  done
  if ((started == 0)); then
    log "the server did not start; its log:"
    tail -20 "$dir/server.log" >&2 || true
    exit 1
  fi

  as_owner "$bindir/createdb" -h "$dir" -p "$port" -U storefront shop
  local url="postgres://storefront:storefront@127.0.0.1:$port/shop?sslmode=disable"
  echo "$url" >"$dir/url"
  echo "postgres://storefront@localhost:$port/shop?host=$dir" >"$dir/socket-url"
  echo "$bindir" >"$dir/bindir"
  echo "$url"
}

stop() {
  if [[ ! -d $dir ]]; then
    log "$dir does not exist; nothing to stop"
    return 0
  fi
  if [[ ! -e $dir/$marker ]]; then
    log "$dir was not made by this script; not touching it"
    exit 1
  fi
  local bindir
  bindir=$(cat "$dir/bindir" 2>/dev/null || find_bindir || true)
  if [[ -n $bindir && -f $dir/data/postmaster.pid ]]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null 2>&1 \
      || as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

# pg_ctl on the cluster in DIR, as its owner; `start` keeps the log and waits, like `start` above.
control() {
  [[ -e $dir/$marker ]] || { log "$dir was not made by this script"; exit 1; }
  local bindir
  bindir=$(cat "$dir/bindir")
  if [[ ${1:-} == start ]]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
  else
    as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 60 "$@" >/dev/null
  fi
}

case $command in
  start) start "${3:-}" ;;
  stop) stop ;;
  pg_ctl) shift 2; control "$@" ;;
  *) usage ;;
esac
