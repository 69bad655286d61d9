# Sourced by the benchmarks that need PostgreSQL: a cluster of the run's own, with the server's defaults for
# durability (fsync on, synchronous_commit on: the figures are for a server that keeps what it says it kept),
# in a temporary folder, as the unprivileged postgres user when run as root, on a free loopback port.
#
# start_postgres FOLDER   sets PG_PORT, PG_PASSWORD and PG_BIN; stop_postgres stops it; pg_database NAME
# creates a database and prints its URL; pg_server_ticks prints the CPU ticks the server has used so far (the
# postmaster and every backend, live or exited: the postmaster collects its children's time when they end).
start_postgres() {
    local folder="$1"
    PG_BIN="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -1)/bin"
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    PG_PASSWORD="bench-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    PG_FOLDER="$folder/pg"
    mkdir -p "$PG_FOLDER"
    echo "$PG_PASSWORD" > "$PG_FOLDER/pwfile"
    PG_RUN=()
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$PG_FOLDER"; PG_RUN=(runuser -u postgres --); fi
    "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_FOLDER/data" -U herald --auth=scram-sha-256 --pwfile="$PG_FOLDER/pwfile" -E UTF8 >/dev/null
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_FOLDER/data" -w -l "$PG_FOLDER/server.log" \
        -o "-p $PG_PORT -k $PG_FOLDER -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    export PGPASSWORD="$PG_PASSWORD"
}

stop_postgres() {
    [ -n "${PG_FOLDER:-}" ] && "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_FOLDER/data" -m fast stop >/dev/null 2>&1 || true
}

pg_database() {
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U herald "$1"
    echo "postgres://herald@127.0.0.1:$PG_PORT/$1?sslmode=disable"
}

pg_server_ticks() {
    local postmaster; postmaster=$(head -1 "$PG_FOLDER/data/postmaster.pid")
    local total; total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
    for child in $(cat /proc/$postmaster/task/*/children 2>/dev/null); do
        [ -r "/proc/$child/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
