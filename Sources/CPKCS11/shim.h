// PKCS#11 v2.40 types and function list, from p11-kit's pkcs11.h (libp11-kit-dev).
// Only the header is used: modules are dlopen()ed, nothing is linked.
#include <p11-kit/pkcs11.h>
#include <dlfcn.h>

// dladdr's Dl_info, under names of our own: dladdr is a GNU extension that
// Swift's Glibc module does not declare. The module finds its own file with it.
typedef struct {
    const char *dli_fname;
    void *dli_fbase;
    const char *dli_sname;
    void *dli_saddr;
} cpkcs11_dl_info;
extern int cpkcs11_dladdr(const void *address, cpkcs11_dl_info *info) __asm__("dladdr");
