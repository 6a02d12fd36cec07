#!/usr/bin/env bash
# Installs the system libraries VideoAttribution links: LAPACK/BLAS (Debian's reference
# implementation; any BLAS chosen through update-alternatives works) and zlib (PNG output).
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail
packages=(liblapack-dev libblas-dev zlib1g-dev)
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then exit 0; fi
run=()
[ "$(id -u)" -ne 0 ] && run=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update
"${run[@]}" apt-get install -y "${packages[@]}"
