# Kiln: the two commands of the README.
#   make demo   installs what is missing, builds, runs the MLP demo
#   make test   installs what is missing, builds, runs every test (ctest)
BUILD ?= build
JOBS ?= 2
BUILD_TYPE ?= Release

.PHONY: all deps configure build demo test bench format clean

all: build

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) > $(BUILD).configure.log 2>&1 || (cat $(BUILD).configure.log; exit 1)

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./$(BUILD)/bin/kiln-demo

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Benchmarks also need their baselines: OpenBLAS (linked into kiln-bench
# when present), PyTorch and scikit-learn (the comparison scripts).
bench:
	@./scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory build
	@./$(BUILD)/bin/kiln-bench

format:
	@./scripts/format.sh

clean:
	@rm -rf $(BUILD) $(BUILD).configure.log
