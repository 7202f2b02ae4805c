/* RSA-2048 through libCryptoFrameworkPKCS11.so from C, as an application
 * calls it: C_SignInit + C_Sign (and C_VerifyInit + C_Verify) in a loop on a
 * session key pair, for a fixed time. `pkcs11-speed` runs it and compares
 * with the Swift API. Usage: pkcs11_speed MODULE SECONDS
 * Prints "sign OPS_PER_SECOND" and "verify OPS_PER_SECOND". */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <p11-kit/pkcs11.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define MUST(call) do { CK_RV rv_ = (call); if (rv_ != CKR_OK) { fprintf(stderr, "%s: 0x%lx\n", #call, rv_); exit(1); } } while (0)

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: pkcs11_speed MODULE SECONDS\n"); return 2; }
    double seconds = atof(argv[2]);
    void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!handle) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
    CK_FUNCTION_LIST_PTR p11;
    MUST(((CK_C_GetFunctionList)dlsym(handle, "C_GetFunctionList"))(&p11));
    MUST(p11->C_Initialize(NULL));
    CK_SESSION_HANDLE s;
    MUST(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s));
    CK_MECHANISM gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ULONG bits = 2048;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE pt[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_VERIFY, &yes, 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_SIGN, &yes, 1 } };
    CK_OBJECT_HANDLE pub, priv;
    MUST(p11->C_GenerateKeyPair(s, &gen, pt, 2, kt, 1, &pub, &priv));
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    unsigned char msg[32] = { 1, 2, 3 }, sig[256];
    CK_ULONG len = sizeof sig;

    long n = 0;
    double start = now(), elapsed;
    do {
        len = sizeof sig;
        MUST(p11->C_SignInit(s, &m, priv));
        MUST(p11->C_Sign(s, msg, sizeof msg, sig, &len));
        n++;
    } while ((elapsed = now() - start) < seconds);
    printf("sign %.1f\n", n / elapsed);

    n = 0;
    start = now();
    do {
        MUST(p11->C_VerifyInit(s, &m, pub));
        MUST(p11->C_Verify(s, msg, sizeof msg, sig, len));
        n++;
    } while ((elapsed = now() - start) < seconds);
    printf("verify %.1f\n", n / elapsed);
    MUST(p11->C_Finalize(NULL));
    return 0;
}
