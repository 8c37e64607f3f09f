# moe-mm: every target installs what it needs first, so a fresh machine needs nothing by hand.
SWIFT        ?= swift
APT_PACKAGES := libopenblas-dev libpng-dev libsndfile1-dev espeak-ng pkg-config
PY_MODULES   := safetensors tokenizers numpy pycocoevalcap==1.2
BIN          := .build/release/moe-mm
# SIMD8 code runs on AVX2/FMA when the build machine has them; a baseline x86-64 build still works.
CPU_FLAGS    := $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc haswell")

# moe-mm re-executes itself with OPENBLAS_CORETYPE when OpenBLAS, not knowing a VM's CPU model, falls
# back to its SSE3 kernels (Sources/Kernels/BLASKernel.swift); the test runner has no main of ours to do
# that, so it is given the same choice here.
HAS_AVX512   := $(shell f=$$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null); for x in avx512f avx512cd avx512bw avx512dq avx512vl; do echo "$$f" | grep -qw $$x || exit 0; done; echo yes)
TEST_BLAS    := $(if $(OPENBLAS_CORETYPE),,$(if $(HAS_AVX512),OPENBLAS_CORETYPE=SkylakeX,$(if $(findstring haswell,$(CPU_FLAGS)),OPENBLAS_CORETYPE=Haswell)))

.PHONY: deps build test demo bench report clean

deps:
	@if ! pkg-config --exists openblas libpng sndfile || ! command -v espeak-ng >/dev/null; then \
		echo "make deps: installing $(APT_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@if ! python3 -c "import safetensors, tokenizers, numpy, pycocoevalcap" 2>/dev/null; then \
		echo "make deps: pip installing $(PY_MODULES) (the reference libraries the interop tests compare against)"; \
		python3 -m pip install -q --disable-pip-version-check $(PY_MODULES); \
	fi

build: deps
	$(SWIFT) build -c release $(CPU_FLAGS)

test: deps
	$(TEST_BLAS) MOEMM_POISON_UNINITIALIZED=1 $(SWIFT) test -c release $(CPU_FLAGS)

bench: build
	$(BIN) bench gemm
	Tests/Benchmarks/gemm-vs-c.sh

# The main job end to end: the tiny data (when missing), a tiny training run, captions of the samples.
demo: build
	@test -f data/scenes/train.jsonl || $(BIN) data build --size tiny
	rm -rf runs/demo
	$(BIN) train --config configs/tiny.yaml --out runs/demo
	$(BIN) caption data/samples/*.png --checkpoint runs/demo
	$(BIN) caption --audio data/samples/speech1.flac --checkpoint runs/demo
	@echo "checkpoint: runs/demo  metrics: runs/demo/metrics.jsonl  (the committed default model: checkpoints/tiny)"

# docs/REPORT.md: the seed papers' mechanisms measured on the bundled data at equal active compute.
# Trains the five report recipes with --steps $(REPORT_STEPS) into runs/report/<recipe>/ (a run that
# already finished at that length is kept, an interrupted one resumed), evaluates and inspects each,
# runs bench skip on the default checkpoint (checkpoints/tiny, the full tiny recipe), then writes the report. REPORT_EVAL_LIMIT, REPORT_SKIP_SAMPLES and
# REPORT_SKIP_ROUNDS shrink a trial (e.g. make report REPORT_STEPS=30 REPORT_EVAL_LIMIT=20).
REPORT_STEPS            ?= 3000
REPORT_EVAL_LIMIT       ?=
REPORT_SKIP_SAMPLES     ?= 400
REPORT_SKIP_ROUNDS      ?= 5
REPORT_RUNS             := runs/report
REPORT_VARIANTS         := tiny moe-mixed dense tiny-noshared moe-mixed-nokl
REPORT_ROUTING          := data/scenes/val.jsonl
REPORT_ROUTING_LIMIT    := 200
REPORT_SKIP_MANIFEST    := data/scenes/test.jsonl
REPORT_SKIP_CALIBRATION := data/scenes/val.jsonl
REPORT_SKIP_CHECKPOINT  ?= checkpoints/tiny

report: build
	@test -f data/scenes/train.jsonl || $(BIN) data build --size tiny
	@echo "make report: 5 training runs of $(REPORT_STEPS) steps, about $$(( $(REPORT_STEPS) * 5 / 600 + 1 )) min on an idle 2-core machine (~0.1 s per step), more when the cores are shared; then about 15 min of evaluation, routing and bench skip"
	@mkdir -p $(REPORT_RUNS)
	@set -e; for v in $(REPORT_VARIANTS); do \
		dir=$(REPORT_RUNS)/$$v; \
		if [ -d $$dir/step-$$(printf %06d $(REPORT_STEPS)) ]; then echo "$$dir: finished at step $(REPORT_STEPS), kept"; \
		elif ls -d $$dir/step-* >/dev/null 2>&1; then $(BIN) train --config configs/$$v.yaml --steps $(REPORT_STEPS) --out $$dir --resume; \
		else rm -rf $$dir; $(BIN) train --config configs/$$v.yaml --steps $(REPORT_STEPS) --out $$dir; fi; \
	done
	@set -e; for v in $(REPORT_VARIANTS); do \
		$(BIN) evaluate --checkpoint $(REPORT_RUNS)/$$v --only caption,caption_seen,text,transcribe $(if $(REPORT_EVAL_LIMIT),--limit $(REPORT_EVAL_LIMIT)); \
		$(BIN) inspect --checkpoint $(REPORT_RUNS)/$$v --manifest $(REPORT_ROUTING) --limit $(REPORT_ROUTING_LIMIT); \
	done
	$(BIN) bench skip --checkpoint $(REPORT_SKIP_CHECKPOINT) --manifest $(REPORT_SKIP_MANIFEST) --calibration-manifest $(REPORT_SKIP_CALIBRATION) \
		--samples $(REPORT_SKIP_SAMPLES) --rounds $(REPORT_SKIP_ROUNDS) --targets 0.25,0.5,0.65,0.75 --json > $(REPORT_RUNS)/skip.jsonl.tmp
	mv $(REPORT_RUNS)/skip.jsonl.tmp $(REPORT_RUNS)/skip.jsonl
	$(BIN) report --runs $(REPORT_RUNS) --bench-skip $(REPORT_RUNS)/skip.jsonl --out docs/REPORT.md \
		--routing-manifest $(REPORT_ROUTING) --routing-limit $(REPORT_ROUTING_LIMIT) --skip-manifest $(REPORT_SKIP_MANIFEST) \
		--skip-calibration-manifest $(REPORT_SKIP_CALIBRATION) --skip-samples $(REPORT_SKIP_SAMPLES) \
		--skip-checkpoint $(REPORT_SKIP_CHECKPOINT)

clean:
	rm -rf .build
