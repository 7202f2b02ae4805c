/* Public-key operations and AES-GCM through a PKCS#11 module from C, as an
 * application calls it: C_SignInit + C_Sign (C_VerifyInit + C_Verify,
 * C_DeriveKey + C_DestroyObject, C_EncryptInit + C_Encrypt) in a loop on
 * session keys, each for a fixed time. The same program times
 * libCryptoFrameworkPKCS11.so and SoftHSM2, so both are called alike;
 * `pkcs11-speed` runs it and compares with the Swift API.
 *
 * Usage: pkcs11_speed MODULE SECONDS [SLOT PIN]
 *   SLOT PIN  a slot and user PIN to log in with (SoftHSM2 makes private
 *             session keys only after login); without them slot 0, no login.
 *
 * Prints one line per row, "NAME OPS_PER_SECOND" (MB/s for aes128-gcm), or
 * "NAME absent" when the token does not list the mechanism:
 *   rsa2048-pkcs1-sign rsa2048-pkcs1-verify   CKM_SHA256_RSA_PKCS, 32-byte message
 *   rsa2048-pss-sign                           CKM_SHA256_RSA_PKCS_PSS, SHA-256/MGF1, 32-byte salt
 *   ecdsa-p256-sign ecdsa-p256-verify          CKM_ECDSA over a 32-byte hash (SoftHSM2 has no CKM_ECDSA_SHA256)
 *   ecdh-p256-derive                           CKM_ECDH1_DERIVE, CKD_NULL, raw peer point, the key destroyed after
 *   aes128-gcm                                 CKM_AES_GCM encrypt, 96-bit IV, 128-bit tag, 64 KiB per C_Encrypt
 * Also for compatibility with older callers: "sign" and "verify" (= the rsa2048-pkcs1 rows). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <p11-kit/pkcs11.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define MUST(call) do { CK_RV rv_ = (call); if (rv_ != CKR_OK) { fprintf(stderr, "%s: 0x%lx\n", #call, rv_); exit(1); } } while (0)

static CK_FUNCTION_LIST_PTR p11;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE s;
static double seconds;

static int listed(CK_MECHANISM_TYPE type) {
    CK_MECHANISM_INFO info;
    return p11->C_GetMechanismInfo(slot, type, &info) == CKR_OK;
}

/* Runs body until `seconds` have passed; operations per second. */
#define RATE(result, body) do { \
    long n_ = 0; double start_ = now(), elapsed_; \
    do { body; n_++; } while ((elapsed_ = now() - start_) < seconds); \
    result = n_ / elapsed_; \
} while (0)

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
/* DER of the OID of P-256, 1.2.840.10045.3.1.7. */
static unsigned char p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

static void ec_pair(CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv) {
    CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
    CK_ATTRIBUTE pt[] = { { CKA_EC_PARAMS, p256, sizeof p256 }, { CKA_VERIFY, &yes, 1 }, { CKA_TOKEN, &no, 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_SIGN, &yes, 1 }, { CKA_DERIVE, &yes, 1 }, { CKA_TOKEN, &no, 1 } };
    MUST(p11->C_GenerateKeyPair(s, &gen, pt, 3, kt, 3, pub, priv));
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 5) { fprintf(stderr, "usage: pkcs11_speed MODULE SECONDS [SLOT PIN]\n"); return 2; }
    seconds = atof(argv[2]);
    slot = argc == 5 ? strtoul(argv[3], NULL, 10) : 0;
    void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!handle) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
    MUST(((CK_C_GetFunctionList)dlsym(handle, "C_GetFunctionList"))(&p11));
    MUST(p11->C_Initialize(NULL));
    MUST(p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s));
    if (argc == 5) MUST(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[4], strlen(argv[4])));
    unsigned char msg[32] = { 1, 2, 3 }, sig[512];
    CK_ULONG len = sizeof sig;
    double rate;

    /* RSA-2048 */
    CK_MECHANISM gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ULONG bits = 2048;
    unsigned char f4[] = { 1, 0, 1 };
    CK_ATTRIBUTE pt[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, f4, 3 }, { CKA_VERIFY, &yes, 1 }, { CKA_TOKEN, &no, 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_SIGN, &yes, 1 }, { CKA_TOKEN, &no, 1 } };
    CK_OBJECT_HANDLE pub, priv;
    MUST(p11->C_GenerateKeyPair(s, &gen, pt, 4, kt, 2, &pub, &priv));
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    RATE(rate, { len = sizeof sig; MUST(p11->C_SignInit(s, &m, priv)); MUST(p11->C_Sign(s, msg, sizeof msg, sig, &len)); });
    printf("rsa2048-pkcs1-sign %.1f\nsign %.1f\n", rate, rate);
    RATE(rate, { MUST(p11->C_VerifyInit(s, &m, pub)); MUST(p11->C_Verify(s, msg, sizeof msg, sig, len)); });
    printf("rsa2048-pkcs1-verify %.1f\nverify %.1f\n", rate, rate);
    if (listed(CKM_SHA256_RSA_PKCS_PSS)) {
        CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
        CK_MECHANISM mp = { CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss };
        RATE(rate, { len = sizeof sig; MUST(p11->C_SignInit(s, &mp, priv)); MUST(p11->C_Sign(s, msg, sizeof msg, sig, &len)); });
        printf("rsa2048-pss-sign %.1f\n", rate);
    } else printf("rsa2048-pss-sign absent\n");

    /* ECDSA and ECDH on P-256 */
    if (listed(CKM_EC_KEY_PAIR_GEN) && listed(CKM_ECDSA)) {
        CK_OBJECT_HANDLE epub, epriv;
        ec_pair(&epub, &epriv);
        CK_MECHANISM me = { CKM_ECDSA, NULL, 0 };
        RATE(rate, { len = sizeof sig; MUST(p11->C_SignInit(s, &me, epriv)); MUST(p11->C_Sign(s, msg, sizeof msg, sig, &len)); });
        printf("ecdsa-p256-sign %.1f\n", rate);
        RATE(rate, { MUST(p11->C_VerifyInit(s, &me, epub)); MUST(p11->C_Verify(s, msg, sizeof msg, sig, len)); });
        printf("ecdsa-p256-verify %.1f\n", rate);
        if (listed(CKM_ECDH1_DERIVE)) {
            CK_OBJECT_HANDLE ppub, ppriv;
            ec_pair(&ppub, &ppriv);
            unsigned char point[80];
            CK_ATTRIBUTE a = { CKA_EC_POINT, point, sizeof point };
            MUST(p11->C_GetAttributeValue(s, ppub, &a, 1));
            /* CKA_EC_POINT is the DER OCTET STRING (04 41 04‖x‖y): hand over the raw point. */
            unsigned char *raw = point + 2;
            CK_ULONG rawlen = a.ulValueLen - 2;
            CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, rawlen, raw };
            CK_MECHANISM md = { CKM_ECDH1_DERIVE, &params, sizeof params };
            CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
            CK_KEY_TYPE kty = CKK_GENERIC_SECRET;
            CK_ULONG zlen = 32;
            CK_ATTRIBUTE zt[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kty, sizeof kty }, { CKA_VALUE_LEN, &zlen, sizeof zlen },
                                  { CKA_TOKEN, &no, 1 }, { CKA_SENSITIVE, &no, 1 }, { CKA_EXTRACTABLE, &yes, 1 } };
            CK_OBJECT_HANDLE z;
            RATE(rate, { MUST(p11->C_DeriveKey(s, &md, epriv, zt, 6, &z)); MUST(p11->C_DestroyObject(s, z)); });
            printf("ecdh-p256-derive %.1f\n", rate);
        } else printf("ecdh-p256-derive absent\n");
    } else printf("ecdsa-p256-sign absent\necdsa-p256-verify absent\necdh-p256-derive absent\n");

    /* AES-128-GCM */
    if (listed(CKM_AES_GCM) && listed(CKM_AES_KEY_GEN)) {
        CK_MECHANISM kg = { CKM_AES_KEY_GEN, NULL, 0 };
        CK_ULONG keylen = 16;
        CK_ATTRIBUTE at[] = { { CKA_VALUE_LEN, &keylen, sizeof keylen }, { CKA_ENCRYPT, &yes, 1 }, { CKA_TOKEN, &no, 1 } };
        CK_OBJECT_HANDLE key;
        MUST(p11->C_GenerateKey(s, &kg, at, 3, &key));
        enum { CHUNK = 65536 };
        static unsigned char in[CHUNK], out[CHUNK + 16];
        unsigned char iv[12] = { 9 };
        CK_GCM_PARAMS gcm = { iv, sizeof iv, 96, NULL, 0, 128 };
        CK_MECHANISM mg = { CKM_AES_GCM, &gcm, sizeof gcm };
        RATE(rate, { CK_ULONG olen = sizeof out; iv[11]++; MUST(p11->C_EncryptInit(s, &mg, key)); MUST(p11->C_Encrypt(s, in, CHUNK, out, &olen)); });
        printf("aes128-gcm %.1f\n", rate * CHUNK / 1e6);
    } else printf("aes128-gcm absent\n");

    MUST(p11->C_CloseSession(s));
    MUST(p11->C_Finalize(NULL));
    return 0;
}
