#!/usr/bin/env bash
# Install the Debian packages the local stack and the tests need, if missing.
#
# Idempotent and quick when everything is there (it only asks dpkg), so
# scripts/run and CI call it every time. Runs `apt-get update` only when
# something has to be installed, and never prompts (works with no TTY).
#
# Usage: e2e/stack/install-packages.sh
set -euo pipefail

PACKAGES=(
    docker-registry   # OCI registry (distribution 2.8): `docker-registry serve`
    apache2-utils     # htpasswd -B: bcrypt password file for the registry's basic auth
    skopeo            # pushes the seeded images
    umoci             # builds OCI images without Docker
    clamav-daemon     # clamd
    clamdscan         # command-line client for clamd (handy for checks)
    clamav            # sigtool, to make the test signature database
    python3-aiosmtpd  # SMTP sink, run with Debian's /usr/bin/python3
    python3-setuptools # builds the wheels and sdists the gateway tests' package index serves
    python3-wheel     # bdist_wheel for setuptools
    python3-pip       # the real pip the gateway tests install with (--target, so PEP 668 does not apply)
    postgresql        # PostgreSQL 15, for the Postgres test run
    chromium          # the browser Playwright drives (never downloaded)
    fonts-liberation  # fonts so pages render (and screenshot) properly
    curl              # readiness checks, registry API calls
    jq                # reading registry API answers
    nginx-light       # the gateway benchmark's upstream and its baseline for serving kept files
    wrk               # the gateway benchmark's HTTP load
)

log() { printf '[install-packages] %s\n' "$*" >&2; }

is_installed() {
    # "install ok installed" only; a package removed but not purged reports
    # "deinstall ok config-files" and must be installed again.
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for package in "${PACKAGES[@]}"; do
    is_installed "$package" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
    log "installing: ${missing[*]}"
    sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || {
            log "ERROR: not root and sudo is not available; install as root: apt-get install ${missing[*]}"
            exit 1
        }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Keep existing configuration files and never ask about them.
    apt_options=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    "${sudo[@]}" apt-get update -q
    # --no-install-recommends: only what is listed (and its dependencies);
    # recommends would add, among others, a whole desktop's worth of packages.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install "${apt_options[@]}" --no-install-recommends "${missing[@]}"
    for package in "${missing[@]}"; do
        is_installed "$package" || {
            log "ERROR: $package is still not installed after apt-get install"
            exit 1
        }
    done
else
    log "all ${#PACKAGES[@]} Debian packages present"
fi

# The .NET SDK is not a Debian package here; it comes with the machine.
if ! command -v dotnet >/dev/null 2>&1; then
    log "ERROR: the 'dotnet' command was not found. Install the .NET 10 SDK (see global.json) and put it on PATH."
    exit 1
fi
log "dotnet SDK $(dotnet --version 2>/dev/null || echo '(version unknown)') at $(command -v dotnet)"
