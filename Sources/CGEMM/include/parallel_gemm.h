#ifndef GANZOO_PARALLEL_GEMM_H
#define GANZOO_PARALLEL_GEMM_H
/// Row-major C = alpha * op(A) * op(B) + beta * C, split into `threads` column (or row) blocks,
/// each computed by single-threaded OpenBLAS: the caller's thread takes the first block,
/// persistent worker threads the others. Workers spin briefly between products, then sleep.
/// On this project's machine OpenBLAS's own threading made mid-sized products 2-7x slower,
/// while this split made them 1.5-2.3x faster. Results depend only on the shapes and `threads`.
void ganzoo_parallel_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                           const float *a, int lda, const float *b, int ldb, float beta,
                           float *c, int ldc, int threads);

/// Runs body(context, start, end) over [0, count) in blocks of whole multiples of `granularity`,
/// one per thread, on the caller and the product workers (one split job at a time). Alone on
/// the caller when `threads` <= 1 or `count` < 2 * granularity, and inside another split job's
/// block (a nested call runs alone rather than wait for the workers). For loops whose iterations
/// are independent, so the result does not depend on `threads`.
void ganzoo_parallel_for(int count, int threads, int granularity, void (*body)(void *context, int start, int end),
                         void *context);

/// Threads for products on the calling thread (a thread-local setting, so concurrent callers,
/// such as tests running in parallel, never change each other's results). Default 1.
void ganzoo_set_gemm_threads(int threads);
int ganzoo_gemm_threads(void);
#endif
