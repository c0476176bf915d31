#ifndef GANZOO_CBLAS_SHIM_H
#define GANZOO_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface (pthread build, from `pkg-config openblas`).
#include <cblas.h>
#include <stddef.h>

// LAPACK's symmetric eigensolver (divide and conquer), exported by OpenBLAS's bundled LAPACK
// (Debian's cblas.h does not declare it). Fortran calling convention: every argument by
// pointer, column-major, and gfortran's hidden lengths of the two character arguments last.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_length, size_t uplo_length);
#endif
