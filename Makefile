# facetag — the two commands: `make demo` and `make test`. Both do all set-up.
JOBS  ?= $(shell nproc)
BUILD ?= build
ASAN  ?= build-asan
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all setup deps models llama build build-asan asan-configure-build test check-full demo bench fuzz clean

all: build

setup: deps models

deps:
	@scripts/setup-deps.sh

models: deps
	@scripts/fetch-models.sh

# llama.cpp's llama-server and a tiny random-weight model for the LLM tests
# (tests/unit/test_llm.c): built once per machine, cached outside the clone.
llama: deps
	@scripts/setup-llama.sh >/dev/null

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@$(MAKE) --no-print-directory asan-configure-build

# (the ASan build alone, for `make test`, which has set up the dependencies)
asan-configure-build:
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DFACETAG_SANITIZE=ON \
	       -DFACETAG_TEST_CACHE=$(abspath $(BUILD))/test-cache >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# Every test, in the optimised build and again under ASan+UBSan. The ASan build
# reads the descriptors the optimised build's tests cached (test_people_matrix),
# so its faces are analysed once, not again under the sanitizers.
# The ASan build is compiled while the optimised build's tests run (its output
# in $(ASAN)/make-build.log, shown if it fails): those tests leave a core idle while
# they wait for the S3 gateway, a browser or the last long test, and the build
# fills it. It runs at a lower priority, so that the tests, whose servers and
# browsers wait on each other, are not slowed by it. docs/test-time.md, "Fifth pass".
test: setup llama build
	@mkdir -p $(ASAN) && rm -f $(ASAN)/make-build.rc
	@echo "make test: building $(ASAN) (log: $(ASAN)/make-build.log) while the tests of $(BUILD) run"
	@( nice -n 10 $(MAKE) --no-print-directory asan-configure-build >$(ASAN)/make-build.log 2>&1; echo $$? >$(ASAN)/make-build.rc ) & \
	  (cd $(BUILD) && ctest --output-on-failure -j $(JOBS)); rc=$$?; wait; \
	  if [ "$$(cat $(ASAN)/make-build.rc 2>/dev/null)" != 0 ]; then \
	    cat $(ASAN)/make-build.log; echo "make test: the $(ASAN) build failed"; exit 1; fi; \
	  exit $$rc
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

# The accuracy runs whole, where `make test` reads a fixed subset: every
# faces-dev image through the default pipeline (face found in >= 99.5 %) and
# facetag eval on all of faces-dev (BCubed F >= 0.90), every group photo turned
# four ways (test_vision_groups), SSD on every group photo's JPEG golden and
# four group photos turned four ways (test_ssd), the annotate floors on an
# archive of every 12th identity (annotate_archive; `make test`: every 26th).
# About an hour of CPU on a 2-core machine; the optimised build only.
check-full: setup build
	@cd $(BUILD) && FACETAG_FACESDEV_FULL=1 FACETAG_EVAL_FULL=1 FACETAG_GROUPS_FULL=1 FACETAG_ARCHIVE_FULL=1 \
		ctest --output-on-failure --timeout 7200 -R 'test_vision_facesdev|test_vision_groups|people_eval|test_ssd$$|annotate_archive'
	@scripts/check-full.sh $(BUILD)

# Every fuzz target of tests/fuzz as a libFuzzer binary (clang-14, ASan+UBSan,
# its own build folder $(FUZZ_BUILD)), each run for $(FUZZ_SECONDS) s; prints the
# executions and coverage per target; a crash fails it (scripts/fuzz.sh).
# `make test` replays the same targets over their seeds in both builds.
fuzz: deps
	@JOBS=$(JOBS) scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: setup build
	@scripts/demo.sh $(BUILD)/facetag

bench: setup build
	@scripts/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ_BUILD)
