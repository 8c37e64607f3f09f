# moe-mm: every target installs what it needs first, so a fresh machine needs nothing by hand.
SWIFT        ?= swift
APT_PACKAGES := libopenblas-dev libpng-dev libsndfile1-dev espeak-ng pkg-config
PY_MODULES   := safetensors tokenizers numpy pycocoevalcap==1.2
BIN          := .build/release/moe-mm
# SIMD8 code runs on AVX2/FMA when the build machine has them; a baseline x86-64 build still works.
CPU_FLAGS    := $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc haswell")

.PHONY: deps build test demo bench clean

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
	$(SWIFT) test -c release $(CPU_FLAGS)

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

clean:
	rm -rf .build
