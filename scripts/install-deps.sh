#!/usr/bin/env bash
# Installs what hopgen's build, demo and tests need on Debian 12, idempotently:
# packages already present are skipped, so a second run does nothing.
# Called by the Makefile; safe to run by hand (as root, or with sudo available).
set -euo pipefail

# Debian packages the project needs: build tools, the EDA tools the RTL tests run for
# real (Icarus Verilog, Verilator, yosys), and ccache, which Verilator builds use
# (OBJCACHE) so its runtime objects compile once.
APT_PACKAGES=(
    make
    gcc
    g++
    python3
    python3-venv
    time
    iverilog
    verilator
    yosys
    ccache
)

need_cmd() {
    command -v "$1" >/dev/null 2>&1
}

if ! need_cmd cargo; then
    echo "install-deps: cargo (Rust) is not installed; install Rust first (https://rustup.rs or Debian's cargo)" >&2
    exit 1
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "install-deps: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# rustfmt and clippy are part of `make test`; add them if the toolchain lacks them.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    if need_cmd rustup; then
        rustup component add rustfmt clippy
    else
        echo "install-deps: cargo fmt/clippy missing and no rustup to add them" >&2
        exit 1
    fi
fi
echo "install-deps: all dependencies present"
