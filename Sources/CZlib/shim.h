#ifndef GANZOO_CZLIB_SHIM_H
#define GANZOO_CZLIB_SHIM_H
#include <zlib.h>

// zlib's init macros pass sizeof(z_stream) and the version string; Swift cannot call macros.
static inline int ganzoo_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
static inline int ganzoo_deflateInit(z_streamp stream, int level) {
    return deflateInit(stream, level);
}
#endif
