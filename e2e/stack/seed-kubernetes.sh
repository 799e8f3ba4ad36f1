#!/usr/bin/env bash
# Write the Kubernetes objects the local stack's API emulator serves: Kubeflow
# profiles owned by the local sign-in users, their notebooks on the seeded
# registry's images, and a few other pods (e2e/stack/kubernetes/*.yaml).
#
# The templates say {{REGISTRY}} for the registry's host:port and
# {{DIGEST repository:tag}} for the manifest digest a running pod reports in
# its status (imageID); digests are read from the registry, so run
# seed-registry.sh first.
#
# Usage: e2e/stack/seed-kubernetes.sh HOST:PORT OUT_DIR
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ $# -ne 2 || "$1" == -* ]]; then
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
REGISTRY="$1"
OUT="$2"
TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")/kubernetes" && pwd)"
MANIFEST_ACCEPT="application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json"

digest_of() {
    local repository="${1%:*}" tag="${1##*:}" digest
    digest="$(curl -fsS -I -H "Accept: $MANIFEST_ACCEPT" "http://$REGISTRY/v2/$repository/manifests/$tag" |
        tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }')" ||
        stack_die "cannot read the digest of $repository:$tag from $REGISTRY (seed the registry first)"
    [[ -n "$digest" ]] || stack_die "$REGISTRY did not report a digest for $repository:$tag"
    printf '%s' "$digest"
}

mkdir -p "$OUT"
for template in "$TEMPLATES"/*.yaml; do
    text="$(<"$template")"
    text="${text//\{\{REGISTRY\}\}/$REGISTRY}"
    while [[ "$text" =~ \{\{DIGEST\ ([^}]+)\}\} ]]; do
        placeholder="${BASH_REMATCH[0]}"
        text="${text//"$placeholder"/$(digest_of "${BASH_REMATCH[1]}")}"
    done
    printf '%s\n' "$text" >"$OUT/$(basename "$template")"
done
stack_log "wrote $(find "$OUT" -name '*.yaml' | wc -l) Kubernetes object files to $OUT"
