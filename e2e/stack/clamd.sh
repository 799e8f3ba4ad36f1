#!/usr/bin/env bash
# A local ClamAV daemon (Debian's clamav-daemon) on 127.0.0.1, with its own
# configuration, socket and signature database under a state directory.
#
# There is no internet here, so no freshclam: the database is a single MD5
# signature of the EICAR test file, made at start with sigtool. clamd reports
# it as "Eicar-Test-Signature.UNOFFICIAL FOUND" (".UNOFFICIAL" is how clamd
# names any signature that is not from the official databases).
#
# Source it and call `clamd_start STATE_DIR PORT`, or run it directly to start
# clamd in the foreground until Ctrl-C:
#   e2e/stack/clamd.sh [STATE_DIR] [PORT]     (defaults: a temporary dir, a free port)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The EICAR anti-virus test file (https://www.eicar.org), 68 bytes, no newline.
# Harmless by design; every scanner detects it.
# shellcheck disable=SC2016 # the $ signs are part of the test string
EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

# clamd_write_database DB_DIR
# Writes DB_DIR/test.hdb: "md5:size:name" for the EICAR string.
clamd_write_database() {
    local db="$1" sample
    mkdir -p "$db"
    sample="$(mktemp -t eicar.XXXXXX)"
    printf '%s' "$EICAR" >"$sample"
    # sigtool names the signature after the file; give it a stable name.
    sigtool --md5 "$sample" | awk -F: -v OFS=: '{ $3 = "Eicar-Test-Signature"; print }' >"$db/test.hdb.new"
    rm -f "$sample"
    mv "$db/test.hdb.new" "$db/test.hdb"
}

# clamd_ping HOST PORT: true when clamd answers PING with PONG.
clamd_ping() {
    local reply=""
    # The z prefix asks for NUL-terminated commands and replies. The subshell
    # keeps the file descriptor local and closes it on return.
    reply="$(
        exec 2>/dev/null # "connection refused" is expected while clamd starts
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf 'zPING\0' >&3
        IFS= read -r -t 2 -d '' line <&3 || true
        printf '%s' "$line"
    )" || return 1
    [[ "$reply" == "PONG" ]]
}

# clamd_start STATE_DIR PORT [LOG]
# Sets CLAMD_PID, CLAMD_CONFIG and CLAMD_SOCKET. Returns non-zero (after
# printing the log tail) if clamd does not answer PING.
clamd_start() {
    local state="$1" port="$2" log="${3:-$1/clamd.log}"
    command -v clamd >/dev/null 2>&1 || [[ -x /usr/sbin/clamd ]] ||
        stack_die "clamd is not installed; run e2e/stack/install-packages.sh"
    command -v sigtool >/dev/null 2>&1 ||
        stack_die "sigtool is not installed (package clamav); run e2e/stack/install-packages.sh"
    require_free_port clamd "$port" CLAMD_PORT
    mkdir -p "$state/db" "$state/tmp"
    state="$(cd "$state" && pwd)" # clamd wants absolute paths
    clamd_write_database "$state/db"

    CLAMD_CONFIG="$state/clamd.conf"
    CLAMD_SOCKET="$state/clamd.sock"
    # No "User" line on purpose: clamd then keeps running as whoever starts it
    # (the Debian default /etc/clamav/clamd.conf says "User clamav", and the
    # clamav user could not read a state directory owned by a developer or
    # root). No LogFile: with Foreground, clamd logs to stderr, which the
    # caller sends to LOG.
    cat >"$CLAMD_CONFIG" <<EOF
# Written by e2e/stack/clamd.sh; rewritten at every start.
Foreground yes
DatabaseDirectory $state/db
TemporaryDirectory $state/tmp
PidFile $state/clamd.pid
TCPAddr 127.0.0.1
TCPSocket $port
LocalSocket $CLAMD_SOCKET
LocalSocketMode 660
FixStaleSocket yes
LogTime yes
LogVerbose no
# Check the database directory for changes every 10 s (default 600) so a test
# that adds a signature sees clamd reload it promptly.
SelfCheck 10
EOF

    local clamd_bin started
    clamd_bin="$(command -v clamd || echo /usr/sbin/clamd)"
    started="$(_stack_now)"
    stack_start clamd "$log" "$clamd_bin" --config-file="$CLAMD_CONFIG"
    CLAMD_PID="$STACK_LAST_PID"

    local deadline=$((SECONDS + 60))
    until clamd_ping 127.0.0.1 "$port"; do
        if ! _stack_alive "$CLAMD_PID" || ((SECONDS >= deadline)); then
            stack_log "clamd did not answer PING on 127.0.0.1:$port"
            stack_show_log_tail clamd "$log"
            return 1
        fi
        sleep 0.2
    done
    stack_log "clamd ready at 127.0.0.1:$port (socket $CLAMD_SOCKET) in $(stack_elapsed_since "$started")s"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    stack_install_traps
    state_dir="${1:-$(mktemp -d -t clamd.XXXXXX)}"
    clamd_start "$state_dir" "${2:-$(free_port)}" "$state_dir/clamd.log"
    stack_log "config: $CLAMD_CONFIG; logs: $state_dir/clamd.log; press Ctrl-C to stop"
    wait "$CLAMD_PID"
fi
