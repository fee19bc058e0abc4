#!/bin/sh
# Runs the self-checking testbench in Icarus Verilog (written by hopgen).
# Other simulators: compile hop_tb_stream.v and the sources with the same defines.
set -e
cd "$(dirname "$0")"
iverilog -g2005 -DHOP_EMBEDDED -DHOP_DUT=tiny_5 -DHOP_N=5 -DHOP_COUNT=12 -o tb.vvp hop_tb_stream.v hop_lane_sum.v tiny_5.v
vvp -n tb.vvp | tee tb.log
grep -q '^PASS' tb.log
