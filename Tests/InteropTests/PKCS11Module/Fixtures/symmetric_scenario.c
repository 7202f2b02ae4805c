/* Symmetric mechanisms through the module's C ABI (included by module_client.c):
 * AES-ECB/CTR/GCM with their parameters, multi-part with uneven parts and the
 * two-call protocol, counter wrap, a GCM tag mismatch releasing nothing, HMAC
 * and HMAC_GENERAL sign/verify, MD5, and streams longer than the 64 MiB the
 * module used to gather. Vectors: SP 800-38A F.1.1 and F.5.1, Wycheproof
 * aes_gcm tcId 1, RFC 4231 case 1, RFC 1321. */

#ifndef CKM_AES_CTR
#define CKM_AES_CTR 0x1086UL
#endif
#ifndef CKM_AES_GCM
#define CKM_AES_GCM 0x1087UL
#endif

static void unhex(const char *hex, CK_BYTE *out) {
    for (size_t i = 0; hex[2 * i]; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static int same_hex(const CK_BYTE *bytes, CK_ULONG n, const char *hex) {
    char buf[2 * 512 + 1];
    if (n > 512) return 0;
    for (CK_ULONG i = 0; i < n; i++) sprintf(buf + 2 * i, "%02x", bytes[i]);
    buf[2 * n] = 0;
    return strcmp(buf, hex) == 0;
}

static CK_OBJECT_HANDLE sym_secret_key(CK_SESSION_HANDLE s, CK_KEY_TYPE type, const CK_BYTE *value, CK_ULONG len) {
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &type, sizeof type },
                         { CKA_VALUE, (void *)value, len }, { CKA_ENCRYPT, &yes, 1 }, { CKA_DECRYPT, &yes, 1 },
                         { CKA_SIGN, &yes, 1 }, { CKA_VERIFY, &yes, 1 } };
    CK_OBJECT_HANDLE k = 0;
    CHECK(p11->C_CreateObject(s, t, 7, &k), CKR_OK);
    return k;
}

static const char *sp800_38a_key = "2b7e151628aed2a6abf7158809cf4f3c";
static const char *sp800_38a_plain = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                                     "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

/* Multi-part encryption of `in` cut at `cuts`, each Update's length asked first. */
static CK_ULONG encrypt_parts(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE k, const CK_BYTE *in, CK_ULONG n,
                              const CK_ULONG *cuts, int ncuts, CK_BYTE *out) {
    CK_ULONG done = 0, at = 0;
    CHECK(p11->C_EncryptInit(s, m, k), CKR_OK);
    for (int i = 0; i <= ncuts; i++) {
        CK_ULONG end = i < ncuts ? cuts[i] : n, len = 0;
        CHECK(p11->C_EncryptUpdate(s, (CK_BYTE *)in + at, end - at, NULL, &len), CKR_OK);
        CK_ULONG asked = len;
        if (asked > 0) {
            CK_ULONG small = asked - 1;
            CHECK(p11->C_EncryptUpdate(s, (CK_BYTE *)in + at, end - at, out + done, &small), CKR_BUFFER_TOO_SMALL);
        }
        CHECK(p11->C_EncryptUpdate(s, (CK_BYTE *)in + at, end - at, out + done, &len), CKR_OK);
        EXPECT(len == asked);
        done += len;
        at = end;
    }
    CK_ULONG len = 64;
    CHECK(p11->C_EncryptFinal(s, out + done, &len), CKR_OK);
    return done + len;
}

/* GCM: Wycheproof aes_gcm tcId 1, one call and parts, and a tag mismatch releasing nothing. */
static void symmetric_gcm(CK_SESSION_HANDLE s) {
    CK_BYTE out[128], back[128];
    CK_ULONG n;
    CK_BYTE gkey[16], iv[12], msg[16];
    unhex("5b9604fe14eadba931b0ccf34843dab9", gkey);
    unhex("028318abc1824029138141a2", iv);
    unhex("001d0c231287c1182784554ca3a21908", msg);
    CK_OBJECT_HANDLE gk = sym_secret_key(s, CKK_AES, gkey, 16);
    CK_GCM_PARAMS gcm = { iv, 12, 96, NULL, 0, 128 };
    CK_MECHANISM mgcm = { CKM_AES_GCM, &gcm, sizeof gcm };
    const char *sealed = "26073cc1d851beff176384dc9896d5ff0a3ea7a5487cb5f7d70fb6c58d038554";
    CHECK(p11->C_EncryptInit(s, &mgcm, gk), CKR_OK);
    n = 0;
    CHECK(p11->C_Encrypt(s, msg, 16, NULL, &n), CKR_OK);
    EXPECT(n == 32);
    CHECK(p11->C_Encrypt(s, msg, 16, out, &n), CKR_OK);
    EXPECT(n == 32 && same_hex(out, 32, sealed));
    CK_ULONG cuts3[] = { 7 };
    n = encrypt_parts(s, &mgcm, gk, msg, 16, cuts3, 1, back);
    EXPECT(n == 32 && same_hex(back, 32, sealed));
    CHECK(p11->C_DecryptInit(s, &mgcm, gk), CKR_OK);
    n = sizeof back;
    CHECK(p11->C_Decrypt(s, out, 32, back, &n), CKR_OK);
    EXPECT(n == 16 && memcmp(back, msg, 16) == 0);
    /* multi-part decryption releases nothing before the tag is checked */
    CHECK(p11->C_DecryptInit(s, &mgcm, gk), CKR_OK);
    n = sizeof back;
    CHECK(p11->C_DecryptUpdate(s, out, 20, back, &n), CKR_OK);
    EXPECT(n == 0);
    n = sizeof back;
    CHECK(p11->C_DecryptUpdate(s, out + 20, 12, back, &n), CKR_OK);
    EXPECT(n == 0);
    n = sizeof back;
    CHECK(p11->C_DecryptFinal(s, back, &n), CKR_OK);
    EXPECT(n == 16 && memcmp(back, msg, 16) == 0);
    /* a flipped tag bit: CKR_ENCRYPTED_DATA_INVALID and not one byte written */
    out[31] ^= 1;
    memset(back, 0xAA, sizeof back);
    CHECK(p11->C_DecryptInit(s, &mgcm, gk), CKR_OK);
    n = sizeof back;
    CHECK(p11->C_Decrypt(s, out, 32, back, &n), CKR_ENCRYPTED_DATA_INVALID);
    for (int i = 0; i < 16; i++) EXPECT(back[i] == 0xAA);
    CK_GCM_PARAMS badtag = { iv, 12, 96, NULL, 0, 100 };
    CK_MECHANISM mbad = { CKM_AES_GCM, &badtag, sizeof badtag };
    CHECK(p11->C_EncryptInit(s, &mbad, gk), CKR_MECHANISM_PARAM_INVALID);

}

static void symmetric_ciphers(CK_SESSION_HANDLE s) {
    CK_BYTE key[16], plain[64], out[128], back[128];
    unhex(sp800_38a_key, key);
    unhex(sp800_38a_plain, plain);
    CK_OBJECT_HANDLE aes = sym_secret_key(s, CKK_AES, key, 16);

    /* ECB: SP 800-38A F.1.1, parts that split blocks */
    CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
    CK_ULONG cuts1[] = { 5, 35 };
    CK_ULONG n = encrypt_parts(s, &ecb, aes, plain, 64, cuts1, 2, out);
    EXPECT(n == 64 && same_hex(out, 64, "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
                                        "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"));
    CHECK(p11->C_EncryptInit(s, &ecb, aes), CKR_OK);
    n = sizeof out;
    CHECK(p11->C_Encrypt(s, plain, 20, out, &n), CKR_DATA_LEN_RANGE);

    /* CTR: SP 800-38A F.5.1 with a 128-bit counter, uneven parts */
    CK_AES_CTR_PARAMS ctr = { 128, { 0 } };
    unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", ctr.cb);
    CK_MECHANISM mctr = { CKM_AES_CTR, &ctr, sizeof ctr };
    CK_ULONG cuts2[] = { 1, 17, 18, 50 };
    n = encrypt_parts(s, &mctr, aes, plain, 64, cuts2, 4, out);
    EXPECT(n == 64 && same_hex(out, 64, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
                                        "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"));
    CHECK(p11->C_DecryptInit(s, &mctr, aes), CKR_OK);
    n = sizeof back;
    CHECK(p11->C_Decrypt(s, out, 64, back, &n), CKR_OK);
    EXPECT(n == 64 && memcmp(back, plain, 64) == 0);

    /* CTR wrap: 8 counter bits at 0xff leave one block */
    CK_AES_CTR_PARAMS edge = { 8, { 0 } };
    edge.cb[15] = 0xff;
    CK_MECHANISM medge = { CKM_AES_CTR, &edge, sizeof edge };
    CHECK(p11->C_EncryptInit(s, &medge, aes), CKR_OK);
    n = sizeof out;
    CHECK(p11->C_Encrypt(s, plain, 16, out, &n), CKR_OK);
    CHECK(p11->C_EncryptInit(s, &medge, aes), CKR_OK);
    n = sizeof out;
    CHECK(p11->C_Encrypt(s, plain, 17, out, &n), CKR_DATA_LEN_RANGE);
    CK_AES_CTR_PARAMS zero = { 0, { 0 } };
    CK_MECHANISM mzero = { CKM_AES_CTR, &zero, sizeof zero };
    CHECK(p11->C_EncryptInit(s, &mzero, aes), CKR_MECHANISM_PARAM_INVALID);

    /* GCM where some provider offers it (host; not t2000 or t5220, docs/t2.md) */
    CK_MECHANISM_INFO gcmInfo;
    if (p11->C_GetMechanismInfo(0, CKM_AES_GCM, &gcmInfo) == CKR_OK) symmetric_gcm(s);
    else printf("no AES-GCM on this platform: GCM skipped\n");

    /* A stream longer than the 64 MiB the module once gathered: CTR in 1 MiB
     * parts, each answered at once, decrypted back in 3 MiB parts. */
    enum { MiB = 1 << 20, PARTS = 65 };
    CK_BYTE *big = calloc(MiB, 1), *sealedBig = malloc(MiB), *first = malloc(3 * MiB), *opened = malloc(3 * MiB);
    CK_AES_CTR_PARAMS ctr0 = { 64, { 0 } };
    CK_MECHANISM mctr0 = { CKM_AES_CTR, &ctr0, sizeof ctr0 };
    CHECK(p11->C_EncryptInit(s, &mctr0, aes), CKR_OK);
    for (int i = 0; i < PARTS; i++) {
        CK_ULONG len = MiB;
        CHECK(p11->C_EncryptUpdate(s, big, MiB, sealedBig, &len), CKR_OK);
        EXPECT(len == MiB);
        if (i < 3) memcpy(first + i * MiB, sealedBig, MiB);
    }
    n = 16;
    CHECK(p11->C_EncryptFinal(s, out, &n), CKR_OK);
    EXPECT(n == 0);
    CHECK(p11->C_DecryptInit(s, &mctr0, aes), CKR_OK);
    n = 3 * MiB;
    CHECK(p11->C_DecryptUpdate(s, first, 3 * MiB, opened, &n), CKR_OK);
    EXPECT(n == 3 * MiB);
    for (int i = 0; i < 3 * MiB; i++) if (opened[i] != 0) { EXPECT(opened[i] == 0); break; }
    n = 16;
    CHECK(p11->C_DecryptFinal(s, out, &n), CKR_OK);
    free(big);
    free(first);
    free(sealedBig);
    free(opened);
}

/* Hash-and-sign fed in parts: the module hashes as the parts come and signs
 * the digest, so a 65 MiB message signs; the single-part form over the same
 * bytes verifies it (and the other way round). */
static void hashed_signatures_in_parts(CK_SESSION_HANDLE s) {
    enum { MiB = 1 << 20, PARTS = 65 };
    CK_BYTE *part = malloc(MiB), *whole = malloc(3 * MiB), sig[512];
    for (int i = 0; i < MiB; i++) part[i] = (CK_BYTE)(i * 7);
    for (int i = 0; i < 3; i++) memcpy(whole + i * MiB, part, MiB);
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair(s, &pub, &priv);
    CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
    CK_MECHANISM mechs[] = { { CKM_SHA256_RSA_PKCS, NULL, 0 }, { CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss } };
    for (int m = 0; m < 2; m++) {
        /* three parts, verified in one */
        CK_ULONG n = sizeof sig;
        CHECK(p11->C_SignInit(s, &mechs[m], priv), CKR_OK);
        for (int i = 0; i < 3; i++) CHECK(p11->C_SignUpdate(s, part, MiB), CKR_OK);
        CHECK(p11->C_SignFinal(s, sig, &n), CKR_OK);
        EXPECT(n == 256);
        CHECK(p11->C_VerifyInit(s, &mechs[m], pub), CKR_OK);
        CHECK(p11->C_Verify(s, whole, 3 * MiB, sig, n), CKR_OK);
        /* one part, verified in three; then a changed part fails */
        n = sizeof sig;
        CHECK(p11->C_SignInit(s, &mechs[m], priv), CKR_OK);
        CHECK(p11->C_Sign(s, whole, 3 * MiB, sig, &n), CKR_OK);
        CHECK(p11->C_VerifyInit(s, &mechs[m], pub), CKR_OK);
        for (int i = 0; i < 3; i++) CHECK(p11->C_VerifyUpdate(s, part, MiB), CKR_OK);
        CHECK(p11->C_VerifyFinal(s, sig, n), CKR_OK);
        CHECK(p11->C_VerifyInit(s, &mechs[m], pub), CKR_OK);
        for (int i = 0; i < 3; i++) CHECK(p11->C_VerifyUpdate(s, i == 1 ? whole + 1 : part, MiB), CKR_OK);
        CHECK(p11->C_VerifyFinal(s, sig, n), CKR_SIGNATURE_INVALID);
    }
    /* 65 MiB: more than the module ever gathered */
    CK_ULONG n = sizeof sig;
    CHECK(p11->C_SignInit(s, &mechs[0], priv), CKR_OK);
    for (int i = 0; i < PARTS; i++) CHECK(p11->C_SignUpdate(s, part, MiB), CKR_OK);
    CHECK(p11->C_SignFinal(s, sig, &n), CKR_OK);
    CHECK(p11->C_VerifyInit(s, &mechs[0], pub), CKR_OK);
    for (int i = 0; i < PARTS; i++) CHECK(p11->C_VerifyUpdate(s, part, MiB), CKR_OK);
    CHECK(p11->C_VerifyFinal(s, sig, n), CKR_OK);
    free(part);
    free(whole);
}

static void scenario_symmetric(const char *sha256Of65MiBZeros) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    CK_MECHANISM_INFO info;
    if (p11->C_GetMechanismInfo(0, CKM_AES_CTR, &info) == CKR_OK) {
        EXPECT(info.ulMinKeySize == 16 && info.ulMaxKeySize == 32);
        symmetric_ciphers(s);
    } else {
        printf("no AES-CTR on this platform: ciphers skipped\n");
    }

    /* HMAC: RFC 4231 case 1, single- and multi-part, and _GENERAL cut to 16 bytes */
    CK_BYTE hkey[20], mac[64];
    memset(hkey, 0x0b, sizeof hkey);
    CK_OBJECT_HANDLE hk = sym_secret_key(s, CKK_GENERIC_SECRET, hkey, 20);
    const char *rfc4231 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
    CK_MECHANISM hmac = { CKM_SHA256_HMAC, NULL, 0 };
    CK_ULONG n = 0;
    CHECK(p11->C_SignInit(s, &hmac, hk), CKR_OK);
    CHECK(p11->C_Sign(s, (CK_BYTE *)"Hi There", 8, NULL, &n), CKR_OK);
    EXPECT(n == 32);
    CHECK(p11->C_Sign(s, (CK_BYTE *)"Hi There", 8, mac, &n), CKR_OK);
    EXPECT(n == 32 && same_hex(mac, 32, rfc4231));
    CHECK(p11->C_SignInit(s, &hmac, hk), CKR_OK);
    CHECK(p11->C_SignUpdate(s, (CK_BYTE *)"Hi", 2), CKR_OK);
    CHECK(p11->C_SignUpdate(s, (CK_BYTE *)"", 0), CKR_OK);
    CHECK(p11->C_SignUpdate(s, (CK_BYTE *)" There", 6), CKR_OK);
    n = sizeof mac;
    CHECK(p11->C_SignFinal(s, mac, &n), CKR_OK);
    EXPECT(n == 32 && same_hex(mac, 32, rfc4231));
    CHECK(p11->C_VerifyInit(s, &hmac, hk), CKR_OK);
    CHECK(p11->C_Verify(s, (CK_BYTE *)"Hi There", 8, mac, 32), CKR_OK);
    CHECK(p11->C_VerifyInit(s, &hmac, hk), CKR_OK);
    CHECK(p11->C_Verify(s, (CK_BYTE *)"Hi There", 8, mac, 31), CKR_SIGNATURE_LEN_RANGE);
    mac[5] ^= 1;
    CHECK(p11->C_VerifyInit(s, &hmac, hk), CKR_OK);
    CHECK(p11->C_Verify(s, (CK_BYTE *)"Hi There", 8, mac, 32), CKR_SIGNATURE_INVALID);
    CK_ULONG cut = 16;
    CK_MECHANISM general = { CKM_SHA256_HMAC_GENERAL, &cut, sizeof cut };
    CHECK(p11->C_SignInit(s, &general, hk), CKR_OK);
    n = sizeof mac;
    CHECK(p11->C_Sign(s, (CK_BYTE *)"Hi There", 8, mac, &n), CKR_OK);
    EXPECT(n == 16 && same_hex(mac, 16, "b0344c61d8db38535ca8afceaf0bf12b"));
    CHECK(p11->C_VerifyInit(s, &general, hk), CKR_OK);
    CHECK(p11->C_VerifyUpdate(s, (CK_BYTE *)"Hi There", 8), CKR_OK);
    CHECK(p11->C_VerifyFinal(s, mac, 16), CKR_OK);
    CK_ULONG tooLong = 33;
    CK_MECHANISM badGeneral = { CKM_SHA256_HMAC_GENERAL, &tooLong, sizeof tooLong };
    CHECK(p11->C_SignInit(s, &badGeneral, hk), CKR_MECHANISM_PARAM_INVALID);
    CK_MECHANISM hmacWithParam = { CKM_SHA256_HMAC, &cut, sizeof cut };
    CHECK(p11->C_SignInit(s, &hmacWithParam, hk), CKR_MECHANISM_PARAM_INVALID);

    /* MD5: RFC 1321 "message digest", in parts */
    CK_MECHANISM md5 = { CKM_MD5, NULL, 0 };
    CK_BYTE digest[64];
    CHECK(p11->C_DigestInit(s, &md5), CKR_OK);
    CHECK(p11->C_DigestUpdate(s, (CK_BYTE *)"message ", 8), CKR_OK);
    CHECK(p11->C_DigestUpdate(s, (CK_BYTE *)"digest", 6), CKR_OK);
    n = sizeof digest;
    CHECK(p11->C_DigestFinal(s, digest, &n), CKR_OK);
    EXPECT(n == 16 && same_hex(digest, 16, "f96b697d7cb7938d525a2f31aaf161d0"));

    /* SHA-256 over 65 MiB in 1 MiB parts: nothing gathered, no 64 MiB limit */
    CK_BYTE *zeros = calloc(1 << 20, 1);
    CK_MECHANISM sha256 = { CKM_SHA256, NULL, 0 };
    CHECK(p11->C_DigestInit(s, &sha256), CKR_OK);
    for (int i = 0; i < 65; i++) CHECK(p11->C_DigestUpdate(s, zeros, 1 << 20), CKR_OK);
    n = sizeof digest;
    CHECK(p11->C_DigestFinal(s, digest, &n), CKR_OK);
    EXPECT(n == 32 && same_hex(digest, 32, sha256Of65MiBZeros));
    /* and an HMAC over the same */
    CHECK(p11->C_SignInit(s, &hmac, hk), CKR_OK);
    for (int i = 0; i < 65; i++) CHECK(p11->C_SignUpdate(s, zeros, 1 << 20), CKR_OK);
    n = sizeof mac;
    CHECK(p11->C_SignFinal(s, mac, &n), CKR_OK);
    EXPECT(n == 32);
    free(zeros);

    hashed_signatures_in_parts(s);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}
