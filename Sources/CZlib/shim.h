// zlib for reading and writing gzip-compressed tables (mrpeg's inputs are usually .tsv.gz).
// gzread also reads uncompressed files as they are, so one reader serves both.
#ifndef GENOBENCH_CZLIB_SHIM_H
#define GENOBENCH_CZLIB_SHIM_H
#include <zlib.h>
#endif
