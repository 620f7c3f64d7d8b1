// The system zlib (zlib1g-dev) for reading and writing gzip text files. gzopen/gzread read a
// plain file unchanged, and concatenated gzip members (as bgzip and `cat a.gz b.gz` make) in
// sequence, so one reader serves compressed and uncompressed inputs.
#ifndef GENOBENCH_CZLIB_SHIM_H
#define GENOBENCH_CZLIB_SHIM_H
#include <zlib.h>
#endif
