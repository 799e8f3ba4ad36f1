# shellcheck shell=bash
# Shared helpers for the local stack scripts (source this file; do not run it).
#
# Provides:
#   stack_log MSG...                 progress line on stderr
#   stack_die MSG...                 error line on stderr, exit 1
#   free_port                        print a TCP port that is free on 127.0.0.1
#   port_is_free PORT [HOST]         true when HOST:PORT (default 127.0.0.1) can be bound
#   require_free_port NAME PORT      fail with a message naming the service and port when taken
#   wait_for_http URL TIMEOUT [PID]  wait until URL answers 2xx; give up early if PID dies
#   wait_for_tcp HOST PORT TIMEOUT [PID]
#                                    wait until HOST:PORT accepts connections
#   stack_start NAME LOG CMD...      start CMD in the background, logging to LOG, and track it
#   stack_track_pid PID [NAME]       register a process for cleanup
#   stack_cleanup                    stop every tracked process (newest first)
#   stack_install_traps              run stack_cleanup on EXIT, HUP, INT, PIPE and TERM
#   stack_show_log_tail NAME LOG     print the end of a service's log (for failures)
#
# Debian's python3 is used for socket work because it is always there once the
# stack's packages are installed (python3-aiosmtpd pulls it in); the python3 on
# PATH on these machines is a different interpreter and is not relied on.

# Guard against being sourced twice (each service script sources this file and
# scripts/run sources all of them): a second source would reset the PID list.
if [[ -n "${_STACK_LIB_LOADED:-}" ]]; then
    return 0
fi
_STACK_LIB_LOADED=1

STACK_PYTHON="${STACK_PYTHON:-/usr/bin/python3}"

# Parallel arrays: the PIDs we started and a name for each, for messages.
STACK_PIDS=()
STACK_PID_NAMES=()

# Messages never fail: when stderr is a pipe whose reader is gone (say
# `scripts/run | tee` and Ctrl-C), a failed write must not abort the cleanup.
stack_log() {
    printf '[stack] %s\n' "$*" >&2 || true
}

stack_die() {
    printf '[stack] ERROR: %s\n' "$*" >&2 || true
    exit 1
}

# Seconds since the epoch with a fractional part, for timings in messages.
_stack_now() {
    printf '%s' "${EPOCHREALTIME}"
}

# Elapsed seconds (one decimal) since a value returned by _stack_now.
stack_elapsed_since() {
    local start="$1"
    awk -v s="$start" -v e="${EPOCHREALTIME}" 'BEGIN { printf "%.1f", e - s }'
}

free_port() {
    # Binding to port 0 lets the kernel pick a free port. There is a small race
    # between closing this socket and the service binding the port; callers
    # start the service right away and the check in require_free_port/start
    # failure handling covers the rest.
    "$STACK_PYTHON" - <<'EOF'
import socket
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
EOF
}

port_is_free() {
    local port="$1" host="${2:-127.0.0.1}"
    # A bind test (with SO_REUSEADDR, like the servers use) rather than a
    # connect test: it also catches a port held by something that is not
    # accepting yet, and ignores old connections lingering in TIME_WAIT.
    "$STACK_PYTHON" - "$host" "$port" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

require_free_port() {
    local name="$1" port="$2" var="${3:-}"
    if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
        stack_die "$name port '$port' is not a valid TCP port${var:+ (set by $var)}"
    fi
    if ! port_is_free "$port"; then
        local holder=""
        # ss names the holding process when we are allowed to see it.
        if command -v ss >/dev/null 2>&1; then
            holder="$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n 1)"
        fi
        stack_die "port $port for $name on 127.0.0.1 is already in use${holder:+ by $holder}." \
            "Stop whatever holds it${var:+, or choose another port with $var=PORT}."
    fi
}

# True while PID exists and is not a zombie. kill -0 alone succeeds for a
# zombie, which would make a crashed service look alive until it is reaped.
_stack_alive() {
    local pid="$1" state
    [[ -r "/proc/$pid/stat" ]] || return 1
    # Field 3 of /proc/PID/stat is the state; the command name (field 2) is in
    # parentheses and may contain spaces, so cut after the last ')'.
    state="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
    [[ -n "$state" && "$state" != "Z" && "$state" != "X" ]]
}

wait_for_http() {
    local url="$1" timeout="$2" pid="${3:-}"
    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
            return 0
        fi
        if [[ -n "$pid" ]] && ! _stack_alive "$pid"; then
            stack_log "process $pid exited while waiting for $url"
            return 1
        fi
        sleep 0.2
    done
    stack_log "timed out after ${timeout}s waiting for $url"
    return 1
}

wait_for_tcp() {
    local host="$1" port="$2" timeout="$3" pid="${4:-}"
    local deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        # bash's /dev/tcp opens a real connection; the subshell closes it again.
        if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
            return 0
        fi
        if [[ -n "$pid" ]] && ! _stack_alive "$pid"; then
            stack_log "process $pid exited while waiting for $host:$port"
            return 1
        fi
        sleep 0.2
    done
    stack_log "timed out after ${timeout}s waiting for $host:$port"
    return 1
}

stack_track_pid() {
    STACK_PIDS+=("$1")
    STACK_PID_NAMES+=("${2:-pid $1}")
}

# Start a long-running service in the background and track it.
# Sets STACK_LAST_PID to the service's PID.
#
# The service gets its own session (setsid) for two reasons: Ctrl-C in the
# terminal then reaches only this script, which stops services in order
# instead of all at once; and cleanup can signal the whole process group, so
# anything the service spawned goes too. setsid does not fork here (the
# background child is never a process group leader), so $! is the service.
stack_start() {
    local name="$1" log="$2"
    shift 2
    mkdir -p "$(dirname "$log")"
    setsid "$@" </dev/null >"$log" 2>&1 &
    STACK_LAST_PID=$!
    stack_track_pid "$STACK_LAST_PID" "$name"
}

stack_show_log_tail() {
    local name="$1" log="$2" lines="${3:-40}"
    printf '[stack] ---- last %s lines of %s (%s) ----\n' "$lines" "$name" "$log" >&2
    if [[ -f "$log" ]]; then
        tail -n "$lines" "$log" >&2
    else
        printf '(no log file)\n' >&2
    fi
    printf '[stack] ---- end of %s log ----\n' "$name" >&2
}

_stack_signal() {
    local sig="$1" pid="$2"
    # Signal the process group first (see stack_start); fall back to the
    # process itself for PIDs tracked without stack_start.
    kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
}

stack_cleanup() {
    # Idempotent: EXIT fires after INT/TERM handlers too.
    if ((${#STACK_PIDS[@]} == 0)); then
        return 0
    fi
    # From here on a write to a closed pipe must fail quietly rather than kill
    # this shell half-way through stopping things.
    trap '' PIPE
    local i pid alive=()
    # Newest first: the portal stops before the services it talks to.
    for ((i = ${#STACK_PIDS[@]} - 1; i >= 0; i--)); do
        pid="${STACK_PIDS[i]}"
        if _stack_alive "$pid"; then
            stack_log "stopping ${STACK_PID_NAMES[i]} (pid $pid)"
            _stack_signal TERM "$pid"
            alive+=("$i")
        fi
    done
    # Give them time to shut down cleanly (the portal finishes requests and
    # jobs), then force whatever is left.
    local deadline=$((SECONDS + ${STACK_STOP_TIMEOUT:-15}))
    while ((SECONDS < deadline)); do
        local still=()
        for i in "${alive[@]}"; do
            _stack_alive "${STACK_PIDS[i]}" && still+=("$i")
        done
        ((${#still[@]} == 0)) && break
        sleep 0.2
    done
    for i in "${alive[@]}"; do
        pid="${STACK_PIDS[i]}"
        if _stack_alive "$pid"; then
            stack_log "${STACK_PID_NAMES[i]} (pid $pid) did not stop; killing it"
            _stack_signal KILL "$pid"
        fi
    done
    # Reap our children so no zombies are left behind; errors mean "not our child".
    for pid in "${STACK_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    STACK_PIDS=()
    STACK_PID_NAMES=()
}

stack_install_traps() {
    # EXIT covers normal ends and set -e failures. The signals exit with the
    # conventional 128+signal status, which then runs the EXIT trap; without a
    # handler they would end the shell without running it. HUP: the terminal
    # went away (the services, in their own sessions, do not get it). PIPE:
    # our output was piped to something that ended (`| tee` and Ctrl-C).
    trap 'stack_cleanup' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 141' PIPE
    trap 'exit 143' TERM
}
