#ifndef GANZOO_ALLOCATION_COUNTER_H
#define GANZOO_ALLOCATION_COUNTER_H
#include <stddef.h>
/// Heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
/// the calling thread since it last called allocation_counter_reset. Linked into the test
/// binary only, where these definitions interpose on the C library's.
size_t allocation_counter_value(void);
void allocation_counter_reset(void);
#endif
