// PKCS#11 v2.40 types and function list, from p11-kit's pkcs11.h (libp11-kit-dev).
// Only the header is used: modules are dlopen()ed, nothing is linked.
#include <p11-kit/pkcs11.h>
#include <dlfcn.h>
