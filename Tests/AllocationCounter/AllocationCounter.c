// Counts heap allocations per thread by interposing on the allocator entry points and
// forwarding to glibc's internal implementations. Test-only: never linked into `gan`.
#define _GNU_SOURCE
#include "AllocationCounter.h"
#include <errno.h>
#include <stdlib.h>

#if defined(__linux__) && defined(__GLIBC__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

// initial-exec: a fixed offset from the thread pointer. The default model for position-independent
// code goes through __tls_get_addr, which can take the loader's lock inside malloc and deadlock.
static _Thread_local size_t allocations __attribute__((tls_model("initial-exec")));

size_t allocation_counter_value(void) { return allocations; }
void allocation_counter_reset(void) { allocations = 0; }

void *malloc(size_t size) { allocations++; return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { allocations++; return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { allocations++; return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { allocations++; return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { allocations++; return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    allocations++;
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return ENOMEM;
    *out = pointer;
    return 0;
}
#else
size_t allocation_counter_value(void) { return 0; }
void allocation_counter_reset(void) {}
#endif
