// GSL for the exact references. OpenBLAS's <cblas.h> comes first and GSL's own gsl_cblas.h is
// suppressed: both define CBLAS_TRANSPOSE differently, and GSL's BLAS calls should bind to
// OpenBLAS anyway (the target links "gsl" without -lgslcblas).
#ifndef GENOBENCH_CGSL_SHIM_H
#define GENOBENCH_CGSL_SHIM_H
#include <cblas.h>
#define __GSL_CBLAS_H__ 1
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_poly.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_blas.h>

// GSL exports its minimiser types as mutable globals, which Swift 6 will not read; this returns one.
static inline const gsl_min_fminimizer_type *genobench_gsl_brent(void) { return gsl_min_fminimizer_brent; }
#endif
