// Times one training iteration's matrix products (the paper model and the seed MLP, the shapes
// `gan bench` records) three ways, on a BLAS library loaded at run time:
//
//   split  the library on one thread, each product of >= 262,144 multiply-adds split into
//          column/row blocks by Sources/CGEMM (what gan does)
//   lib    the library's own threading (openblas_set_num_threads / bli_thread_set_num_threads)
//
//   cc -O2 -o /tmp/gemm_split benchmarks/gemm_split.c Sources/CGEMM/parallel_gemm.c \
//      -ISources/CGEMM/include -ldl -lpthread
//   /tmp/gemm_split /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 split 2
//   OMP_NUM_THREADS=2 /tmp/gemm_split /usr/lib/x86_64-linux-gnu/blis-openmp/libblis.so.4 lib 2
//
// benchmarks/gemm_split.py builds it and runs every library and mode. Prints, per model and
// batch size, the summed product time of one iteration (median of --repeats) and the
// iterations per second it allows (the "BLAS limit" of that configuration).
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "parallel_gemm.h"

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
static sgemm_fn library_sgemm;
static void (*set_openblas_threads)(int);
static void (*set_blis_threads)(long);

// Sources/CGEMM calls these two; here they forward to the library loaded at run time.
void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc) {
    library_sgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void openblas_set_num_threads(int threads) {
    if (set_openblas_threads) set_openblas_threads(threads);
    if (set_blis_threads) set_blis_threads(threads);
}

typedef struct { int transA, transB, m, n, k; } shape;

// One iteration (alternating, k = 1): the discriminator step on B real + B generated rows in one
// [2B, ...] pass, then the generator step; the order and shapes of gan's products.
static int paper_shapes(int b, shape *s) {
    int r = 2 * b, i = 0;
    shape list[] = {
        {0, 0, b, 1200, 100}, {0, 0, b, 1200, 1200}, {0, 0, b, 784, 1200},            // G forward
        {0, 0, r, 1200, 784}, {0, 0, r, 1200, 240}, {0, 0, r, 1, 240},                // D forward, 2B rows
        {1, 0, 240, 1, r}, {0, 1, r, 240, 1}, {1, 0, 240, 1200, r}, {0, 1, r, 240, 1200},
        {1, 0, 784, 1200, r},                                                         // D backward
        {0, 0, b, 1200, 100}, {0, 0, b, 1200, 1200}, {0, 0, b, 784, 1200},            // G forward
        {0, 0, b, 1200, 784}, {0, 0, b, 1200, 240}, {0, 0, b, 1, 240},                // D forward
        {0, 1, b, 240, 1}, {0, 1, b, 240, 1200}, {0, 1, b, 784, 1200},                // D input gradients
        {1, 0, 1200, 784, b}, {0, 1, b, 1200, 784}, {1, 0, 1200, 1200, b}, {0, 1, b, 1200, 1200},
        {1, 0, 100, 1200, b},                                                         // G backward
    };
    for (; i < (int)(sizeof list / sizeof *list); i++) s[i] = list[i];
    return i;
}

static int seed_shapes(int b, shape *s) {
    int r = 2 * b, i = 0;
    shape list[] = {
        {0, 0, b, 128, 100}, {0, 0, b, 784, 128}, {0, 0, r, 128, 784}, {0, 0, r, 1, 128},
        {1, 0, 128, 1, r}, {0, 1, r, 128, 1}, {1, 0, 784, 128, r},
        {0, 0, b, 128, 100}, {0, 0, b, 784, 128}, {0, 0, b, 128, 784}, {0, 0, b, 1, 128},
        {0, 1, b, 128, 1}, {0, 1, b, 784, 128}, {1, 0, 128, 784, b}, {0, 1, b, 128, 784}, {1, 0, 100, 128, b},
    };
    for (; i < (int)(sizeof list / sizeof *list); i++) s[i] = list[i];
    return i;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *a, *b, *c;
static int split, threads;

static void product(const shape *s) {
    int lda = s->transA ? s->m : s->k, ldb = s->transB ? s->k : s->n;
    float beta = s->transB ? 0 : 1;  // input gradients overwrite, the rest accumulate (as gan)
    if (split) {
        long macs = (long)s->m * s->n * s->k;
        ganzoo_parallel_sgemm(s->transA, s->transB, s->m, s->n, s->k, 1, a, lda, b, ldb, beta, c, s->n,
                              macs >= 262144 ? threads : 1);
    } else {
        library_sgemm(101, s->transA ? 112 : 111, s->transB ? 112 : 111, s->m, s->n, s->k, 1, a, lda, b, ldb,
                      beta, c, s->n);
    }
}

static int compare(const void *x, const void *y) {
    double p = *(const double *)x, q = *(const double *)y;
    return p < q ? -1 : p > q;
}

/// Seconds for all products of one iteration: median over `repeats` runs of ~0.3 s each.
static double iteration_seconds(const shape *s, int count, int repeats) {
    double runs[64];
    for (int w = 0; w < 3; w++) for (int i = 0; i < count; i++) product(&s[i]);
    for (int r = 0; r < repeats; r++) {
        int iterations = 0;
        double start = now(), elapsed;
        do {
            for (int i = 0; i < count; i++) product(&s[i]);
            iterations++;
        } while ((elapsed = now() - start) < 0.3);
        runs[r] = elapsed / iterations;
    }
    qsort(runs, repeats, sizeof *runs, compare);
    return runs[repeats / 2];
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s LIBRARY.so split|lib THREADS [REPEATS]\n", argv[0]);
        return 2;
    }
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!library || !(library_sgemm = (sgemm_fn)dlsym(library, "cblas_sgemm"))) {
        fprintf(stderr, "Error: %s: %s\n", argv[1], dlerror());
        return 1;
    }
    set_openblas_threads = (void (*)(int))dlsym(library, "openblas_set_num_threads");
    set_blis_threads = (void (*)(long))dlsym(library, "bli_thread_set_num_threads");
    split = strcmp(argv[2], "split") == 0;
    threads = atoi(argv[3]);
    int repeats = argc > 4 ? atoi(argv[4]) : 5;
    if (threads < 1 || threads > 16 || repeats < 1 || repeats > 64) {
        fprintf(stderr, "Error: THREADS must lie in 1...16 and REPEATS in 1...64\n");
        return 1;
    }
    openblas_set_num_threads(split ? 1 : threads);
    ganzoo_set_gemm_threads(threads);
    size_t most = 1200 * 1200 * 4;  // the largest operand: [2 * 256, 1200] < 1200 x 1200 x 4
    a = malloc(most * sizeof *a), b = malloc(most * sizeof *b), c = malloc(most * sizeof *c);
    for (size_t i = 0; i < most; i++) a[i] = (float)(i % 97) / 97 - 0.5f, b[i] = (float)(i % 89) / 89 - 0.5f, c[i] = 0;
    shape s[32];
    int batches[] = {64, 100, 256};
    for (int model = 0; model < 2; model++) {
        for (int i = 0; i < 3; i++) {
            int count = model == 0 ? paper_shapes(batches[i], s) : seed_shapes(batches[i], s);
            double seconds = iteration_seconds(s, count, repeats);
            double flops = 0;
            for (int j = 0; j < count; j++) flops += 2.0 * s[j].m * s[j].n * s[j].k;
            printf("%s %d %.6f %.1f %.1f\n", model == 0 ? "paper" : "seed-mlp", batches[i], seconds, 1 / seconds,
                   flops / seconds / 1e9);
            fflush(stdout);
        }
    }
    return 0;
}
