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

// Calls whose names and structs HDF5 versions: from 1.12 on, H5O_info_t, H5L_info_t,
// H5Oget_info and H5Lget_info are macros naming versioned symbols (H5O_info2_t, H5Oget_info3,
// ...), which Swift cannot import. These pick the call by H5_VERSION_GE, so the Swift code
// compiles against 1.10 (Debian bookworm, tested) and 1.12 / 1.14 (Debian trixie, Homebrew).

// The number of attributes on an object, or -1.
static inline long long ganzoo_h5_attribute_count(hid_t object) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(object, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#elif H5_VERSION_GE(1, 10, 3)
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#else
    H5O_info_t info;
    if (H5Oget_info(object, &info) < 0) return -1;
#endif
    return (long long)info.num_attrs;
}

// The type of the link `name` in `group` (H5L_TYPE_HARD, _SOFT, _EXTERNAL, ...), or H5L_TYPE_ERROR.
static inline H5L_type_t ganzoo_h5_link_type(hid_t group, const char *name) {
#if H5_VERSION_GE(1, 12, 0)
    H5L_info2_t info;
    if (H5Lget_info2(group, name, &info, H5P_DEFAULT) < 0) return H5L_TYPE_ERROR;
#else
    H5L_info_t info;
    if (H5Lget_info(group, name, &info, H5P_DEFAULT) < 0) return H5L_TYPE_ERROR;
#endif
    return info.type;
}

// Silence HDF5's own error printing; failures become Swift errors.
static inline void ganzoo_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
