/* RSA through the module's C ABI (included by module_client.c): the C_Verify
 * length rule (docs/rsa-input-rules.md, "Short signatures"). */

/* A session RSA key pair of `bits` bits that signs, verifies, encrypts and decrypts. */
static void rsa_pair_bits(CK_SESSION_HANDLE s, CK_ULONG bits, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv) {
    CK_MECHANISM gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_BYTE e[] = { 1, 0, 1 };
    CK_ATTRIBUTE pt[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, e, sizeof e },
                          { CKA_VERIFY, &yes, 1 }, { CKA_ENCRYPT, &yes, 1 }, { CKA_WRAP, &yes, 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_SIGN, &yes, 1 }, { CKA_SENSITIVE, &yes, 1 }, { CKA_DECRYPT, &yes, 1 },
                          { CKA_UNWRAP, &yes, 1 } };
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 5, kt, 4, pub, priv), CKR_OK);
}

static CK_RV verify_once(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE pub,
                         CK_BYTE *data, CK_ULONG dlen, CK_BYTE *sig, CK_ULONG slen) {
    CK_RV rv = p11->C_VerifyInit(s, m, pub);
    if (rv != CKR_OK) return rv;
    return p11->C_Verify(s, data, dlen, sig, slen);
}

/* Signs numbered messages under `m` until a signature starts with 0x00 (one in
 * 256); returns its message number, or -1 after 8192 tries. */
static int sign_until_leading_zero(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE priv,
                                   CK_BYTE *msg, CK_ULONG mlen, CK_BYTE *sig, CK_ULONG *slen) {
    for (int i = 0; i < 8192; i++) {
        snprintf((char *)msg, mlen, "message %08d", i);
        CK_ULONG len = *slen;
        if (p11->C_SignInit(s, m, priv) != CKR_OK || p11->C_Sign(s, msg, mlen, sig, &len) != CKR_OK) return -1;
        if (sig[0] == 0) { *slen = len; return i; }
    }
    return -1;
}

/* k = 128: a signature is read as the integer it encodes when at most 8 bytes
 * short; 0, 4 and 119 bytes and k + 1 are CKR_SIGNATURE_LEN_RANGE, for
 * PKCS#1 v1.5, PSS and X.509 alike. */
static void scenario_verifylen(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair_bits(s, 1024, &pub, &priv);
    CK_RSA_PKCS_PSS_PARAMS pp = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
    CK_MECHANISM mechs[] = { { CKM_SHA256_RSA_PKCS, NULL, 0 }, { CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof pp } };
    for (int i = 0; i < 2; i++) {
        CK_MECHANISM *m = &mechs[i];
        CK_BYTE msg[32], sig[256], longer[256] = { 0 }, zeros[128] = { 0 };
        CK_ULONG slen = sizeof sig;
        int found = sign_until_leading_zero(s, m, priv, msg, sizeof msg, sig, &slen);
        EXPECT(found >= 0 && slen == 128);
        if (found < 0) continue;
        /* the valid signature as k and as k − 1 bytes */
        CHECK(verify_once(s, m, pub, msg, sizeof msg, sig, 128), CKR_OK);
        CHECK(verify_once(s, m, pub, msg, sizeof msg, sig + 1, 127), CKR_OK);
        /* k − 1 bytes that are no signature */
        CK_BYTE wrong[128];
        memcpy(wrong, sig, 128);
        wrong[64] ^= 1;
        CHECK(verify_once(s, m, pub, msg, sizeof msg, wrong + 1, 127), CKR_SIGNATURE_INVALID);
        /* too short to be a signature of this key, and too long */
        CHECK(verify_once(s, m, pub, msg, sizeof msg, zeros, 0), CKR_SIGNATURE_LEN_RANGE);
        CHECK(verify_once(s, m, pub, msg, sizeof msg, zeros, 4), CKR_SIGNATURE_LEN_RANGE);
        CHECK(verify_once(s, m, pub, msg, sizeof msg, sig + 9, 119), CKR_SIGNATURE_LEN_RANGE);
        memcpy(longer + 1, sig, 128);
        CHECK(verify_once(s, m, pub, msg, sizeof msg, longer, 129), CKR_SIGNATURE_LEN_RANGE);
    }
    /* CKM_RSA_X_509: the signature of a value whose k-byte encoding starts 00 00 … 8 bytes short */
    CK_MECHANISM raw = { CKM_RSA_X_509, NULL, 0 };
    CK_BYTE value[128], sig[128];
    memset(value, 0x33, sizeof value);
    CK_ULONG slen = sizeof sig;
    CHECK(p11->C_SignInit(s, &raw, priv), CKR_OK);
    CHECK(p11->C_Sign(s, value, 24, sig, &slen), CKR_OK);
    /* verify the signature with its leading zero bytes stripped (at most 8 tolerated) */
    CK_ULONG lead = 0;
    while (lead < slen && sig[lead] == 0) lead++;
    CHECK(verify_once(s, &raw, pub, value, 24, sig + lead, slen - lead), lead <= 8 ? CKR_OK : CKR_SIGNATURE_LEN_RANGE);
    CHECK(verify_once(s, &raw, pub, value, 24, sig, 3), CKR_SIGNATURE_LEN_RANGE);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}
