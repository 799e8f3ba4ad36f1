#!/usr/bin/env bash
# A local OCI registry: Debian's docker-registry (CNCF distribution 2.8) on
# 127.0.0.1, storing blobs under a state directory, with deletes enabled so the
# portal's clean-up jobs can really delete manifests.
#
# Source it and call `registry_start STATE_DIR PORT`, or run it directly to
# start a registry in the foreground until Ctrl-C:
#   e2e/stack/registry.sh [STATE_DIR] [PORT]     (defaults: a temporary dir, a free port)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# registry_start STATE_DIR PORT [LOG]
# Writes STATE_DIR/config.yml, keeps blobs in STATE_DIR/data (kept between
# runs), starts the registry and waits for /v2/. Sets REGISTRY_PID and
# REGISTRY_URL. Returns non-zero (after printing the log tail) on failure.
registry_start() {
    local state="$1" port="$2" log="${3:-$1/registry.log}"
    command -v docker-registry >/dev/null 2>&1 ||
        stack_die "docker-registry is not installed; run e2e/stack/install-packages.sh"
    require_free_port registry "$port" REGISTRY_PORT
    mkdir -p "$state/data"
    state="$(cd "$state" && pwd)" # absolute: the registry resolves paths from its own cwd

    # http.secret signs upload state between requests; a fixed value is fine
    # for a single loopback instance and avoids a warning at every start.
    cat >"$state/config.yml" <<EOF
# Written by e2e/stack/registry.sh; rewritten at every start.
version: 0.1
log:
  level: info
  formatter: text
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $state/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: local-stack-not-a-secret
  headers:
    X-Content-Type-Options: [nosniff]
EOF

    local started
    started="$(_stack_now)"
    stack_start registry "$log" docker-registry serve "$state/config.yml"
    REGISTRY_PID="$STACK_LAST_PID"
    REGISTRY_URL="http://127.0.0.1:$port"
    if ! wait_for_http "$REGISTRY_URL/v2/" 30 "$REGISTRY_PID"; then
        stack_show_log_tail registry "$log"
        return 1
    fi
    stack_log "registry ready at $REGISTRY_URL in $(stack_elapsed_since "$started")s (storage $state/data)"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    stack_install_traps
    state_dir="${1:-$(mktemp -d -t registry.XXXXXX)}"
    registry_start "$state_dir" "${2:-$(free_port)}" "$state_dir/registry.log"
    stack_log "logs: $state_dir/registry.log; press Ctrl-C to stop"
    wait "$REGISTRY_PID"
fi
