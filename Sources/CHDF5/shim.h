#ifndef GANZOO_CHDF5_SHIM_H
#define GANZOO_CHDF5_SHIM_H
#include <hdf5.h>

// HDF5's type and property-list "constants" are macros that call H5open(); Swift imports
// none of them, so each is wrapped in a function here (as swift-numerics wraps its shims).
static inline hid_t ganzoo_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t ganzoo_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t ganzoo_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t ganzoo_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t ganzoo_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t ganzoo_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t ganzoo_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t ganzoo_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t ganzoo_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t ganzoo_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t ganzoo_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t ganzoo_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }
static inline hid_t ganzoo_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t ganzoo_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline unsigned ganzoo_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned ganzoo_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned ganzoo_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }

// Silence HDF5's own error printing; failures become Swift errors.
static inline void ganzoo_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
