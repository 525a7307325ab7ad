// CZlib: Debian's zlib (zlib1g-dev) for Swift. This module provides no stable Swift API; use
// `GzipFile` in the QNN module.
//
// inflateInit2 is a macro (it passes ZLIB_VERSION and sizeof(z_stream) to inflateInit2_), which
// Swift cannot import, so it is re-exported as a static inline function.
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

static inline int czlib_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
