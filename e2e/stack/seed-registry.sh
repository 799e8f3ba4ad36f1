#!/usr/bin/env bash
# Seed a registry with a small, realistic set of OCI images for the local stack
# and the end-to-end tests:
#
#   aaw/jupyterlab-cpu:v1, v2, v3      curated notebook images (deploymenttype=prod), created
#                                      2026-03-01, 2026-06-01, 2026-09-01; all three share a
#                                      base layer, like real tags of one image do
#   aaw/jupyterlab-cpu:v4-dev          the same image, deploymenttype=dev
#   platform/notebook-controller:1.9.0 a platform image (part-of=kubeflow)
#   users/alice/custom-notebook:latest a user's own image
#
# Images are built as real OCI image layouts with umoci (no Docker needed) and
# pushed with skopeo. Every tag has its own layer, so every manifest digest
# differs. Builds are reproducible: file times and history dates are pinned to
# each image's created date, so re-seeding an emptied registry gives the same
# digests.
#
# Idempotent: a tag that already exists in the registry is left alone.
#
# Usage: e2e/stack/seed-registry.sh HOST:PORT     (plain HTTP, e.g. 127.0.0.1:5082)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

if [[ $# -ne 1 || "$1" == -* ]]; then
    usage >&2
    exit 2
fi
REGISTRY="$1"
BASE_URL="http://$REGISTRY"

for tool in umoci skopeo curl jq; do
    command -v "$tool" >/dev/null 2>&1 ||
        stack_die "$tool is not installed; run e2e/stack/install-packages.sh"
done

# Every manifest type a registry may hold for a tag. Without an Accept header
# the registry may answer with (or convert to) an old schema, or 404 for OCI
# manifests.
MANIFEST_ACCEPT="application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json"

WORK="$(mktemp -d -t seed-registry.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# Prints the HTTP status of HEAD /v2/REPO/manifests/TAG (000 if unreachable).
manifest_status() {
    curl -s -o /dev/null -I -w '%{http_code}' -H "Accept: $MANIFEST_ACCEPT" \
        "$BASE_URL/v2/$1/manifests/$2" || true
}

manifest_digest() {
    curl -fsS -I -H "Accept: $MANIFEST_ACCEPT" "$BASE_URL/v2/$1/manifests/$2" |
        tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }'
}

# Pin the times of every path newer than STAMP (what we just added, and the
# directories that hold it) to DATE, so the layer tarball is reproducible.
pin_times() {
    local rootfs="$1" stamp="$2" date="$3"
    find "$rootfs" -newer "$stamp" -exec touch -h -d "$date" {} +
    touch -h -d "$date" "$rootfs"
}

# Add one layer on top of LAYOUT:FROM and save it as LAYOUT:TO.
# The files are written by the function named in FILL, called with the rootfs
# directory; DATE and COMMENT go in the history entry.
add_layer() {
    local layout="$1" from="$2" to="$3" date="$4" comment="$5" fill="$6"
    local bundle="$WORK/bundle"
    rm -rf "$bundle"
    # --rootless: no chown to image owners (none here) and no need for
    # privileges, so this also works for a non-root developer.
    umoci unpack --rootless --image "$layout:$from" "$bundle" >/dev/null
    touch "$WORK/stamp"
    sleep 0.01 # make sure what we write is strictly newer than the stamp
    "$fill" "$bundle/rootfs"
    pin_times "$bundle/rootfs" "$WORK/stamp" "$date"
    umoci repack --image "$layout:$to" \
        --history.created "$date" --history.created_by "$comment" "$bundle" >/dev/null
    rm -rf "$bundle"
}

# The current image being built; the fill functions read these.
IMG_REPO="" IMG_TAG="" IMG_CREATED=""

fill_base() {
    local rootfs="$1"
    mkdir -p "$rootfs/etc" "$rootfs/usr/share/doc/$IMG_REPO"
    cat >"$rootfs/etc/os-release" <<EOF
NAME="Local stack base"
ID=localstack
VERSION_ID=1
EOF
    printf 'Base layer shared by every tag of %s.\n' "$IMG_REPO" \
        >"$rootfs/usr/share/doc/$IMG_REPO/README"
}

fill_tag() {
    local rootfs="$1"
    mkdir -p "$rootfs/etc" "$rootfs/opt/app"
    # Distinct content per tag, so each tag has its own layer and digest.
    cat >"$rootfs/etc/image-info" <<EOF
repository=$IMG_REPO
tag=$IMG_TAG
created=$IMG_CREATED
EOF
    printf '%s\n' "$IMG_TAG" >"$rootfs/opt/app/VERSION"
}

# seed_image REPO TAG CREATED [--author WHO] [LABEL=VALUE...]
seed_image() {
    local repo="$1" tag="$2" created="$3"
    shift 3
    local author="" args=()
    if [[ "${1:-}" == --author ]]; then
        author="$2"
        shift 2
    fi
    local label
    for label in "$@"; do
        args+=(--config.label "$label")
    done

    local status
    status="$(manifest_status "$repo" "$tag")"
    case "$status" in
    200)
        stack_log "$(printf '  %-40s exists, skipped (%s)' "$repo:$tag" "$(manifest_digest "$repo" "$tag")")"
        return 0
        ;;
    404) ;;
    *) stack_die "unexpected HTTP $status from $BASE_URL/v2/$repo/manifests/$tag" ;;
    esac

    IMG_REPO="$repo" IMG_TAG="$tag" IMG_CREATED="$created"
    local layout="$WORK/layouts/${repo//\//_}"
    if [[ ! -d "$layout" ]]; then
        mkdir -p "$(dirname "$layout")"
        umoci init --layout "$layout"
        umoci new --image "$layout:empty"
        # The base layer is dated like the repository's first image, so it is
        # byte-for-byte the same whichever tag is built first.
        add_layer "$layout" empty base "${SEED_BASE_DATE[$repo]:-$created}" \
            "COPY base /" fill_base
    fi
    add_layer "$layout" base "build-$tag" "$created" "COPY image-info /etc/image-info" fill_tag
    # --no-history: the config change is not a layer and would otherwise add a
    # history entry stamped with the current time (breaking reproducibility).
    umoci config --image "$layout:build-$tag" --tag "$tag" --no-history \
        --created "$created" --architecture amd64 --os linux \
        ${author:+--author "$author"} "${args[@]}"
    # Plain HTTP registry on loopback: --dest-tls-verify=false lets skopeo fall
    # back to http://. The OCI manifest is pushed unchanged, so its digest is
    # the one umoci computed.
    skopeo copy --quiet --dest-tls-verify=false \
        "oci:$layout:$tag" "docker://$REGISTRY/$repo:$tag"
    stack_log "$(printf '  %-40s pushed  (%s)' "$repo:$tag" "$(manifest_digest "$repo" "$tag")")"
}

declare -A SEED_BASE_DATE=(
    [aaw/jupyterlab-cpu]=2026-03-01T00:00:00Z
)

started="$(_stack_now)"
curl -fsS -o /dev/null --max-time 5 "$BASE_URL/v2/" ||
    stack_die "no registry answers at $BASE_URL/v2/"
stack_log "seeding $BASE_URL"

for version in v1:2026-03-01 v2:2026-06-01 v3:2026-09-01; do
    tag="${version%%:*}"
    seed_image aaw/jupyterlab-cpu "$tag" "${version#*:}T00:00:00Z" \
        org.opencontainers.image.title=jupyterlab-cpu \
        org.opencontainers.image.version="$tag" \
        deploymenttype=prod
done
seed_image aaw/jupyterlab-cpu v4-dev 2026-10-15T00:00:00Z \
    org.opencontainers.image.title=jupyterlab-cpu \
    org.opencontainers.image.version=v4-dev \
    deploymenttype=dev
seed_image platform/notebook-controller 1.9.0 2026-04-15T00:00:00Z \
    org.opencontainers.image.title=notebook-controller \
    org.opencontainers.image.version=1.9.0 \
    deploymenttype=prod \
    app.kubernetes.io/part-of=kubeflow
seed_image users/alice/custom-notebook latest 2026-11-01T00:00:00Z \
    --author alice@example.org \
    org.opencontainers.image.title=custom-notebook

# Read back what the registry now serves, as the portal will see it.
catalog="$(curl -fsS "$BASE_URL/v2/_catalog")"
stack_log "catalog: $(jq -c .repositories <<<"$catalog")"
for repo in $(jq -r '.repositories[]' <<<"$catalog"); do
    stack_log "  $repo: $(curl -fsS "$BASE_URL/v2/$repo/tags/list" | jq -c .tags)"
done
stack_log "seeded in $(stack_elapsed_since "$started")s"
