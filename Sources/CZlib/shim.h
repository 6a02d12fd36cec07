// CZlib — zlib (Debian's zlib1g-dev), used by Imaging to write PNG files: `compress2` for the
// IDAT stream and `crc32` for the chunk checksums. Tests also use `uncompress` to read back.
#ifndef VIDATTR_CZLIB_SHIM_H
#define VIDATTR_CZLIB_SHIM_H

#include <zlib.h>

#endif
