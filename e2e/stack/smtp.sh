#!/usr/bin/env bash
# A local SMTP sink: Debian's aiosmtpd (a real SMTP server) on 127.0.0.1 that
# accepts every message and stores it in a Maildir (one file per message under
# MAILDIR/new), which people and tests can read.
#
# Source it and call `smtp_start MAILDIR PORT`, or run it directly to start the
# sink in the foreground until Ctrl-C:
#   e2e/stack/smtp.sh [MAILDIR] [PORT]     (defaults: a temporary dir, a free port)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian's interpreter on purpose: python3-aiosmtpd is installed for it, and
# the python3 first on PATH on these machines is a different one without it.
SMTP_PYTHON="${SMTP_PYTHON:-/usr/bin/python3}"

# smtp_start MAILDIR PORT [LOG]
# Sets SMTP_PID and SMTP_MAILDIR. Returns non-zero (after printing the log
# tail) if the port does not accept connections.
smtp_start() {
    local maildir="$1" port="$2" log="${3:-}"
    "$SMTP_PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
        stack_die "aiosmtpd is not installed for $SMTP_PYTHON (package python3-aiosmtpd); run e2e/stack/install-packages.sh"
    require_free_port smtp "$port" SMTP_PORT
    # The Mailbox handler would create the Maildir too, but only once the first
    # message arrives; creating it now lets readers watch MAILDIR/new at once.
    mkdir -p "$maildir/new" "$maildir/cur" "$maildir/tmp"
    SMTP_MAILDIR="$(cd "$maildir" && pwd)"
    log="${log:-$(dirname "$SMTP_MAILDIR")/smtp.log}"

    local started
    started="$(_stack_now)"
    # -n: do not try to drop privileges to "nobody" (it would fail as a
    # non-root user, and nobody could not write the Maildir).
    # -d: log every SMTP session (sender, recipients, commands) to LOG.
    # -u: offer SMTPUTF8, as real relays do, for non-ASCII addresses.
    # PYTHONUNBUFFERED: see the server's messages in the log as they happen.
    stack_start smtp "$log" env PYTHONUNBUFFERED=1 \
        "$SMTP_PYTHON" -m aiosmtpd -n -d -u -l "127.0.0.1:$port" \
        -c aiosmtpd.handlers.Mailbox "$SMTP_MAILDIR"
    SMTP_PID="$STACK_LAST_PID"
    if ! wait_for_tcp 127.0.0.1 "$port" 30 "$SMTP_PID"; then
        stack_show_log_tail smtp "$log"
        return 1
    fi
    stack_log "SMTP sink ready at 127.0.0.1:$port in $(stack_elapsed_since "$started")s (Maildir $SMTP_MAILDIR)"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    stack_install_traps
    state_dir="$(mktemp -d -t smtp.XXXXXX)"
    smtp_start "${1:-$state_dir/maildir}" "${2:-$(free_port)}" "$state_dir/smtp.log"
    stack_log "logs: $state_dir/smtp.log; press Ctrl-C to stop"
    wait "$SMTP_PID"
fi
