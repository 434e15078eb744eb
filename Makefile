# facetag — the two commands: `make demo` and `make test`. Both do all set-up.
JOBS  ?= $(shell nproc)
BUILD ?= build
ASAN  ?= build-asan

.PHONY: all setup deps models build build-asan test demo bench clean

all: build

setup: deps models

deps:
	@scripts/setup-deps.sh

models: deps
	@scripts/fetch-models.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DFACETAG_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# Every test, in the optimised build and again under ASan+UBSan.
test: setup build build-asan
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

demo: setup build
	@scripts/demo.sh $(BUILD)/facetag

bench: setup build
	@scripts/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN)
