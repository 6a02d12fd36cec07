// CLinearAlgebra — the BLAS and LAPACK entry points VideoAttribution uses.
//
// CBLAS comes from Debian's libblas-dev (`cblas.h`); which implementation runs (netlib,
// OpenBLAS, BLIS) is chosen by Debian's alternatives system at run time, since we link
// the generic `libblas.so.3` / `liblapack.so.3`.
//
// LAPACK has no standard C header on Debian without liblapacke-dev, so the Fortran
// routines used are declared here with the gfortran calling convention: every argument by
// pointer, and one trailing hidden `size_t` length per CHARACTER argument.
#ifndef VIDATTR_CLINEARALGEBRA_SHIM_H
#define VIDATTR_CLINEARALGEBRA_SHIM_H

#include <stddef.h>
#include <cblas.h>

/// DSTEV: eigenvalues and (optionally) eigenvectors of a real symmetric tridiagonal matrix.
/// jobz: 'N' values only, 'V' values and vectors. n: order. d[n]: diagonal (in: matrix,
/// out: eigenvalues ascending). e[n-1]: sub-diagonal (destroyed). z[ldz*n]: eigenvectors
/// (column-major). work[max(1, 2n-2)]. info: 0 on success.
void dstev_(const char *jobz, const int *n, double *d, double *e, double *z,
            const int *ldz, double *work, int *info, size_t jobz_len);

#endif
