# hopgen: `make demo` and `make test` are all a newcomer needs (see README.md).
CARGO ?= cargo
HOPGEN := target/release/hopgen

.PHONY: all deps build demo test lint unit bench-smoke golden bench bench-setup qor capacity clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build --release

demo: build
	scripts/demo.sh $(HOPGEN)

# The whole suite: formatting, lints, unit/integration/property/golden/RTL tests,
# the criterion benchmarks run once, and a quick bench run (smoke tests: no timing is
# asserted).
test: deps lint unit bench-smoke

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

unit:
	$(CARGO) test --all-targets

# Rewrites the golden files under tests/golden/ from the current code; review the diff.
golden:
	UPDATE_GOLDEN=1 $(CARGO) test --test golden

# Model throughput against the scalar baseline, measured in the same run.
bench: deps bench-setup
	$(CARGO) bench --bench model
	$(CARGO) build --release --bins
	target/release/hopgen-bench

# numpy for the baseline, in a virtualenv of the bench's own (PyPI).
BENCH_VENV := build/bench-venv
bench-setup:
	@test -x $(BENCH_VENV)/bin/python || python3 -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/python -c 'import numpy' 2>/dev/null || $(BENCH_VENV)/bin/pip install -q numpy

# The quick bench proves the bench code works; without numpy it skips that baseline.
bench-smoke:
	@$(MAKE) --no-print-directory bench-setup || echo "numpy unavailable: the quick bench skips the numpy baseline"
	$(CARGO) build --release --bins
	target/release/hopgen-bench --quick > /dev/null

# The largest core per part, architecture and W, by real yosys + nextpnr builds, then the
# issue's goal sizes (src/qor.rs): saves bench/qor/<case>.json and writes docs/QOR.md. Takes
# hours; ONLY=ecp5 (or any part-name text) runs a subset.
qor: deps
	$(CARGO) build --release --bins
	target/release/hopgen-qor $(if $(ONLY),--only $(ONLY))

# Storage capacity of each learning rule at N = 256 (float and W = 8).
capacity: deps
	$(CARGO) run --release --example capacity

clean:
	$(CARGO) clean
	rm -rf build
