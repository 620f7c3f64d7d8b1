// OpenBLAS's CBLAS plus the few Fortran LAPACK entry points GenoBench calls.
// Debian's OpenBLAS is built without LAPACKE, so LAPACK is declared here with the gfortran
// ABI: every argument by pointer, one hidden size_t length per CHARACTER argument, at the end.
#ifndef GENOBENCH_CBLAS_SHIM_H
#define GENOBENCH_CBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>

void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info, size_t uplo_len);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
void spotrs_(const char *uplo, const int *n, const int *nrhs, const float *a, const int *lda,
             float *b, const int *ldb, int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info, size_t uplo_len);
void spotri_(const char *uplo, const int *n, float *a, const int *lda, int *info, size_t uplo_len);
void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w,
             float *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void ssytrd_(const char *uplo, const int *n, float *a, const int *lda, float *d, float *e, float *tau,
             float *work, const int *lwork, int *info, size_t uplo_len);
void dsytrd_(const char *uplo, const int *n, double *a, const int *lda, double *d, double *e, double *tau,
             double *work, const int *lwork, int *info, size_t uplo_len);
void sormtr_(const char *side, const char *uplo, const char *trans, const int *m, const int *n, const float *a,
             const int *lda, const float *tau, float *c, const int *ldc, float *work, const int *lwork, int *info,
             size_t side_len, size_t uplo_len, size_t trans_len);
void dormtr_(const char *side, const char *uplo, const char *trans, const int *m, const int *n, const double *a,
             const int *lda, const double *tau, double *c, const int *ldc, double *work, const int *lwork, int *info,
             size_t side_len, size_t uplo_len, size_t trans_len);
void dsterf_(const int *n, double *d, double *e, int *info);
void ssytrd_sy2sb_(const char *uplo, const int *n, const int *kd, float *a, const int *lda, float *ab, const int *ldab,
                   float *tau, float *work, const int *lwork, int *info, size_t uplo_len);
void dsytrd_sy2sb_(const char *uplo, const int *n, const int *kd, double *a, const int *lda, double *ab, const int *ldab,
                   double *tau, double *work, const int *lwork, int *info, size_t uplo_len);
void sormqr_(const char *side, const char *trans, const int *m, const int *n, const int *k, const float *a, const int *lda,
             const float *tau, float *c, const int *ldc, float *work, const int *lwork, int *info,
             size_t side_len, size_t trans_len);
void dormqr_(const char *side, const char *trans, const int *m, const int *n, const int *k, const double *a, const int *lda,
             const double *tau, double *c, const int *ldc, double *work, const int *lwork, int *info,
             size_t side_len, size_t trans_len);
void dsbtrd_(const char *vect, const char *uplo, const int *n, const int *kd, double *ab, const int *ldab, double *d,
             double *e, double *q, const int *ldq, double *work, int *info, size_t vect_len, size_t uplo_len);
void dpbtrf_(const char *uplo, const int *n, const int *kd, double *ab, const int *ldab, int *info, size_t uplo_len);
void dpbtrs_(const char *uplo, const int *n, const int *kd, const int *nrhs, const double *ab, const int *ldab,
             double *b, const int *ldb, int *info, size_t uplo_len);
#endif
