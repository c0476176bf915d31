// Splits one sgemm into blocks computed concurrently by single-threaded OpenBLAS calls.
#include "parallel_gemm.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

// From OpenBLAS's cblas.h (declared here so this target needs no header search path).
enum { RowMajor = 101, NoTrans = 111, Trans = 112 };
extern void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
extern void openblas_set_num_threads(int threads);

#if defined(__x86_64__) || defined(__i386__)
#define SPIN_PAUSE() __builtin_ia32_pause()
#else
#define SPIN_PAUSE() ((void)0)
#endif

#define MAX_WORKERS 15
#define SPIN_LIMIT 20000

typedef struct {
    int transA, transB, m, n, k, lda, ldb, ldc;
    float alpha, beta;
    const float *a, *b;
    float *c;
} gemm_job;

typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_uint generation;   // bumped by the caller for each product it wakes the worker for
} worker;

static worker workers[MAX_WORKERS];

// The product being split: `blocks` blocks of `block` columns (or rows) of `whole`. Whoever is
// free claims the next block (the caller's thread too), so a worker that the scheduler keeps
// off a core (a loaded machine) costs a delay, not a stall: the caller computes the blocks that
// no worker has claimed. `claim` holds the product's number (high 32 bits), its block count
// (bits 16-31) and the next unclaimed block (low 16): a claim succeeds only on the product it
// was checked against, whose description cannot change until all its blocks are done. A block's
// result does not depend on which thread computes it (single-threaded OpenBLAS on the same
// shapes), so the bits depend only on the shapes and the thread count, as before.
static struct {
    gemm_job whole;
    // When `body` is set, the job is a loop over [0, extent) instead of a product: block i is
    // body(context, i * block, min((i + 1) * block, extent)).
    void (*body)(void *context, int start, int end);
    void *context;
    int splitColumns, extent, block, blocks;
    _Atomic unsigned long long claim;
    atomic_int done;
} current;
static unsigned product_number = 0;
static int started = 0;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
// One split product at a time: the workers are shared, and a caller on another thread (tests
// run in parallel) would overwrite their jobs. Serialising keeps every result the same.
static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local int gemm_threads = 1;
// Set on the caller's thread while it runs a split job's blocks: a product or loop started from
// inside a block (the caller holds `busy`) runs alone on that thread instead of waiting for the
// lock it holds. Workers' own setting is 1, so theirs already do.
static _Thread_local int inside_job = 0;
void ganzoo_set_gemm_threads(int threads) { gemm_threads = threads < 1 ? 1 : threads; }
int ganzoo_gemm_threads(void) { return gemm_threads; }

static void run(const gemm_job *j) {
    cblas_sgemm(RowMajor, j->transA ? Trans : NoTrans, j->transB ? Trans : NoTrans, j->m, j->n, j->k, j->alpha,
                j->a, j->lda, j->b, j->ldb, j->beta, j->c, j->ldc);
}

// Block `index` of the current product: columns (or rows) [index * block, ...) of op(B) and C
// (of op(A) and C).
static void run_block(int index) {
    gemm_job job = current.whole;
    int start = index * current.block, size = current.extent - start < current.block ? current.extent - start : current.block;
    if (current.body) {
        current.body(current.context, start, start + size);
        return;
    }
    if (current.splitColumns) {
        job.n = size;
        job.b = job.transB ? job.b + (size_t)start * job.ldb : job.b + start;
        job.c = job.c + start;
    } else {
        job.m = size;
        job.a = job.transA ? job.a + start : job.a + (size_t)start * job.lda;
        job.c = job.c + (size_t)start * job.ldc;
    }
    run(&job);
}

// Computes blocks of the current product until none is left unclaimed.
static void claim_blocks(void) {
    unsigned long long claim = atomic_load_explicit(&current.claim, memory_order_acquire);
    for (;;) {
        unsigned long long blocks = (claim >> 16) & 0xffff, next = claim & 0xffff;
        if (next >= blocks) return;
        if (!atomic_compare_exchange_weak_explicit(&current.claim, &claim, claim + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        run_block((int)next);
        atomic_fetch_add_explicit(&current.done, 1, memory_order_release);
        claim = atomic_load_explicit(&current.claim, memory_order_acquire);
    }
}

static void *worker_main(void *argument) {
    worker *self = argument;
    unsigned seen = 0;
    openblas_set_num_threads(1);
    for (;;) {
        unsigned generation;
        int spins = 0;
        while ((generation = atomic_load_explicit(&self->generation, memory_order_acquire)) == seen) {
            if (++spins < SPIN_LIMIT) {
                SPIN_PAUSE();
                continue;
            }
            pthread_mutex_lock(&self->lock);
            while (atomic_load_explicit(&self->generation, memory_order_acquire) == seen)
                pthread_cond_wait(&self->wake, &self->lock);
            pthread_mutex_unlock(&self->lock);
        }
        seen = generation;
        claim_blocks();
    }
    return NULL;
}

// Starts workers up to `count` and returns how many there are. When pthread_create fails
// (a thread limit, no memory for a stack) the product goes on with the workers that exist, down
// to none: waiting for a worker that was never created spun forever.
static int ensure_workers(int count) {
    pthread_mutex_lock(&start_lock);
    while (started < count) {
        worker *w = &workers[started];
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->wake, NULL);
        atomic_init(&w->generation, 0);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) break;
        pthread_detach(w->thread);
        started++;
    }
    int available = started;
    pthread_mutex_unlock(&start_lock);
    return available;
}

// Runs the job described by `current` (set by the caller under `busy`) in `blocks` blocks on
// the caller and `threads - 1` workers, and returns when every block is done.
static void run_current(int threads, int blocks) {
    current.blocks = blocks;
    atomic_store_explicit(&current.done, 0, memory_order_relaxed);
    product_number++;
    // Block 0 is the caller's: the first block the workers can claim is 1.
    atomic_store_explicit(&current.claim,
                          ((unsigned long long)product_number << 32) | ((unsigned long long)current.blocks << 16) | 1,
                          memory_order_release);
    for (int t = 1; t < threads; t++) {
        worker *w = &workers[t - 1];
        pthread_mutex_lock(&w->lock);
        atomic_fetch_add_explicit(&w->generation, 1, memory_order_acq_rel);
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
    }
    inside_job = 1;
    run_block(0);
    atomic_fetch_add_explicit(&current.done, 1, memory_order_release);
    claim_blocks();
    inside_job = 0;
    while (atomic_load_explicit(&current.done, memory_order_acquire) != current.blocks) SPIN_PAUSE();
}

// Locks `busy` and starts workers; returns the threads available (1: nothing locked, run alone).
static int claim_pool(int threads) {
    if (threads > MAX_WORKERS + 1) threads = MAX_WORKERS + 1;
    if (threads <= 1 || inside_job) return 1;
    pthread_mutex_lock(&busy);
    int workersAvailable = ensure_workers(threads - 1);
    if (workersAvailable < threads - 1) threads = workersAvailable + 1;
    if (threads <= 1) pthread_mutex_unlock(&busy);
    return threads;
}

void ganzoo_parallel_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                           const float *a, int lda, const float *b, int ldb, float beta,
                           float *c, int ldc, int threads) {
    gemm_job whole = {transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, a, b, c};
    int splitColumns = n >= m;
    int extent = splitColumns ? n : m;
    if (threads > MAX_WORKERS + 1) threads = MAX_WORKERS + 1;
    if (threads <= 1 || extent < 16 * threads) {
        run(&whole);
        return;
    }
    threads = claim_pool(threads);
    if (threads <= 1 || extent < 16 * threads) {
        if (threads > 1) pthread_mutex_unlock(&busy);
        run(&whole);
        return;
    }
    current.whole = whole;
    current.body = NULL;
    current.splitColumns = splitColumns;
    current.extent = extent;
    current.block = (extent + threads - 1) / threads;
    run_current(threads, (extent + current.block - 1) / current.block);
    pthread_mutex_unlock(&busy);
}

void ganzoo_parallel_for(int count, int threads, int granularity, void (*body)(void *context, int start, int end),
                         void *context) {
    if (count <= 0) return;
    if (granularity < 1) granularity = 1;
    if (threads <= 1 || count < 2 * granularity || (threads = claim_pool(threads)) <= 1) {
        body(context, 0, count);
        return;
    }
    current.body = body;
    current.context = context;
    current.extent = count;
    // Blocks are whole multiples of `granularity` (a SIMD width, a row): each thread one.
    int units = (count + granularity - 1) / granularity;
    current.block = (units + threads - 1) / threads * granularity;
    run_current(threads, (count + current.block - 1) / current.block);
    current.body = NULL;
    pthread_mutex_unlock(&busy);
}
