// GenoBench conventions, written down once (after plink 2's header of conventions).
//
// - Matrices are column-major, as BLAS and LAPACK expect: element (row i, column j) of an
//   m x n matrix lives at storage[i + j * m].
// - Argument order: inputs, then in/out arguments, then outputs, then scratch.
// - "count" is a number of things (samples, variants, pairs); "index" is a 0-based position.
//   Anything shown to users as 1-based (PLINK positions, `--part`) says so where it is parsed.
// - Precision is a type parameter (`Scalar`: Float or Double), never a run-time flag inside a
//   kernel. Integer counts (genotype tables, popcounts) are exact and identical across
//   precisions; only statistics derived from them are computed in the backend's precision.
// - Stored quantities carry their unit in the name: `wallSeconds`, `peakResidentBytes`.
// - Kernels do not throw. Undefined statistics are IEEE NaN and carry a status; input is
//   validated once where it enters (file readers, option parsing).
// - No globals: thread count, progress and cancellation travel in a `RunContext`.
