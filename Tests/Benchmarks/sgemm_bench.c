// The C baseline for `moe-mm bench gemm`: the same cblas_sgemm calls (row-major, no transpose,
// alpha 1, beta 0, operands filled with 0.5 and 0.25, 64-byte aligned), the same thread count
// (MOEMM_THREADS, else the online cores), the same timing rule (one warm-up, then at least 5 runs
// and about --seconds per shape, median reported) and the same JSON lines, so
// scripts/bench-gemm-vs-c.sh can set the two side by side.
//
// Usage: sgemm_bench --shapes 64x128x128,256x128x512 [--seconds 0.5]
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *filled(size_t count, float value) {
    size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes > 0 ? bytes : 64);
    if (!p) { fprintf(stderr, "sgemm_bench: out of memory for %zu floats\n", count); exit(1); }
    for (size_t i = 0; i < count; i++) p[i] = value;
    return p;
}

// Times one shape; returns the median seconds of one product and stores the run count.
static double time_shape(int m, int n, int k, double seconds, int *runs_out) {
    float *a = filled((size_t)m * k, 0.5f), *b = filled((size_t)k * n, 0.25f), *c = filled((size_t)m * n, 0);
    size_t capacity = 1024;
    double *times = malloc(capacity * sizeof(double));
    int runs = 0;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);  // warm-up
    double start = now();
    while (runs < 5 || now() - start < seconds) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
        double t = now() - t0;
        if ((size_t)runs == capacity) {
            capacity *= 2;
            times = realloc(times, capacity * sizeof(double));
            if (!times) { fprintf(stderr, "sgemm_bench: out of memory for timings\n"); exit(1); }
        }
        times[runs++] = t;
    }
    qsort(times, (size_t)runs, sizeof(double), compare_doubles);
    double median = times[lround(0.5 * (runs - 1))];
    free(times); free(a); free(b); free(c);
    *runs_out = runs;
    return median;
}

int main(int argc, char **argv) {
    const char *shapes = NULL;
    double seconds = 0.5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--shapes") == 0 && i + 1 < argc) shapes = argv[++i];
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = atof(argv[++i]);
        else { fprintf(stderr, "usage: %s --shapes MxNxK[,MxNxK...] [--seconds S]\n", argv[0]); return 2; }
    }
    if (!shapes || seconds <= 0) { fprintf(stderr, "usage: %s --shapes MxNxK[,MxNxK...] [--seconds S]\n", argv[0]); return 2; }

    const char *env = getenv("MOEMM_THREADS");
    int threads = env && atoi(env) > 0 ? atoi(env) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    openblas_set_num_threads(threads);

    char *list = strdup(shapes);
    for (char *spec = strtok(list, ","); spec; spec = strtok(NULL, ",")) {
        int m, n, k;
        char extra;
        if (sscanf(spec, "%dx%dx%d%c", &m, &n, &k, &extra) != 3 || m <= 0 || n <= 0 || k <= 0) {
            fprintf(stderr, "sgemm_bench: shape '%s' is not MxNxK with positive integers\n", spec);
            return 2;
        }
        int runs;
        double median = time_shape(m, n, k, seconds, &runs);
        double gflops = 2.0 * m * n * k / median / 1e9;
        printf("{\"m\": %d, \"n\": %d, \"k\": %d, \"gflops\": %.2f, \"runs\": %d}\n", m, n, k, gflops, runs);
        fflush(stdout);
    }
    free(list);
    return 0;
}
