#!/usr/bin/env bash
# The built-in demo: hand-drawn 16×16 digits, trained two ways, quantised to
# fixed point and recalled from noisy probes. Outputs go to build/demo/.
set -euo pipefail
HOPGEN=${1:-target/release/hopgen}
OUT=build/demo
mkdir -p "$OUT"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$HOPGEN" check data/glyphs.json
# Hebbian learning on ten strongly correlated digits: beyond what it can store.
step "$HOPGEN" train data/glyphs.json --rule hebbian -o "$OUT/glyphs-hebbian.json"
step "$HOPGEN" recall "$OUT/glyphs-hebbian.json" --noise 0.1 --show 1
# The pseudo-inverse rule stores correlated patterns.
step "$HOPGEN" train data/glyphs.json --rule pinv -o "$OUT/glyphs.json"
step "$HOPGEN" quantize "$OUT/glyphs.json" --noise 0.2 --all-widths
step "$HOPGEN" recall "$OUT/glyphs.json" --weight-bits 4 --noise 0.2 --show 3
# Five bits suffice: the hardware core, folded, async (see docs/ARCHITECTURES.md),
# built with Verilator and checked probe by probe against the model.
step "$HOPGEN" cosim "$OUT/glyphs.json" --weight-bits 5 --update async --noise 0.2 --probes 500 -o "$OUT/rtl"
# The same core on an FPGA: a ULX3S bitstream (yosys, nextpnr, ecppack) with its
# report, then the board's UART protocol spoken to its board top in Verilator.
step "$HOPGEN" build "$OUT/glyphs.json" --board ulx3s-85f --arch folded --weight-bits 5 --update async -o "$OUT/ulx3s" --force
step "$HOPGEN" flash "$OUT/ulx3s" --dry-run
step "$HOPGEN" run --sim --build "$OUT/ulx3s" --weights "$OUT/glyphs.json" --noise 0.2 --trials 5 --show 1
printf '\ndemo outputs are in %s/\n' "$OUT"
