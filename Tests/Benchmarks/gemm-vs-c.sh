#!/usr/bin/env bash
# Is moe-mm's GEMM path as fast as OpenBLAS called straight from C?
#
# Builds Tests/Benchmarks/sgemm_bench.c (and a release moe-mm if missing), then runs the two interleaved for ROUNDS
# rounds (each round, shape by shape: C, then Swift) so drift in the shared machine's load hits
# both alike.
# Prints, per shape, the median GFLOP/s of each over the rounds and the ratio Swift/C; exits 1
# if any ratio is below MIN_RATIO.
#
# Environment: ROUNDS (5), SECONDS_PER_SHAPE (0.5), MIN_RATIO (0.90),
#   MOEMM_THREADS (OpenBLAS threads for both; default: all online cores),
#   SHAPES (default: the shapes `moe-mm bench gemm` uses by default).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-5}
SECONDS_PER_SHAPE=${SECONDS_PER_SHAPE:-0.5}
MIN_RATIO=${MIN_RATIO:-0.90}
SHAPES=${SHAPES:-64x128x128,256x128x512,256x512x128,1024x256x256,2048x2048x2048}
export MOEMM_THREADS=${MOEMM_THREADS:-$(getconf _NPROCESSORS_ONLN)}

mkdir -p .build
# shellcheck disable=SC2046  # pkg-config prints several flags on purpose
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -o .build/sgemm_bench Tests/Benchmarks/sgemm_bench.c $(pkg-config --cflags --libs openblas) -lm
# The binary `make build` made (with the Makefile's CPU flags); built here only when missing.
moe_mm=${MOEMM_BIN:-.build/release/moe-mm}
[ -x "$moe_mm" ] || swift build -c release --product moe-mm >&2

# moe-mm re-executes itself with OPENBLAS_CORETYPE when OpenBLAS fell back to kernels below what
# the CPU supports (Sources/Kernels/BLASKernel.swift); C is given the family moe-mm ends up with.
kernel=$("$moe_mm" bench gemm --shapes 8x8x8 --seconds 0.01 | sed -n 's/^OpenBLAS kernels: \([A-Za-z0-9]*\),.*/\1/p')
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-$kernel}

results=$(mktemp)
flat="$results.flat"
trap 'rm -f "$results" "$flat"' EXIT
echo "OpenBLAS kernels: $OPENBLAS_CORETYPE, threads: $MOEMM_THREADS, rounds: $ROUNDS, ~${SECONDS_PER_SHAPE}s per shape per run" >&2
for round in $(seq "$ROUNDS"); do
    echo "round $round/$ROUNDS" >&2
    # Shape by shape, so the C and Swift runs of one shape are seconds apart, not a whole sweep.
    for shape in ${SHAPES//,/ }; do
        .build/sgemm_bench --shapes "$shape" --seconds "$SECONDS_PER_SHAPE" | sed 's/^/c /' >>"$results"
        "$moe_mm" bench gemm --json --shapes "$shape" --seconds "$SECONDS_PER_SHAPE" | sed 's/^/swift /' >>"$results"
    done
done

# Lines are `<side> {"m": M, "n": N, "k": K, "gflops": G, "runs": R}`; reduce to `side MxNxK G`.
sed -E 's/^([a-z]+) \{"m": ([0-9]+), "n": ([0-9]+), "k": ([0-9]+), "gflops": ([0-9.]+).*/\1 \2x\3x\4 \5/' "$results" >"$flat"

median() {  # median GFLOP/s of side $1 on shape $2
    awk -v side="$1" -v shape="$2" '$1 == side && $2 == shape { print $3 }' "$flat" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

status=0
printf '%16s %10s %10s %8s\n' "shape" "C GFLOP/s" "Swift" "Swift/C"
for shape in ${SHAPES//,/ }; do
    c=$(median c "$shape")
    swift=$(median swift "$shape")
    ratio=$(awk -v s="$swift" -v c="$c" 'BEGIN { printf "%.3f", (c > 0 ? s / c : 0) }')
    verdict=""
    if awk -v r="$ratio" -v min="$MIN_RATIO" 'BEGIN { exit !(r < min) }'; then verdict="  below $MIN_RATIO"; status=1; fi
    printf '%16s %10.2f %10.2f %8s%s\n' "$shape" "$c" "$swift" "$ratio" "$verdict"
done
exit $status
