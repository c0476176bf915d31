#ifndef GANZOO_CBLAS_SHIM_H
#define GANZOO_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface (pthread build, from `pkg-config openblas`).
#include <cblas.h>
#endif
