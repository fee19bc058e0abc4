# hopgen: `make demo` and `make test` are all a newcomer needs (see README.md).
CARGO ?= cargo
HOPGEN := target/release/hopgen

.PHONY: all deps build demo test lint unit golden bench capacity clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build --release

demo: build
	scripts/demo.sh $(HOPGEN)

# The whole suite: formatting, lints, unit/integration/property/golden tests,
# and the benchmarks compiled and run once (a smoke test, no timing asserted).
test: deps lint unit

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

unit:
	$(CARGO) test --all-targets

# Rewrites the golden files under tests/golden/ from the current code; review the diff.
golden:
	UPDATE_GOLDEN=1 $(CARGO) test --test golden

# Model throughput against the scalar baseline, measured in the same run.
bench: deps
	$(CARGO) bench --bench model

# Storage capacity of each learning rule at N = 256 (float and W = 8).
capacity: deps
	$(CARGO) run --release --example capacity

clean:
	$(CARGO) clean
	rm -rf build
