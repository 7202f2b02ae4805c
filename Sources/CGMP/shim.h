#ifndef CGMP_SHIM_H
#define CGMP_SHIM_H
// GMP's mpz_* names are macros for __gmpz_*; Swift calls the __gmpz_* functions directly.
#include <gmp.h>
#endif
