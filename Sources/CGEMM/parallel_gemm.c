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
    atomic_uint generation;   // bumped by the caller for each job
    atomic_uint finished;     // set to the generation when the job is done
    gemm_job job;
} worker;

static worker workers[MAX_WORKERS];
static int started = 0;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
// One split product at a time: the workers are shared, and a caller on another thread (tests
// run in parallel) would overwrite their jobs. Serialising keeps every result the same.
static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local int gemm_threads = 1;
void ganzoo_set_gemm_threads(int threads) { gemm_threads = threads < 1 ? 1 : threads; }
int ganzoo_gemm_threads(void) { return gemm_threads; }

static void run(const gemm_job *j) {
    cblas_sgemm(RowMajor, j->transA ? Trans : NoTrans, j->transB ? Trans : NoTrans, j->m, j->n, j->k, j->alpha,
                j->a, j->lda, j->b, j->ldb, j->beta, j->c, j->ldc);
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
        run(&self->job);
        atomic_store_explicit(&self->finished, generation, memory_order_release);
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
        atomic_init(&w->finished, 0);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) break;
        pthread_detach(w->thread);
        started++;
    }
    int available = started;
    pthread_mutex_unlock(&start_lock);
    return available;
}

void ganzoo_parallel_sgemm(int transA, int transB, int m, int n, int k, float alpha,
                           const float *a, int lda, const float *b, int ldb, float beta,
                           float *c, int ldc, int threads) {
    gemm_job whole = {transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, a, b, c};
    if (threads > MAX_WORKERS + 1) threads = MAX_WORKERS + 1;
    int splitColumns = n >= m;
    int extent = splitColumns ? n : m;
    if (threads <= 1 || extent < 16 * threads) {
        run(&whole);
        return;
    }
    pthread_mutex_lock(&busy);
    int workersAvailable = ensure_workers(threads - 1);
    if (workersAvailable < threads - 1) threads = workersAvailable + 1;
    if (threads <= 1 || extent < 16 * threads) {
        pthread_mutex_unlock(&busy);
        run(&whole);
        return;
    }
    int block = (extent + threads - 1) / threads;
    unsigned generations[MAX_WORKERS];
    for (int t = 1; t < threads; t++) {
        int start = t * block, size = extent - start < block ? extent - start : block;
        gemm_job job = whole;
        if (splitColumns) {   // columns [start, start + size) of op(B) and C
            job.n = size;
            job.b = transB ? b + (size_t)start * ldb : b + start;
            job.c = c + start;
        } else {              // rows [start, start + size) of op(A) and C
            job.m = size;
            job.a = transA ? a + start : a + (size_t)start * lda;
            job.c = c + (size_t)start * ldc;
        }
        worker *w = &workers[t - 1];
        w->job = job;
        pthread_mutex_lock(&w->lock);
        generations[t - 1] = atomic_fetch_add_explicit(&w->generation, 1, memory_order_acq_rel) + 1;
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
    }
    gemm_job first = whole;
    if (splitColumns) first.n = block; else first.m = block;
    run(&first);
    for (int t = 1; t < threads; t++) {
        while (atomic_load_explicit(&workers[t - 1].finished, memory_order_acquire) != generations[t - 1])
            SPIN_PAUSE();
    }
    pthread_mutex_unlock(&busy);
}
