/* A C client of libCryptoFrameworkPKCS11.so for PKCS11ModuleTests: loads the
 * module with dlopen as any application would and runs one scenario.
 * Usage: module_client MODULE SCENARIO [ARGS...]; exit 0 when every check held,
 * 1 with "FAIL: ..." lines otherwise. */
#include <dlfcn.h>
#include <errno.h>
#include <dirent.h>
#include <gmp.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR p11;
static int failures;

#define CHECK(expr, expected) check_rv(#expr, (expr), (expected), __LINE__)
static void check_rv(const char *what, CK_RV rv, CK_RV expected, int line) {
    if (rv != expected) {
        printf("FAIL line %d: %s returned 0x%lx, expected 0x%lx\n", line, what, rv, expected);
        failures++;
    }
}
#define EXPECT(cond) do { if (!(cond)) { printf("FAIL line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

static void *handle;
static void load(const char *path) {
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) { printf("FAIL: dlopen: %s\n", dlerror()); exit(1); }
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(handle, "C_GetFunctionList");
    if (!get || get(&p11) != CKR_OK) { printf("FAIL: C_GetFunctionList\n"); exit(1); }
}

static CK_SESSION_HANDLE open_session(CK_FLAGS extra) {
    CK_SESSION_HANDLE s = 0;
    CHECK(p11->C_OpenSession(0, CKF_SERIAL_SESSION | extra, NULL, NULL, &s), CKR_OK);
    return s;
}

static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

/* A session RSA key pair (no login needed). */
static void rsa_pair(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv) {
    CK_MECHANISM gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ULONG bits = 2048;
    CK_BYTE e[] = { 1, 0, 1 };
    CK_ATTRIBUTE pt[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, e, sizeof e }, { CKA_VERIFY, &yes, 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_SIGN, &yes, 1 }, { CKA_SENSITIVE, &yes, 1 } };
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 3, kt, 2, pub, priv), CKR_OK);
}

static CK_RV sign_verify(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv, int round) {
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    unsigned char msg[64], sig[512];
    CK_ULONG len = sizeof sig;
    snprintf((char *)msg, sizeof msg, "message %d from thread %lu", round, (unsigned long)pthread_self());
    CK_RV rv = p11->C_SignInit(s, &m, priv);
    if (rv == CKR_OK) rv = p11->C_Sign(s, msg, sizeof msg, sig, &len);
    if (rv == CKR_OK) rv = p11->C_VerifyInit(s, &m, pub);
    if (rv == CKR_OK) rv = p11->C_Verify(s, msg, sizeof msg, sig, len);
    return rv;
}

/* ---- many threads signing at once ---- */
static CK_OBJECT_HANDLE shared_pub, shared_priv;
static int rounds;
static void *signer(void *arg) {
    (void)arg;
    CK_SESSION_HANDLE s;
    if (p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK) return (void *)1;
    for (int i = 0; i < rounds; i++)
        if (sign_verify(s, shared_pub, shared_priv, i) != CKR_OK) return (void *)1;
    return p11->C_CloseSession(s) == CKR_OK ? NULL : (void *)1;
}

static void scenario_threads(int threads, int perThread) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    rsa_pair(s, &shared_pub, &shared_priv);
    rounds = perThread;
    pthread_t t[64];
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, signer, NULL);
    for (int i = 0; i < threads; i++) {
        void *r;
        pthread_join(t[i], &r);
        EXPECT(r == NULL);
    }
    CHECK(p11->C_Finalize(NULL), CKR_OK);
    printf("threads: %d x %d signatures\n", threads, perThread);
}

/* ---- fork, then C_Initialize in the child ---- */
static void scenario_fork(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair(s, &pub, &priv);
    CHECK(sign_verify(s, pub, priv, 0), CKR_OK);
    pid_t child = fork();
    if (child == 0) {
        CK_INFO info;
        int bad = 0;
        if (p11->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED) bad |= 1;
        if (p11->C_Initialize(NULL) != CKR_OK) bad |= 2;
        CK_SESSION_HANDLE cs;
        if (p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &cs) != CKR_OK) bad |= 4;
        CK_OBJECT_HANDLE cpub, cpriv;
        rsa_pair(cs, &cpub, &cpriv);
        if (sign_verify(cs, cpub, cpriv, 1) != CKR_OK) bad |= 8;
        if (p11->C_Finalize(NULL) != CKR_OK) bad |= 16;
        _exit(bad);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) printf("child status 0x%x\n", status);
    CHECK(sign_verify(s, pub, priv, 2), CKR_OK);
    CHECK(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- a policy change between two calls ---- */
static int lists(CK_MECHANISM_TYPE type) {
    CK_ULONG n = 0;
    CHECK(p11->C_GetMechanismList(0, NULL, &n), CKR_OK);
    CK_MECHANISM_TYPE list[256];
    if (n > 256) return -1;
    CHECK(p11->C_GetMechanismList(0, list, &n), CKR_OK);
    for (CK_ULONG i = 0; i < n; i++) if (list[i] == type) return 1;
    return 0;
}

static void scenario_policy(const char *conf, const char *text) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    EXPECT(lists(CKM_SHA256) == 1);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.new", conf);
    FILE *f = fopen(tmp, "w");
    fputs(text, f);
    fclose(f);
    rename(tmp, conf);
    EXPECT(lists(CKM_SHA256) == 0);
    CK_SESSION_HANDLE s = open_session(0);
    CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
    CHECK(p11->C_DigestInit(s, &m), CKR_MECHANISM_INVALID);
    unlink(conf);
    EXPECT(lists(CKM_SHA256) == 1);
    /* A malformed file keeps the policy in force, and the module says nothing on stderr. */
    f = fopen(tmp, "w");
    fputs("this is not kcf.conf\n", f);
    fclose(f);
    rename(tmp, conf);
    usleep(250000);  /* past the registry's periodic file check */
    EXPECT(lists(CKM_SHA256) == 1);
    unsigned char out[32];
    CK_ULONG len = sizeof out;
    CHECK(p11->C_DigestInit(s, &m), CKR_OK);
    CHECK(p11->C_Digest(s, (unsigned char *)"abc", 3, out, &len), CKR_OK);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- strongSwan's DH: read-only session, no login, CKA_VALUE of the result ---- */
static void scenario_dh(const char *primeHex) {
    unsigned char p[1024], g[] = { 2 };
    size_t plen = strlen(primeHex) / 2;
    for (size_t i = 0; i < plen; i++) sscanf(primeHex + 2 * i, "%2hhx", &p[i]);
    CK_C_INITIALIZE_ARGS args = { 0 };
    args.flags = 0;
    CHECK(p11->C_Initialize(&args), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    CK_MECHANISM gen = { CKM_DH_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ULONG bits = plen * 8;
    CK_ATTRIBUTE pt[] = { { CKA_DERIVE, &yes, 1 }, { CKA_PRIME, p, plen }, { CKA_BASE, g, 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_DERIVE, &yes, 1 }, { CKA_VALUE_BITS, &bits, sizeof bits } };
    CK_OBJECT_HANDLE pubA, privA, pubB, privB;
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 3, kt, 2, &pubA, &privA), CKR_OK);
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 3, kt, 2, &pubB, &privB), CKR_OK);
    unsigned char ya[1024], yb[1024], za[1024], zb[1024];
    CK_ATTRIBUTE va = { CKA_VALUE, ya, sizeof ya }, vb = { CKA_VALUE, yb, sizeof yb };
    CHECK(p11->C_GetAttributeValue(s, pubA, &va, 1), CKR_OK);
    CHECK(p11->C_GetAttributeValue(s, pubB, &vb, 1), CKR_OK);
    EXPECT(va.ulValueLen == plen && vb.ulValueLen == plen);
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_ATTRIBUTE dt[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &type, sizeof type } };
    CK_MECHANISM da = { CKM_DH_PKCS_DERIVE, yb, vb.ulValueLen }, db = { CKM_DH_PKCS_DERIVE, ya, va.ulValueLen };
    CK_OBJECT_HANDLE ka, kb;
    CHECK(p11->C_DeriveKey(s, &da, privA, dt, 2, &ka), CKR_OK);
    CHECK(p11->C_DeriveKey(s, &db, privB, dt, 2, &kb), CKR_OK);
    CK_ATTRIBUTE sa = { CKA_VALUE, za, sizeof za }, sb = { CKA_VALUE, zb, sizeof zb };
    CHECK(p11->C_GetAttributeValue(s, ka, &sa, 1), CKR_OK);
    CHECK(p11->C_GetAttributeValue(s, kb, &sb, 1), CKR_OK);
    EXPECT(sa.ulValueLen == plen && sb.ulValueLen == plen && memcmp(za, zb, plen) == 0);
    /* The private value is not readable through a sensitive key, and the derive
     * with a peer value of 1 is refused. */
    unsigned char one[] = { 1 };
    CK_MECHANISM bad = { CKM_DH_PKCS_DERIVE, one, 1 };
    CK_OBJECT_HANDLE kc;
    EXPECT(p11->C_DeriveKey(s, &bad, privA, dt, 2, &kc) != CKR_OK);
    CK_SESSION_INFO info;
    CHECK(p11->C_GetSessionInfo(s, &info), CKR_OK);
    EXPECT(info.state == CKS_RO_PUBLIC_SESSION);
    CK_SLOT_ID slot;
    /* strongSwan waits blocking (flags 0) and stops asking on CKR_FUNCTION_NOT_SUPPORTED. */
    CHECK(p11->C_WaitForSlotEvent(0, &slot, NULL), CKR_FUNCTION_NOT_SUPPORTED);
    CHECK(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
    CHECK(p11->C_CloseSession(s), CKR_OK);
    CHECK(p11->C_GetAttributeValue(s, ka, &sa, 1), CKR_SESSION_HANDLE_INVALID);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- strongSwan's RSA: a public key as a bare session object in a read-only
 * session, and a signature whose leading zero bytes were stripped ---- */
static void scenario_strongswan(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair(s, &pub, &priv);
    unsigned char n[512], e[8];
    CK_ATTRIBUTE get[] = { { CKA_MODULUS, n, sizeof n }, { CKA_PUBLIC_EXPONENT, e, sizeof e } };
    CHECK(p11->C_GetAttributeValue(s, pub, get, 2), CKR_OK);
    CK_OBJECT_CLASS klass = CKO_PUBLIC_KEY;
    CK_KEY_TYPE type = CKK_RSA;
    CK_ATTRIBUTE bare[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &type, sizeof type },
                            { CKA_MODULUS, n, get[0].ulValueLen }, { CKA_PUBLIC_EXPONENT, e, get[1].ulValueLen } };
    CK_SESSION_HANDLE ro = open_session(0);
    CK_OBJECT_HANDLE peer;
    CHECK(p11->C_CreateObject(ro, bare, 4, &peer), CKR_OK);
    /* s = 2 sent as one byte is beyond the 8 leading zero bytes the module tolerates
     * (docs/rsa-input-rules.md): a length error, though 2^e mod n is its value. */
    mpz_t m, base, modulus, exponent;
    mpz_inits(m, base, modulus, exponent, NULL);
    mpz_import(modulus, get[0].ulValueLen, 1, 1, 1, 0, n);
    mpz_import(exponent, get[1].ulValueLen, 1, 1, 1, 0, e);
    mpz_set_ui(base, 2);
    mpz_powm(m, base, exponent, modulus);
    unsigned char data[512] = { 0 }, two[] = { 2 };
    size_t count = 0, k = get[0].ulValueLen;
    unsigned char tmp[512];
    mpz_export(tmp, &count, 1, 1, 1, 0, m);
    memcpy(data + k - count, tmp, count);
    CK_MECHANISM raw = { CKM_RSA_X_509, NULL, 0 };
    CHECK(p11->C_VerifyInit(ro, &raw, peer), CKR_OK);
    CHECK(p11->C_Verify(ro, data, k, two, 1), CKR_SIGNATURE_LEN_RANGE);
    /* The same value as k − 8 bytes (eight zeros stripped, as chunk_skip_zero may) verifies. */
    unsigned char twoLong[512] = { 0 };
    twoLong[k - 9] = 2;
    CHECK(p11->C_VerifyInit(ro, &raw, peer), CKR_OK);
    CHECK(p11->C_Verify(ro, data, k, twoLong, k - 8), CKR_OK);
    data[k - 1] ^= 1;
    CHECK(p11->C_VerifyInit(ro, &raw, peer), CKR_OK);
    CHECK(p11->C_Verify(ro, data, k, twoLong, k - 8), CKR_SIGNATURE_INVALID);
    mpz_clears(m, base, modulus, exponent, NULL);
    /* The session object goes with its session. */
    CHECK(p11->C_CloseSession(ro), CKR_OK);
    CK_ATTRIBUTE label = { CKA_LABEL, NULL, 0 };
    CHECK(p11->C_GetAttributeValue(s, peer, &label, 1), CKR_OBJECT_HANDLE_INVALID);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- bad input through the C ABI ---- */
static CK_RV dummy_mutex(void **m) { (void)m; return CKR_OK; }
static CK_RV dummy_lock(void *m) { (void)m; return CKR_OK; }

static void scenario_bad(void) {
    CK_INFO info;
    CHECK(p11->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    CHECK(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    CK_C_INITIALIZE_ARGS args = { 0 };
    args.pReserved = &args;
    CHECK(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
    CK_C_INITIALIZE_ARGS some = { 0 };
    some.CreateMutex = dummy_mutex;
    CHECK(p11->C_Initialize(&some), CKR_ARGUMENTS_BAD);
    /* strongSwan: callbacks with flags 0 → CKR_CANT_LOCK, then CKF_OS_LOCKING_OK works. */
    CK_C_INITIALIZE_ARGS cbs = { dummy_mutex, (CK_DESTROYMUTEX)dummy_lock, (CK_LOCKMUTEX)dummy_lock, (CK_UNLOCKMUTEX)dummy_lock, 0, NULL };
    CHECK(p11->C_Initialize(&cbs), CKR_CANT_LOCK);
    cbs.flags = CKF_OS_LOCKING_OK;
    CHECK(p11->C_Initialize(&cbs), CKR_OK);
    CHECK(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    CHECK(p11->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_Finalize(&args), CKR_ARGUMENTS_BAD);

    /* slots and the two-call protocol */
    CK_ULONG n = 0;
    CHECK(p11->C_GetSlotList(CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    EXPECT(n == 1);
    CK_SLOT_ID slots[1];
    n = 0;
    CHECK(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_BUFFER_TOO_SMALL);
    EXPECT(n == 1);
    CK_SLOT_INFO si;
    CHECK(p11->C_GetSlotInfo(7, &si), CKR_SLOT_ID_INVALID);
    CK_MECHANISM_TYPE mechs[2];
    n = 2;
    CHECK(p11->C_GetMechanismList(0, mechs, &n), CKR_BUFFER_TOO_SMALL);
    EXPECT(n > 2);
    CK_MECHANISM_INFO mi;
    CHECK(p11->C_GetMechanismInfo(0, 0x12345678, &mi), CKR_MECHANISM_INVALID);
    CHECK(p11->C_GetMechanismInfo(0, CKM_DES_CBC, &mi), CKR_MECHANISM_INVALID);  /* single DES: left out on purpose */
    CHECK(p11->C_GetMechanismInfo(0, CKM_RC4, &mi), CKR_MECHANISM_INVALID);
    CHECK(p11->C_GetMechanismInfo(0, CKM_SHA256_HMAC, &mi), CKR_OK);  /* HMAC key sizes in bytes */
    EXPECT((mi.flags & CKF_SIGN) && (mi.flags & CKF_VERIFY) && mi.ulMinKeySize == 1 && mi.ulMaxKeySize == 1024);
    CHECK(p11->C_GetMechanismInfo(0, CKM_SHA256_RSA_PKCS, &mi), CKR_OK);
    EXPECT((mi.flags & CKF_SIGN) && mi.ulMinKeySize <= 2048 && mi.ulMaxKeySize >= 2048);
    CK_TOKEN_INFO ti;
    CHECK(p11->C_GetTokenInfo(3, &ti), CKR_SLOT_ID_INVALID);
    CHECK(p11->C_GetTokenInfo(0, NULL), CKR_ARGUMENTS_BAD);

    /* sessions */
    CK_SESSION_HANDLE s;
    CHECK(p11->C_OpenSession(0, 0, NULL, NULL, &s), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    CHECK(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
    s = open_session(0);
    CHECK(p11->C_CloseSession(s + 1000), CKR_SESSION_HANDLE_INVALID);
    unsigned char data[32] = { 0 }, out[512];
    CK_ULONG outLen = sizeof out;
    CHECK(p11->C_SignUpdate(s, data, 5), CKR_OPERATION_NOT_INITIALIZED);
    CHECK(p11->C_Sign(s, data, 5, out, &outLen), CKR_OPERATION_NOT_INITIALIZED);
    CHECK(p11->C_DigestFinal(s, out, &outLen), CKR_OPERATION_NOT_INITIALIZED);
    CHECK(p11->C_FindObjects(s, NULL, 0, &n), CKR_OPERATION_NOT_INITIALIZED);
    CHECK(p11->C_EncryptUpdate(s, data, 16, out, &outLen), CKR_OPERATION_NOT_INITIALIZED);

    /* digests: NULL output gives the length, a short buffer keeps the operation */
    CK_MECHANISM sha = { CKM_SHA256, NULL, 0 };
    CHECK(p11->C_DigestInit(NULL_PTR == NULL ? s : s, NULL), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_DigestInit(s, &sha), CKR_OK);
    CHECK(p11->C_DigestInit(s, &sha), CKR_OPERATION_ACTIVE);
    outLen = 0;
    CHECK(p11->C_Digest(s, data, sizeof data, NULL, &outLen), CKR_OK);
    EXPECT(outLen == 32);
    outLen = 4;
    CHECK(p11->C_Digest(s, data, sizeof data, out, &outLen), CKR_BUFFER_TOO_SMALL);
    EXPECT(outLen == 32);
    CHECK(p11->C_Digest(s, data, sizeof data, out, &outLen), CKR_OK);
    CHECK(p11->C_Digest(s, data, sizeof data, out, &outLen), CKR_OPERATION_NOT_INITIALIZED);
    CHECK(p11->C_DigestInit(s, &sha), CKR_OK);
    CHECK(p11->C_DigestUpdate(s, NULL, 5), CKR_ARGUMENTS_BAD);

    /* objects: wrong handles, unknown, duplicate and inconsistent template attributes */
    CK_OBJECT_HANDLE pub, priv, obj;
    rsa_pair(s, &pub, &priv);
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CHECK(p11->C_SignInit(s, &m, priv + 1000), CKR_KEY_HANDLE_INVALID);
    CHECK(p11->C_SignInit(s, &m, pub), CKR_KEY_TYPE_INCONSISTENT);
    CK_MECHANISM unknown = { 0x7777, NULL, 0 };
    CHECK(p11->C_SignInit(s, &unknown, priv), CKR_MECHANISM_INVALID);
    CK_MECHANISM pss = { CKM_RSA_PKCS_PSS, NULL, 0 };
    CHECK(p11->C_SignInit(s, &pss, priv), CKR_MECHANISM_PARAM_INVALID);
    CHECK(p11->C_SignInit(s, &m, priv), CKR_OK);
    outLen = 1;
    CHECK(p11->C_Sign(s, data, sizeof data, out, &outLen), CKR_BUFFER_TOO_SMALL);
    EXPECT(outLen == 256);
    CHECK(p11->C_Sign(s, data, sizeof data, NULL, &outLen), CKR_OK);
    CHECK(p11->C_Sign(s, data, sizeof data, out, &outLen), CKR_OK);
    CHECK(p11->C_VerifyInit(s, &m, pub), CKR_OK);
    out[10] ^= 1;
    CHECK(p11->C_Verify(s, data, sizeof data, out, outLen), CKR_SIGNATURE_INVALID);
    CHECK(p11->C_VerifyInit(s, &m, pub), CKR_OK);
    CHECK(p11->C_Verify(s, data, sizeof data, out, outLen + 1), CKR_SIGNATURE_LEN_RANGE);

    CK_ULONG vendor = 0xcf534301UL, modulusBits = 0, klassValue = 0;
    unsigned char modulus[512];
    CK_ATTRIBUTE get[] = {
        { CKA_MODULUS_BITS, &modulusBits, sizeof modulusBits },
        { vendor, out, sizeof out },
        { CKA_CLASS, &klassValue, sizeof klassValue },
        { CKA_MODULUS, modulus, 4 },
    };
    CHECK(p11->C_GetAttributeValue(s, pub, get, 4), CKR_ATTRIBUTE_TYPE_INVALID);
    EXPECT(modulusBits == 2048 && klassValue == CKO_PUBLIC_KEY);
    EXPECT(get[1].ulValueLen == CK_UNAVAILABLE_INFORMATION && get[3].ulValueLen == CK_UNAVAILABLE_INFORMATION);
    CK_ATTRIBUTE secret = { CKA_PRIVATE_EXPONENT, NULL, 0 };
    CHECK(p11->C_GetAttributeValue(s, priv, &secret, 1), CKR_ATTRIBUTE_SENSITIVE);
    CHECK(p11->C_GetAttributeValue(s, priv + 1000, &secret, 1), CKR_OBJECT_HANDLE_INVALID);
    CHECK(p11->C_GetAttributeValue(s, priv, NULL, 1), CKR_ARGUMENTS_BAD);

    CK_OBJECT_CLASS dataClass = CKO_DATA, keyClass = CKO_SECRET_KEY;
    CK_KEY_TYPE aes = CKK_AES;
    unsigned char label[] = "x", key16[16] = { 1 }, key5[5] = { 1 };
    CK_ATTRIBUTE dup[] = { { CKA_CLASS, &dataClass, sizeof dataClass }, { CKA_LABEL, label, 1 }, { CKA_LABEL, label, 1 } };
    CHECK(p11->C_CreateObject(s, dup, 3, &obj), CKR_TEMPLATE_INCONSISTENT);
    CK_ATTRIBUTE unk[] = { { CKA_CLASS, &dataClass, sizeof dataClass }, { 0x7fff0001UL, label, 1 } };
    CHECK(p11->C_CreateObject(s, unk, 2, &obj), CKR_ATTRIBUTE_TYPE_INVALID);
    CK_ATTRIBUTE noclass[] = { { CKA_LABEL, label, 1 } };
    CHECK(p11->C_CreateObject(s, noclass, 1, &obj), CKR_TEMPLATE_INCOMPLETE);
    CK_ATTRIBUTE badbool[] = { { CKA_CLASS, &dataClass, sizeof dataClass }, { CKA_TOKEN, label, 2 } };
    CHECK(p11->C_CreateObject(s, badbool, 2, &obj), CKR_ATTRIBUTE_VALUE_INVALID);
    CK_ATTRIBUTE shortaes[] = { { CKA_CLASS, &keyClass, sizeof keyClass }, { CKA_KEY_TYPE, &aes, sizeof aes }, { CKA_VALUE, key5, 5 } };
    CHECK(p11->C_CreateObject(s, shortaes, 3, &obj), CKR_ATTRIBUTE_VALUE_INVALID);
    CK_ATTRIBUTE nullvalue[] = { { CKA_CLASS, &dataClass, sizeof dataClass }, { CKA_LABEL, NULL, 4 } };
    CHECK(p11->C_CreateObject(s, nullvalue, 2, &obj), CKR_ARGUMENTS_BAD);
    CK_ATTRIBUTE token[] = { { CKA_CLASS, &dataClass, sizeof dataClass }, { CKA_TOKEN, &yes, 1 } };
    CHECK(p11->C_CreateObject(s, token, 2, &obj), CKR_SESSION_READ_ONLY);
    CK_ATTRIBUTE mismatch[] = { { CKA_CLASS, &dataClass, sizeof dataClass } };
    CK_MECHANISM rsagen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_OBJECT_HANDLE a, b;
    CK_ULONG bits = 1024;
    CK_ATTRIBUTE pt[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, mismatch[0] };
    CHECK(p11->C_GenerateKeyPair(s, &rsagen, pt, 2, NULL, 0, &a, &b), CKR_TEMPLATE_INCONSISTENT);
    CHECK(p11->C_GenerateKeyPair(s, &rsagen, pt, 1, NULL, 3, &a, &b), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_GenerateKeyPair(s, &rsagen, NULL, 0, NULL, 0, &a, &b), CKR_TEMPLATE_INCOMPLETE);

    /* AES-CBC-PAD round trip through the multi-part calls, with a short buffer on the way */
    CK_ATTRIBUTE aeskey[] = { { CKA_CLASS, &keyClass, sizeof keyClass }, { CKA_KEY_TYPE, &aes, sizeof aes },
                              { CKA_VALUE, key16, 16 }, { CKA_ENCRYPT, &yes, 1 }, { CKA_DECRYPT, &yes, 1 } };
    CK_OBJECT_HANDLE k;
    CHECK(p11->C_CreateObject(s, aeskey, 5, &k), CKR_OK);
    unsigned char iv[16] = { 9 }, plain[37], ct[64], back[64];
    for (int i = 0; i < 37; i++) plain[i] = (unsigned char)i;
    CK_MECHANISM cbcpad = { CKM_AES_CBC_PAD, iv, 16 }, shortiv = { CKM_AES_CBC_PAD, iv, 8 };
    CHECK(p11->C_EncryptInit(s, &shortiv, k), CKR_MECHANISM_PARAM_INVALID);
    CHECK(p11->C_EncryptInit(s, &cbcpad, k), CKR_OK);
    CK_ULONG l1 = 0, l2, l3, total;
    CHECK(p11->C_EncryptUpdate(s, plain, 20, ct, &l1), CKR_BUFFER_TOO_SMALL);
    EXPECT(l1 == 16);
    CHECK(p11->C_EncryptUpdate(s, plain, 20, ct, &l1), CKR_OK);
    l2 = sizeof ct - l1;
    CHECK(p11->C_EncryptUpdate(s, plain + 20, 17, ct + l1, &l2), CKR_OK);
    l3 = sizeof ct - l1 - l2;
    CHECK(p11->C_EncryptFinal(s, ct + l1 + l2, &l3), CKR_OK);
    total = l1 + l2 + l3;
    EXPECT(total == 48);
    CHECK(p11->C_DecryptInit(s, &cbcpad, k), CKR_OK);
    CK_ULONG bl = sizeof back;
    CHECK(p11->C_Decrypt(s, ct, total, back, &bl), CKR_OK);
    EXPECT(bl == 37 && memcmp(back, plain, 37) == 0);
    CHECK(p11->C_DecryptInit(s, &cbcpad, k), CKR_OK);
    bl = sizeof back;
    CHECK(p11->C_Decrypt(s, ct, 47, back, &bl), CKR_ENCRYPTED_DATA_LEN_RANGE);
    CK_MECHANISM cbc = { CKM_AES_CBC, iv, 16 };
    CHECK(p11->C_EncryptInit(s, &cbc, k), CKR_OK);
    bl = sizeof back;
    CHECK(p11->C_Encrypt(s, plain, 37, back, &bl), CKR_DATA_LEN_RANGE);
    CHECK(p11->C_EncryptInit(s, &cbc, pub), CKR_KEY_TYPE_INCONSISTENT);

    /* unsupported entry points; C_CopyObject with a NULL output */
    CHECK(p11->C_CopyObject(s, k, NULL, 0, NULL), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_SignRecoverInit(s, &m, priv), CKR_FUNCTION_NOT_SUPPORTED);
    CHECK(p11->C_DestroyObject(s, k), CKR_OK);
    CHECK(p11->C_DestroyObject(s, k), CKR_OBJECT_HANDLE_INVALID);
    CHECK(p11->C_CloseSession(s), CKR_OK);
    CHECK(p11->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- keystore: PINs and a corrupted file ---- */
static int count_objects(CK_SESSION_HANDLE s) {
    CK_OBJECT_HANDLE h[64];
    CK_ULONG n = 0;
    CHECK(p11->C_FindObjectsInit(s, NULL, 0), CKR_OK);
    CHECK(p11->C_FindObjects(s, h, 64, &n), CKR_OK);
    CHECK(p11->C_FindObjectsFinal(s), CKR_OK);
    return (int)n;
}

static void scenario_keystore(const char *stage, const char *pin) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    if (strcmp(stage, "populate") == 0) {
        CHECK(p11->C_Login(s, CKU_USER, (unsigned char *)pin, strlen(pin)), CKR_OK);
        CHECK(p11->C_Login(s, CKU_USER, (unsigned char *)pin, strlen(pin)), CKR_USER_ALREADY_LOGGED_IN);
        CK_OBJECT_CLASS dataClass = CKO_DATA;
        for (int i = 0; i < 3; i++) {
            char label[16];
            snprintf(label, sizeof label, "data%d", i);
            CK_ATTRIBUTE t[] = { { CKA_CLASS, &dataClass, sizeof dataClass }, { CKA_TOKEN, &yes, 1 },
                                 { CKA_PRIVATE, i == 0 ? &no : &yes, 1 }, { CKA_LABEL, label, strlen(label) } };
            CK_OBJECT_HANDLE h;
            CHECK(p11->C_CreateObject(s, t, 4, &h), CKR_OK);
        }
        EXPECT(count_objects(s) >= 3);
    } else if (strcmp(stage, "wrongpin") == 0) {
        int before = count_objects(s);
        CHECK(p11->C_Login(s, CKU_USER, (unsigned char *)"0000", 4), CKR_PIN_INCORRECT);
        CHECK(p11->C_Login(s, CKU_USER, NULL, 4), CKR_ARGUMENTS_BAD);
        EXPECT(count_objects(s) == before);
        CHECK(p11->C_SetPIN(s, (unsigned char *)"0000", 4, (unsigned char *)"5678", 4), CKR_PIN_INCORRECT);
        CHECK(p11->C_Login(s, CKU_USER, (unsigned char *)pin, strlen(pin)), CKR_OK);
        printf("objects before login %d, after %d\n", before, count_objects(s));
    } else if (strcmp(stage, "count") == 0) {
        CHECK(p11->C_Login(s, CKU_USER, (unsigned char *)pin, strlen(pin)), CKR_OK);
        printf("objects %d\n", count_objects(s));
    }
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

static int thread_count(void) {
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n - 2;  /* "." and ".." */
}

/* ---- a good guest: signal handlers, locale and GMP's allocator untouched,
 * no thread left behind by C_Finalize ---- */
static void scenario_guest(void) {
    struct sigaction before[65], after;
    int known[65];
    for (int i = 1; i < 65; i++) known[i] = sigaction(i, NULL, &before[i]) == 0;  /* glibc keeps 32, 33 to itself */
    char *locale = strdup(setlocale(LC_ALL, NULL));
    void *(*alloc1)(size_t), *(*realloc1)(void *, size_t, size_t), *(*alloc2)(size_t), *(*realloc2)(void *, size_t, size_t);
    void (*free1)(void *, size_t), (*free2)(void *, size_t);
    mp_get_memory_functions(&alloc1, &realloc1, &free1);
    int threadsBefore = thread_count();
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    EXPECT(thread_count() == threadsBefore);  /* no thread before the first job */
    CK_SESSION_HANDLE s = open_session(0);
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair(s, &pub, &priv);  /* RSA key generation: ncp/0's MAUs (hardware first) */
    CHECK(sign_verify(s, pub, priv, 0), CKR_OK);
    CK_MECHANISM raw = { CKM_RSA_PKCS, NULL, 0 };
    unsigned char digestInfo[35] = { 0x30, 0x21 }, sig[512];
    CK_ULONG len = sizeof sig;
    CHECK(p11->C_SignInit(s, &raw, priv), CKR_OK);
    CHECK(p11->C_Sign(s, digestInfo, sizeof digestInfo, sig, &len), CKR_OK);
    int threadsDuring = thread_count();
    CHECK(p11->C_Finalize(NULL), CKR_OK);
    EXPECT(thread_count() == threadsBefore);
    printf("threads: %d before, %d while serving, %d after C_Finalize\n", threadsBefore, threadsDuring, thread_count());
    for (int i = 1; i < 65; i++) {
        if (!known[i] || sigaction(i, NULL, &after) != 0) continue;
        if (after.sa_handler != before[i].sa_handler) { printf("FAIL: signal %d handler changed\n", i); failures++; }
    }
    EXPECT(strcmp(locale, setlocale(LC_ALL, NULL)) == 0);
    mp_get_memory_functions(&alloc2, &realloc2, &free2);
    EXPECT(alloc1 == alloc2 && realloc1 == realloc2 && free1 == free2);
    free(locale);
}

/* ---- caller lengths at the top of CK_ULONG's range (review, issue 10) ---- */
static void scenario_hugelen(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    CK_BYTE label[4] = "abcd";
    CK_OBJECT_CLASS dataClass = CKO_DATA;
    CK_ULONG lengths[] = { CK_UNAVAILABLE_INFORMATION, (CK_ULONG)1 << 63, ((CK_ULONG)1 << 63) + 5, (CK_ULONG)1 << 40 };
    for (int i = 0; i < 4; i++) {
        CK_ATTRIBUTE t[] = { { CKA_CLASS, &dataClass, sizeof dataClass }, { CKA_LABEL, label, lengths[i] } };
        CK_OBJECT_HANDLE h;
        CHECK(p11->C_FindObjectsInit(s, t, 2), CKR_ATTRIBUTE_VALUE_INVALID);
        CHECK(p11->C_CreateObject(s, t, 2, &h), CKR_ATTRIBUTE_VALUE_INVALID);
        CK_ATTRIBUTE good[] = { { CKA_CLASS, &dataClass, sizeof dataClass }, { CKA_LABEL, label, 4 } };
        CHECK(p11->C_CreateObject(s, good, 2, &h), CKR_OK);
        CHECK(p11->C_SetAttributeValue(s, h, &t[1], 1), CKR_ATTRIBUTE_VALUE_INVALID);
        CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 };
        CK_ATTRIBUTE kt[] = { { CKA_VALUE_LEN, &dataClass, lengths[i] } };
        CHECK(p11->C_GenerateKey(s, &gen, kt, 1, &h), CKR_ATTRIBUTE_VALUE_INVALID);
        CK_MECHANISM pgen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
        CK_OBJECT_HANDLE pub, priv;
        CHECK(p11->C_GenerateKeyPair(s, &pgen, kt, 1, NULL, 0, &pub, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
        CK_MECHANISM derive = { CKM_DH_PKCS_DERIVE, label, lengths[i] };
        CK_RV rv = p11->C_DeriveKey(s, &derive, 1, kt, 1, &h);
        EXPECT(rv == CKR_ARGUMENTS_BAD || rv == CKR_MECHANISM_PARAM_INVALID || rv == CKR_ATTRIBUTE_VALUE_INVALID || rv == CKR_KEY_HANDLE_INVALID);
        CK_MECHANISM sha = { CKM_SHA256, NULL, 0 };
        unsigned char out[64];
        CK_ULONG outLen = sizeof out;
        CK_RV init = p11->C_DigestInit(s, &sha);
        EXPECT(init == CKR_OK || init == CKR_OPERATION_ACTIVE);
        CHECK(p11->C_Digest(s, label, lengths[i], out, &outLen), CKR_ARGUMENTS_BAD);
        CK_RV login = p11->C_Login(s, CKU_USER, label, lengths[i]);
        EXPECT(login == CKR_PIN_LEN_RANGE || login == CKR_PIN_INCORRECT);
        CHECK(p11->C_GenerateRandom(s, out, lengths[i]), CKR_ARGUMENTS_BAD);
        CK_OBJECT_HANDLE found[2];
        CK_ULONG n = 0;
        CHECK(p11->C_FindObjectsInit(s, NULL, 0), CKR_OK);
        CHECK(p11->C_FindObjects(s, found, lengths[i] > 2 ? 2 : lengths[i], &n), CKR_OK);
        CHECK(p11->C_FindObjectsFinal(s), CKR_OK);
    }
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- C_Logout destroys private session objects (review, issue 10) ---- */
static void scenario_logout(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_UTF8CHAR label[32];
    memset(label, ' ', sizeof label);
    CHECK(p11->C_InitToken(0, (CK_UTF8CHAR *)"87654321", 8, label), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    CHECK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR *)"87654321", 8), CKR_OK);
    CHECK(p11->C_InitPIN(s, (CK_UTF8CHAR *)"1234", 4), CKR_OK);
    CHECK(p11->C_Logout(s), CKR_OK);
    CHECK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"1234", 4), CKR_OK);
    CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 };
    CK_ULONG len = 16;
    CK_ATTRIBUTE priv[] = { { CKA_VALUE_LEN, &len, sizeof len }, { CKA_PRIVATE, &yes, 1 }, { CKA_ENCRYPT, &yes, 1 } };
    CK_ATTRIBUTE pub[] = { { CKA_VALUE_LEN, &len, sizeof len }, { CKA_PRIVATE, &no, 1 }, { CKA_ENCRYPT, &yes, 1 } };
    CK_OBJECT_HANDLE hidden, shown;
    CHECK(p11->C_GenerateKey(s, &gen, priv, 3, &hidden), CKR_OK);
    CHECK(p11->C_GenerateKey(s, &gen, pub, 3, &shown), CKR_OK);
    unsigned char iv[16] = { 0 };
    CK_MECHANISM cbc = { CKM_AES_CBC, iv, 16 };
    CHECK(p11->C_EncryptInit(s, &cbc, hidden), CKR_OK);
    CHECK(p11->C_Logout(s), CKR_OK);
    unsigned char block[16] = { 0 }, out[16];
    CK_ULONG outLen = sizeof out;
    /* the operation that used the private key ended with the login */
    CHECK(p11->C_Encrypt(s, block, 16, out, &outLen), CKR_OPERATION_NOT_INITIALIZED);
    CHECK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"1234", 4), CKR_OK);
    CK_ATTRIBUTE read = { CKA_VALUE_LEN, &len, sizeof len };
    CHECK(p11->C_GetAttributeValue(s, hidden, &read, 1), CKR_OBJECT_HANDLE_INVALID);
    CHECK(p11->C_EncryptInit(s, &cbc, hidden), CKR_KEY_HANDLE_INVALID);
    CHECK(p11->C_GetAttributeValue(s, shown, &read, 1), CKR_OK);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- fork while another thread is inside the module (review, issue 10) ---- */
static volatile int busy_stop;
static void *busy_caller(void *arg) {
    CK_SESSION_HANDLE s = *(CK_SESSION_HANDLE *)arg;
    CK_SESSION_INFO info;
    while (!busy_stop) (void)p11->C_GetSessionInfo(s, &info);
    return NULL;
}

static void scenario_forkbusy(int forks) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    pthread_t t;
    pthread_create(&t, NULL, busy_caller, &s);
    int hung = 0;
    for (int i = 0; i < forks && !hung; i++) {
        pid_t child = fork();
        if (child == 0) {
            int bad = 0;
            if (p11->C_Initialize(NULL) != CKR_OK) bad |= 1;
            if (p11->C_Finalize(NULL) != CKR_OK) bad |= 2;
            _exit(bad);
        }
        /* a generous bound (60 s) polled every 10 ms: a deadlocked child never exits */
        int status = 0, waited = 0;
        while (waitpid(child, &status, WNOHANG) == 0) {
            if (++waited > 6000) { hung = 1; kill(child, SIGKILL); waitpid(child, &status, 0); break; }
            usleep(10000);
        }
        if (hung) printf("FAIL: child %d of %d hung in C_Initialize/C_Finalize\n", i, forks), failures++;
        else EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    busy_stop = 1;
    pthread_join(t, NULL);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
    printf("forks: %d\n", forks);
}

/* ---- key generation values: an empty RSA exponent, DH private lengths (review, issue 10) ---- */
static void scenario_keyvalues(const char *primeHex) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    CK_MECHANISM gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ULONG bits = 2048;
    CK_BYTE e[] = { 1, 0, 1 }, zero[] = { 0, 0 };
    CK_OBJECT_HANDLE pub, priv;
    CK_ATTRIBUTE empty[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, e, 0 } };
    CHECK(p11->C_GenerateKeyPair(s, &gen, empty, 2, NULL, 0, &pub, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
    CK_ATTRIBUTE zeros[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, zero, sizeof zero } };
    CHECK(p11->C_GenerateKeyPair(s, &gen, zeros, 2, NULL, 0, &pub, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
    /* absent: F4 */
    CHECK(p11->C_GenerateKeyPair(s, &gen, empty, 1, NULL, 0, &pub, &priv), CKR_OK);
    CK_BYTE got[8];
    CK_ATTRIBUTE read = { CKA_PUBLIC_EXPONENT, got, sizeof got };
    CHECK(p11->C_GetAttributeValue(s, pub, &read, 1), CKR_OK);
    EXPECT(read.ulValueLen == 3 && memcmp(got, e, 3) == 0);

    unsigned char prime[512];
    size_t plen = strlen(primeHex) / 2;
    for (size_t i = 0; i < plen; i++) sscanf(primeHex + 2 * i, "%2hhx", &prime[i]);
    CK_BYTE base[] = { 2 };
    CK_MECHANISM dh = { CKM_DH_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ATTRIBUTE dpub[] = { { CKA_PRIME, prime, plen }, { CKA_BASE, base, 1 } };
    CK_ULONG lengths[] = { 0, 1, (CK_ULONG)plen * 8 + 1, (CK_ULONG)1 << 40, CK_UNAVAILABLE_INFORMATION - 1 };
    for (int i = 0; i < 5; i++) {
        CK_ATTRIBUTE dpriv[] = { { CKA_VALUE_BITS, &lengths[i], sizeof lengths[i] } };
        CHECK(p11->C_GenerateKeyPair(s, &dh, dpub, 2, dpriv, 1, &pub, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
    }
    CK_ULONG full = plen * 8;
    CK_ATTRIBUTE dfull[] = { { CKA_VALUE_BITS, &full, sizeof full } };
    CHECK(p11->C_GenerateKeyPair(s, &dh, dpub, 2, dfull, 1, &pub, &priv), CKR_OK);

    /* DES3 keys keep odd parity (the value built buffer to buffer) */
    CK_MECHANISM des = { CKM_DES3_KEY_GEN, NULL, 0 };
    CK_ATTRIBUTE dt[] = { { CKA_EXTRACTABLE, &yes, 1 } };
    CK_OBJECT_HANDLE k;
    CHECK(p11->C_GenerateKey(s, &des, dt, 1, &k), CKR_OK);
    CK_BYTE key[24];
    CK_ATTRIBUTE kv = { CKA_VALUE, key, sizeof key };
    CHECK(p11->C_GetAttributeValue(s, k, &kv, 1), CKR_OK);
    EXPECT(kv.ulValueLen == 24);
    for (int i = 0; i < 24; i++) EXPECT(__builtin_popcount(key[i]) % 2 == 1);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

#include "ec_scenario.c"
#include "asym_scenario.c"
#include "symmetric_scenario.c"

/* CKM_MD5_RSA_PKCS, composed by the module from CKM_MD5 and CKM_RSA_PKCS:
 * listed for sign and verify; one call, parts and an independent signature of
 * the DigestInfo (RFC 8017 §9.2 note 1) over RFC 1321's MD5("abc") agree;
 * the C_Verify length rule and errors are CKM_RSA_PKCS's. */
static void conformance_md5_rsa(CK_SESSION_HANDLE s) {
    CK_MECHANISM_INFO mi;
    CHECK(p11->C_GetMechanismInfo(0, CKM_MD5_RSA_PKCS, &mi), CKR_OK);
    EXPECT((mi.flags & (CKF_SIGN | CKF_VERIFY)) == (CKF_SIGN | CKF_VERIFY) && !(mi.flags & CKF_ENCRYPT));
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair_bits(s, 1024, &pub, &priv);
    CK_MECHANISM md5rsa = { CKM_MD5_RSA_PKCS, NULL, 0 }, raw = { CKM_RSA_PKCS, NULL, 0 };
    CK_BYTE sig[128], parts[128], expected[128];
    CK_ULONG slen = 0, plen = sizeof parts, elen = sizeof expected;
    CHECK(p11->C_SignInit(s, &md5rsa, priv), CKR_OK);
    CHECK(p11->C_Sign(s, (CK_BYTE *)"abc", 3, NULL, &slen), CKR_OK);
    EXPECT(slen == 128);
    CHECK(p11->C_Sign(s, (CK_BYTE *)"abc", 3, sig, &slen), CKR_OK);
    CHECK(p11->C_SignInit(s, &md5rsa, priv), CKR_OK);
    CHECK(p11->C_SignUpdate(s, (CK_BYTE *)"a", 1), CKR_OK);
    CHECK(p11->C_SignUpdate(s, (CK_BYTE *)"bc", 2), CKR_OK);
    CHECK(p11->C_SignFinal(s, parts, &plen), CKR_OK);
    static const CK_BYTE info[] = { 0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05,
                                    0x05, 0x00, 0x04, 0x10, 0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0, 0xd6, 0x96,
                                    0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72 };
    CHECK(p11->C_SignInit(s, &raw, priv), CKR_OK);
    CHECK(p11->C_Sign(s, (CK_BYTE *)info, sizeof info, expected, &elen), CKR_OK);
    EXPECT(slen == 128 && plen == 128 && elen == 128);
    EXPECT(memcmp(sig, expected, 128) == 0 && memcmp(parts, expected, 128) == 0);
    CHECK(verify_once(s, &md5rsa, pub, (CK_BYTE *)"abc", 3, sig, 128), CKR_OK);
    CHECK(p11->C_VerifyInit(s, &md5rsa, pub), CKR_OK);
    CHECK(p11->C_VerifyUpdate(s, (CK_BYTE *)"ab", 2), CKR_OK);
    CHECK(p11->C_VerifyUpdate(s, (CK_BYTE *)"c", 1), CKR_OK);
    CHECK(p11->C_VerifyFinal(s, sig, 128), CKR_OK);
    CHECK(verify_once(s, &md5rsa, pub, (CK_BYTE *)"abd", 3, sig, 128), CKR_SIGNATURE_INVALID);
    CHECK(verify_once(s, &md5rsa, pub, (CK_BYTE *)"abc", 3, sig, 4), CKR_SIGNATURE_LEN_RANGE);
    CHECK(verify_once(s, &md5rsa, pub, (CK_BYTE *)"abc", 3, sig, 0), CKR_SIGNATURE_LEN_RANGE);
    CK_BYTE param[8] = { 0 };
    CK_MECHANISM withParam = { CKM_MD5_RSA_PKCS, param, sizeof param };
    CHECK(p11->C_SignInit(s, &withParam, priv), CKR_MECHANISM_PARAM_INVALID);
    /* an EC or secret key is the wrong type */
    CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
    CK_KEY_TYPE gt = CKK_GENERIC_SECRET;
    CK_ATTRIBUTE st[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &gt, sizeof gt }, { CKA_VALUE, param, 8 },
                          { CKA_SIGN, &yes, 1 } };
    CK_OBJECT_HANDLE secret;
    CHECK(p11->C_CreateObject(s, st, 4, &secret), CKR_OK);
    CHECK(p11->C_SignInit(s, &md5rsa, secret), CKR_KEY_TYPE_INCONSISTENT);
}

/* A sensitive key is unextractable unless its template says otherwise, so an
 * RSA key pair whose private half decrypts cannot take it out in the clear
 * (pkcs11test's TookanAttackA2); a non-sensitive key stays extractable. */
static void conformance_sensitive_unextractable(CK_SESSION_HANDLE s) {
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair_bits(s, 1024, &pub, &priv);
    CK_MECHANISM gen = { CKM_AES_KEY_GEN, NULL, 0 }, wrap = { CKM_RSA_PKCS, NULL, 0 };
    CK_ULONG len = 16;
    CK_ATTRIBUTE sens[] = { { CKA_VALUE_LEN, &len, sizeof len }, { CKA_SENSITIVE, &yes, 1 } };
    CK_ATTRIBUTE plain[] = { { CKA_VALUE_LEN, &len, sizeof len } };
    CK_ATTRIBUTE chosen[] = { { CKA_VALUE_LEN, &len, sizeof len }, { CKA_SENSITIVE, &yes, 1 }, { CKA_EXTRACTABLE, &yes, 1 } };
    CK_OBJECT_HANDLE k1, k2, k3;
    CHECK(p11->C_GenerateKey(s, &gen, sens, 2, &k1), CKR_OK);
    CHECK(p11->C_GenerateKey(s, &gen, plain, 1, &k2), CKR_OK);
    CHECK(p11->C_GenerateKey(s, &gen, chosen, 3, &k3), CKR_OK);
    CK_BBOOL extractable = CK_TRUE, never = CK_FALSE;
    CK_ATTRIBUTE get[] = { { CKA_EXTRACTABLE, &extractable, 1 }, { CKA_NEVER_EXTRACTABLE, &never, 1 } };
    CHECK(p11->C_GetAttributeValue(s, k1, get, 2), CKR_OK);
    EXPECT(extractable == CK_FALSE && never == CK_TRUE);
    CHECK(p11->C_GetAttributeValue(s, k2, get, 2), CKR_OK);
    EXPECT(extractable == CK_TRUE && never == CK_FALSE);
    CK_BYTE wrapped[128];
    CK_ULONG wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &wrap, pub, k1, wrapped, &wlen), CKR_KEY_UNEXTRACTABLE);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &wrap, pub, k3, wrapped, &wlen), CKR_OK);
    EXPECT(wlen == 128);
}

/* Token key material is always CKA_PRIVATE (it is sealed under the PIN's
 * master key): a token private key asked to be public is a template whose
 * attributes conflict, CKR_TEMPLATE_INCONSISTENT, and its public half is not
 * left behind (pkcs11test's AsymmetricTokenKeyPair takes that or CKR_OK). */
static void conformance_token_key_private(CK_SESSION_HANDLE s) {
    CK_MECHANISM gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ULONG bits = 1024;
    CK_BYTE e[] = { 1, 0, 1 };
    CK_BYTE label[] = "conformance-token-pair";
    CK_ATTRIBUTE pt[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, e, 3 },
                          { CKA_TOKEN, &no, 1 }, { CKA_LABEL, label, sizeof label - 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &no, 1 }, { CKA_DECRYPT, &yes, 1 },
                          { CKA_LABEL, label, sizeof label - 1 } };
    CK_OBJECT_HANDLE pub = 0, priv = 0, found[4];
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 4, kt, 4, &pub, &priv), CKR_TEMPLATE_INCONSISTENT);
    CK_ATTRIBUTE byLabel[] = { { CKA_LABEL, label, sizeof label - 1 } };
    CK_ULONG count = 99;
    CHECK(p11->C_FindObjectsInit(s, byLabel, 1), CKR_OK);
    CHECK(p11->C_FindObjects(s, found, 4, &count), CKR_OK);
    CHECK(p11->C_FindObjectsFinal(s), CKR_OK);
    EXPECT(count == 0);
    /* the same with the private half private is kept */
    kt[1].pValue = &yes;
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 4, kt, 4, &pub, &priv), CKR_OK);
    CHECK(p11->C_DestroyObject(s, priv), CKR_OK);
}

/* A call that ends its operation on any error ends it too when its input
 * pointer is refused (NULL with a length: CKR_ARGUMENTS_BAD), as pkcs11test's
 * Encrypt/DecryptErrors expect (v2.40 §5.8–5.12): a new Init then succeeds. */
static void conformance_refused_input_ends(CK_SESSION_HANDLE s) {
    CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
    CK_KEY_TYPE aesType = CKK_AES, gt = CKK_GENERIC_SECRET;
    CK_BYTE value[16] = { 1 }, out[64];
    CK_ATTRIBUTE at[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &aesType, sizeof aesType }, { CKA_VALUE, value, 16 } };
    CK_ATTRIBUTE ht[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &gt, sizeof gt }, { CKA_VALUE, value, 16 } };
    CK_OBJECT_HANDLE aes, mk;
    CHECK(p11->C_CreateObject(s, at, 3, &aes), CKR_OK);
    CHECK(p11->C_CreateObject(s, ht, 3, &mk), CKR_OK);
    CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 }, sha = { CKM_SHA256, NULL, 0 }, hmac = { CKM_SHA256_HMAC, NULL, 0 };
    CK_ULONG n = sizeof out;
    CHECK(p11->C_EncryptInit(s, &ecb, aes), CKR_OK);
    CHECK(p11->C_Encrypt(s, NULL, 16, out, &n), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_EncryptInit(s, &ecb, aes), CKR_OK);
    n = sizeof out;
    CHECK(p11->C_EncryptUpdate(s, NULL, 16, out, &n), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_DecryptInit(s, &ecb, aes), CKR_OK);
    n = sizeof out;
    CHECK(p11->C_Decrypt(s, NULL, 16, out, &n), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_DecryptInit(s, &ecb, aes), CKR_OK);
    n = sizeof out;
    CHECK(p11->C_DecryptUpdate(s, NULL, 16, out, &n), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_DigestInit(s, &sha), CKR_OK);
    CHECK(p11->C_DigestUpdate(s, NULL, 5), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_DigestInit(s, &sha), CKR_OK);
    n = sizeof out;
    CHECK(p11->C_Digest(s, NULL, 5, out, &n), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_SignInit(s, &hmac, mk), CKR_OK);
    CHECK(p11->C_SignUpdate(s, NULL, 5), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_SignInit(s, &hmac, mk), CKR_OK);
    n = sizeof out;
    CHECK(p11->C_Sign(s, NULL, 5, out, &n), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_VerifyInit(s, &hmac, mk), CKR_OK);
    CHECK(p11->C_VerifyFinal(s, NULL, 32), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_VerifyInit(s, &hmac, mk), CKR_OK);
    CHECK(p11->C_VerifyUpdate(s, NULL, 5), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_VerifyInit(s, &hmac, mk), CKR_OK);
    CHECK(p11->C_Verify(s, (CK_BYTE *)"abc", 3, NULL, 32), CKR_ARGUMENTS_BAD);
    CHECK(p11->C_VerifyInit(s, &hmac, mk), CKR_OK);
    CHECK(p11->C_VerifyFinal(s, out, 32), CKR_SIGNATURE_INVALID);
    /* a length query still leaves the operation as it was */
    CHECK(p11->C_SignInit(s, &hmac, mk), CKR_OK);
    n = 0;
    CHECK(p11->C_Sign(s, NULL, 0, NULL, &n), CKR_OK);
    CHECK(p11->C_Sign(s, NULL, 0, out, &n), CKR_OK);
    EXPECT(n == 32);
}

/* A data object's CKA_VALUE may be changed, by C_SetAttributeValue and by
 * C_CopyObject's template (pkcs11test's CreateCopyDestroyObject), while it
 * is CKA_MODIFIABLE; a key's CKA_VALUE may not. */
static void conformance_data_value(CK_SESSION_HANDLE s) {
    CK_OBJECT_CLASS data = CKO_DATA, sk = CKO_SECRET_KEY;
    CK_KEY_TYPE gt = CKK_GENERIC_SECRET;
    CK_BYTE got[16];
    CK_ATTRIBUTE dt[] = { { CKA_CLASS, &data, sizeof data }, { CKA_VALUE, "abc", 3 } };
    CK_OBJECT_HANDLE obj, copy, fixed, key;
    CHECK(p11->C_CreateObject(s, dt, 2, &obj), CKR_OK);
    CK_ATTRIBUTE nv = { CKA_VALUE, "defg", 4 };
    CHECK(p11->C_SetAttributeValue(s, obj, &nv, 1), CKR_OK);
    CK_ATTRIBUTE rv = { CKA_VALUE, got, sizeof got };
    CHECK(p11->C_GetAttributeValue(s, obj, &rv, 1), CKR_OK);
    EXPECT(rv.ulValueLen == 4 && memcmp(got, "defg", 4) == 0);
    CK_BYTE facefeed[] = { 0xFA, 0xCE, 0xFE, 0xED };
    CK_ATTRIBUTE cv = { CKA_VALUE, facefeed, 4 };
    CHECK(p11->C_CopyObject(s, obj, &cv, 1, &copy), CKR_OK);
    rv.ulValueLen = sizeof got;
    CHECK(p11->C_GetAttributeValue(s, copy, &rv, 1), CKR_OK);
    EXPECT(rv.ulValueLen == 4 && memcmp(got, facefeed, 4) == 0);
    rv.ulValueLen = sizeof got;
    CHECK(p11->C_GetAttributeValue(s, obj, &rv, 1), CKR_OK);
    EXPECT(rv.ulValueLen == 4 && memcmp(got, "defg", 4) == 0);
    CK_ATTRIBUTE ft[] = { { CKA_CLASS, &data, sizeof data }, { CKA_VALUE, "abc", 3 }, { CKA_MODIFIABLE, &no, 1 } };
    CHECK(p11->C_CreateObject(s, ft, 3, &fixed), CKR_OK);
    CHECK(p11->C_SetAttributeValue(s, fixed, &nv, 1), CKR_ATTRIBUTE_READ_ONLY);
    CK_ATTRIBUTE kt[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &gt, sizeof gt }, { CKA_VALUE, "0123456789abcdef", 16 } };
    CHECK(p11->C_CreateObject(s, kt, 3, &key), CKR_OK);
    CHECK(p11->C_SetAttributeValue(s, key, &nv, 1), CKR_ATTRIBUTE_READ_ONLY);
    CHECK(p11->C_CopyObject(s, key, &nv, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
}

/* ---- answers google/pkcs11test expected (docs/conformance.md): an
 * uninitialized module says so before it reads a mechanism; C_WaitForSlotEvent
 * without blocking has no event; a wrong user PIN sets CKF_USER_PIN_COUNT_LOW
 * until the next successful user login; CKM_MD5_RSA_PKCS; sensitive keys
 * unextractable by default; a public token private key refused as inconsistent;
 * a refused input pointer ends its operation; a data object's value may change ---- */
static void scenario_conformance(void) {
    CK_MECHANISM garbage = { CKM_AES_CBC, (void *)1, 7 };
    CK_SLOT_ID slot = 99;
    CHECK(p11->C_EncryptInit(1, &garbage, 1), CKR_CRYPTOKI_NOT_INITIALIZED);
    CHECK(p11->C_SignInit(1, NULL, 1), CKR_CRYPTOKI_NOT_INITIALIZED);
    CHECK(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CHECK(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
    CHECK(p11->C_WaitForSlotEvent(0, &slot, NULL), CKR_FUNCTION_NOT_SUPPORTED);
    CHECK(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD);
    CK_UTF8CHAR label[32];
    memset(label, ' ', sizeof label);
    CHECK(p11->C_InitToken(0, (CK_UTF8CHAR *)"87654321", 8, label), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    CHECK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR *)"87654321", 8), CKR_OK);
    CHECK(p11->C_InitPIN(s, (CK_UTF8CHAR *)"1234", 4), CKR_OK);
    CHECK(p11->C_Logout(s), CKR_OK);
    CK_TOKEN_INFO info;
    CHECK(p11->C_GetTokenInfo(0, &info), CKR_OK);
    EXPECT(!(info.flags & CKF_USER_PIN_COUNT_LOW));
    CHECK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"4321", 4), CKR_PIN_INCORRECT);
    CHECK(p11->C_GetTokenInfo(0, &info), CKR_OK);
    EXPECT(info.flags & CKF_USER_PIN_COUNT_LOW);
    CHECK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR *)"87654321", 8), CKR_OK);
    CHECK(p11->C_Logout(s), CKR_OK);
    CHECK(p11->C_GetTokenInfo(0, &info), CKR_OK);
    EXPECT(info.flags & CKF_USER_PIN_COUNT_LOW);
    CHECK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"1234", 4), CKR_OK);
    CHECK(p11->C_GetTokenInfo(0, &info), CKR_OK);
    EXPECT(!(info.flags & CKF_USER_PIN_COUNT_LOW));
    conformance_md5_rsa(s);
    conformance_sensitive_unextractable(s);
    conformance_token_key_private(s);
    conformance_refused_input_ends(s);
    conformance_data_value(s);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- dlclose after C_Finalize, as pkcs11-provider does at exit: the process
 * goes on (the module's kstat trailing write is a timer on a libdispatch queue,
 * due 0.1 s after the last change), then loads the module again ---- */
static void scenario_unload(const char *path) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    unsigned char bytes[16];
    for (int i = 0; i < 3; i++) CHECK(p11->C_GenerateRandom(s, bytes, sizeof bytes), CKR_OK);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
    EXPECT(dlclose(handle) == 0);
    usleep(400000);
    load(path);
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    s = open_session(0);
    CHECK(p11->C_GenerateRandom(s, bytes, sizeof bytes), CKR_OK);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
    usleep(400000);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: module_client MODULE SCENARIO [ARGS]\n"); return 2; }
    load(argv[1]);
    const char *scenario = argv[2];
    if (strcmp(scenario, "threads") == 0) scenario_threads(atoi(argv[3]), atoi(argv[4]));
    else if (strcmp(scenario, "fork") == 0) scenario_fork();
    else if (strcmp(scenario, "policy") == 0) scenario_policy(argv[3], argv[4]);
    else if (strcmp(scenario, "dh") == 0) scenario_dh(argv[3]);
    else if (strcmp(scenario, "strongswan") == 0) scenario_strongswan();
    else if (strcmp(scenario, "bad") == 0) scenario_bad();
    else if (strcmp(scenario, "keystore") == 0) scenario_keystore(argv[3], argv[4]);
    else if (strcmp(scenario, "guest") == 0) scenario_guest();
    else if (strcmp(scenario, "hugelen") == 0) scenario_hugelen();
    else if (strcmp(scenario, "keyvalues") == 0) scenario_keyvalues(argv[3]);
    else if (strcmp(scenario, "logout") == 0) scenario_logout();
    else if (strcmp(scenario, "forkbusy") == 0) scenario_forkbusy(atoi(argv[3]));
    else if (strcmp(scenario, "ec") == 0) scenario_ec();
    else if (strcmp(scenario, "verifylen") == 0) scenario_verifylen();
    else if (strcmp(scenario, "rsaenc") == 0) scenario_rsaenc();
    else if (strcmp(scenario, "objects") == 0) scenario_objects();
    else if (strcmp(scenario, "wrap") == 0) scenario_wrap();
    else if (strcmp(scenario, "ectoken") == 0) scenario_ec_token(argv[3]);
    else if (strcmp(scenario, "unload") == 0) scenario_unload(argv[1]);
    else if (strcmp(scenario, "conformance") == 0) scenario_conformance();
    else if (strcmp(scenario, "symmetric") == 0) scenario_symmetric(argv[3]);
    else { fprintf(stderr, "unknown scenario %s\n", scenario); return 2; }
    if (failures == 0) printf("OK\n");
    return failures == 0 ? 0 : 1;
}
