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

/* ---- RSA encryption: CKM_RSA_PKCS, CKM_RSA_PKCS_OAEP (SHA-1, SHA-256 with a label), CKM_RSA_X_509 ---- */
static CK_RV crypt_once(CK_SESSION_HANDLE s, int encrypt, CK_MECHANISM *m, CK_OBJECT_HANDLE key,
                        CK_BYTE *in, CK_ULONG inLen, CK_BYTE *out, CK_ULONG *outLen) {
    CK_RV rv = encrypt ? p11->C_EncryptInit(s, m, key) : p11->C_DecryptInit(s, m, key);
    if (rv != CKR_OK) return rv;
    return encrypt ? p11->C_Encrypt(s, in, inLen, out, outLen) : p11->C_Decrypt(s, in, inLen, out, outLen);
}

static void scenario_rsaenc(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(0);
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair_bits(s, 2048, &pub, &priv);
    CK_BYTE label[] = "a label";
    CK_RSA_PKCS_OAEP_PARAMS sha1 = { CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0 };
    CK_RSA_PKCS_OAEP_PARAMS sha256 = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, label, sizeof label - 1 };
    CK_MECHANISM mechs[] = { { CKM_RSA_PKCS, NULL, 0 }, { CKM_RSA_PKCS_OAEP, &sha1, sizeof sha1 },
                             { CKM_RSA_PKCS_OAEP, &sha256, sizeof sha256 }, { CKM_RSA_X_509, NULL, 0 } };
    CK_ULONG limits[] = { 245, 214, 190, 256 };
    for (int i = 0; i < 4; i++) {
        CK_MECHANISM *m = &mechs[i];
        CK_BYTE msg[256], ct[256], pt[256];
        memset(msg, 0x41 + i, sizeof msg);
        msg[0] = 0;  /* X.509: a value below n */
        CK_ULONG mlen = i == 3 ? 256 : 37, clen = 0, plen = 0;
        /* length query, then the ciphertext */
        CHECK(p11->C_EncryptInit(s, m, pub), CKR_OK);
        CHECK(p11->C_Encrypt(s, msg, mlen, NULL, &clen), CKR_OK);
        EXPECT(clen == 256);
        CHECK(p11->C_Encrypt(s, msg, mlen, ct, &clen), CKR_OK);
        /* randomized padding: a second ciphertext differs (not X.509) */
        CK_BYTE ct2[256];
        CK_ULONG clen2 = sizeof ct2;
        CHECK(crypt_once(s, 1, m, pub, msg, mlen, ct2, &clen2), CKR_OK);
        EXPECT((memcmp(ct, ct2, 256) != 0) == (i != 3));
        /* the length query gives the bound, the plaintext its own length */
        CHECK(p11->C_DecryptInit(s, m, priv), CKR_OK);
        CHECK(p11->C_Decrypt(s, ct, clen, NULL, &plen), CKR_OK);
        EXPECT(plen == (i == 3 ? 256 : limits[i]));
        plen = sizeof pt;
        CHECK(p11->C_Decrypt(s, ct, clen, pt, &plen), CKR_OK);
        EXPECT(plen == mlen && memcmp(pt, msg, mlen) == 0);
        /* multi-part: Update gathers, Final answers */
        CK_ULONG part = 0;
        CHECK(p11->C_DecryptInit(s, m, priv), CKR_OK);
        CHECK(p11->C_DecryptUpdate(s, ct, 100, NULL, &part), CKR_OK);
        CHECK(p11->C_DecryptUpdate(s, ct + 100, clen - 100, NULL, &part), CKR_OK);
        plen = sizeof pt;
        CHECK(p11->C_DecryptFinal(s, pt, &plen), CKR_OK);
        EXPECT(plen == mlen && memcmp(pt, msg, mlen) == 0);
        /* the longest message, one byte more */
        plen = sizeof pt;
        if (i != 3) {
            CHECK(crypt_once(s, 1, m, pub, msg, limits[i], ct2, &plen), CKR_OK);
            plen = sizeof pt;
            CHECK(crypt_once(s, 1, m, pub, msg, limits[i] + 1, ct2, &plen), CKR_DATA_LEN_RANGE);
        }
        /* a ciphertext of the wrong length, a tampered one */
        plen = sizeof pt;
        CHECK(crypt_once(s, 0, m, priv, ct, 255, pt, &plen), CKR_ENCRYPTED_DATA_LEN_RANGE);
        if (i != 3) {
            ct[128] ^= 1;
            plen = sizeof pt;
            CHECK(crypt_once(s, 0, m, priv, ct, 256, pt, &plen), CKR_ENCRYPTED_DATA_INVALID);
        }
        /* a short buffer keeps the operation (two-call protocol) */
        CHECK(p11->C_EncryptInit(s, m, pub), CKR_OK);
        clen = 10;
        CHECK(p11->C_Encrypt(s, msg, mlen, ct, &clen), CKR_BUFFER_TOO_SMALL);
        EXPECT(clen == 256);
        CHECK(p11->C_Encrypt(s, msg, mlen, ct, &clen), CKR_OK);
    }
    /* OAEP: another label does not decrypt; bad parameters are refused at Init */
    CK_BYTE msg[16] = "sixteen bytes!!", ct[256], pt[256];
    CK_ULONG clen = sizeof ct, plen = sizeof pt;
    CHECK(crypt_once(s, 1, &mechs[2], pub, msg, sizeof msg, ct, &clen), CKR_OK);
    CK_RSA_PKCS_OAEP_PARAMS other = sha256;
    other.ulSourceDataLen = 3;
    CK_MECHANISM otherLabel = { CKM_RSA_PKCS_OAEP, &other, sizeof other };
    CHECK(crypt_once(s, 0, &otherLabel, priv, ct, clen, pt, &plen), CKR_ENCRYPTED_DATA_INVALID);
    CK_MECHANISM noParams = { CKM_RSA_PKCS_OAEP, NULL, 0 };
    CHECK(p11->C_EncryptInit(s, &noParams, pub), CKR_MECHANISM_PARAM_INVALID);
    CK_RSA_PKCS_OAEP_PARAMS badHash = { 0x7777, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0 };
    CK_MECHANISM bad = { CKM_RSA_PKCS_OAEP, &badHash, sizeof badHash };
    CHECK(p11->C_EncryptInit(s, &bad, pub), CKR_MECHANISM_PARAM_INVALID);
    CK_MECHANISM pkcsWithParams = { CKM_RSA_PKCS, &sha1, sizeof sha1 };
    CHECK(p11->C_EncryptInit(s, &pkcsWithParams, pub), CKR_MECHANISM_PARAM_INVALID);
    /* wrong key class, X.509 input not below n */
    CHECK(p11->C_EncryptInit(s, &mechs[0], priv), CKR_KEY_TYPE_INCONSISTENT);
    CK_BYTE big[256];
    memset(big, 0xff, sizeof big);
    clen = sizeof ct;
    CHECK(crypt_once(s, 1, &mechs[3], pub, big, 256, ct, &clen), CKR_DATA_INVALID);
    /* one operation per direction */
    CHECK(p11->C_EncryptInit(s, &mechs[0], pub), CKR_OK);
    CHECK(p11->C_EncryptInit(s, &mechs[0], pub), CKR_OPERATION_ACTIVE);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- C_CopyObject, C_GetObjectSize, C_DigestKey, CKA_ALLOWED_MECHANISMS ---- */
static void scenario_objects(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
    CK_KEY_TYPE generic = CKK_GENERIC_SECRET;
    CK_BYTE value[] = "0123456789abcdef0123456789abcdef";
    CK_BYTE lbl[] = "original";
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &secret, sizeof secret }, { CKA_KEY_TYPE, &generic, sizeof generic },
                         { CKA_VALUE, value, 32 }, { CKA_LABEL, lbl, 8 }, { CKA_SENSITIVE, &yes, 1 } };
    CK_OBJECT_HANDLE key, copy;
    CHECK(p11->C_CreateObject(s, t, 5, &key), CKR_OK);
    /* C_GetObjectSize */
    CK_ULONG size = 0;
    CHECK(p11->C_GetObjectSize(s, key, &size), CKR_OK);
    EXPECT(size > 32);
    CHECK(p11->C_GetObjectSize(s, key + 1000, &size), CKR_OBJECT_HANDLE_INVALID);
    CHECK(p11->C_GetObjectSize(s, key, NULL), CKR_ARGUMENTS_BAD);
    /* C_CopyObject with a new label; the copy keeps the value, stays sensitive */
    CK_BYTE lbl2[] = "the copy";
    CK_ATTRIBUTE ct[] = { { CKA_LABEL, lbl2, 8 } };
    CHECK(p11->C_CopyObject(s, key, ct, 1, &copy), CKR_OK);
    EXPECT(copy != key);
    CK_BYTE got[32];
    CK_ATTRIBUTE rl = { CKA_LABEL, got, sizeof got };
    CHECK(p11->C_GetAttributeValue(s, copy, &rl, 1), CKR_OK);
    EXPECT(rl.ulValueLen == 8 && memcmp(got, "the copy", 8) == 0);
    CK_ATTRIBUTE rv = { CKA_VALUE, got, sizeof got };
    CHECK(p11->C_GetAttributeValue(s, copy, &rv, 1), CKR_ATTRIBUTE_SENSITIVE);
    /* a copy may not make a key non-sensitive, nor copyable again */
    CK_ATTRIBUTE unsens[] = { { CKA_SENSITIVE, &no, 1 } };
    CHECK(p11->C_CopyObject(s, key, unsens, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
    CK_ATTRIBUTE nocopy[] = { { CKA_COPYABLE, &no, 1 } };
    CK_OBJECT_HANDLE sealed, again;
    CHECK(p11->C_CopyObject(s, key, nocopy, 1, &sealed), CKR_OK);
    CHECK(p11->C_CopyObject(s, sealed, NULL, 0, &again), CKR_ACTION_PROHIBITED);
    CHECK(p11->C_CopyObject(s, key + 1000, NULL, 0, &again), CKR_OBJECT_HANDLE_INVALID);
    /* C_DigestKey: SHA-256 over "x" ‖ key value ‖ "y" equals the digest of the same bytes */
    CK_MECHANISM sha = { CKM_SHA256, NULL, 0 };
    CK_BYTE d1[32], d2[32], joined[34];
    CK_ULONG l1 = 32, l2 = 32;
    CHECK(p11->C_DigestKey(s, copy), CKR_OPERATION_NOT_INITIALIZED);
    CHECK(p11->C_DigestInit(s, &sha), CKR_OK);
    CHECK(p11->C_DigestUpdate(s, (CK_BYTE *)"x", 1), CKR_OK);
    CHECK(p11->C_DigestKey(s, copy), CKR_OK);
    CHECK(p11->C_DigestUpdate(s, (CK_BYTE *)"y", 1), CKR_OK);
    CHECK(p11->C_DigestFinal(s, d1, &l1), CKR_OK);
    joined[0] = 'x'; memcpy(joined + 1, value, 32); joined[33] = 'y';
    CHECK(p11->C_DigestInit(s, &sha), CKR_OK);
    CHECK(p11->C_Digest(s, joined, 34, d2, &l2), CKR_OK);
    EXPECT(l1 == 32 && memcmp(d1, d2, 32) == 0);
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair_bits(s, 1024, &pub, &priv);
    CHECK(p11->C_DigestInit(s, &sha), CKR_OK);
    CHECK(p11->C_DigestKey(s, priv), CKR_KEY_INDIGESTIBLE);
    CHECK(p11->C_DigestKey(s, key + 1000), CKR_KEY_HANDLE_INVALID);
    /* CKA_ALLOWED_MECHANISMS: stored, read back, enforced at Init */
    CK_MECHANISM_TYPE allowed[] = { CKM_SHA256_RSA_PKCS };
    CK_ULONG bits = 1024;
    CK_BYTE e[] = { 1, 0, 1 };
    CK_MECHANISM gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ATTRIBUTE pt[] = { { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, e, 3 } };
    CK_ATTRIBUTE kt[] = { { CKA_SIGN, &yes, 1 }, { CKA_ALLOWED_MECHANISMS, allowed, sizeof allowed } };
    CK_OBJECT_HANDLE rpub, rpriv;
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 2, kt, 2, &rpub, &rpriv), CKR_OK);
    CK_MECHANISM_TYPE back[4];
    CK_ATTRIBUTE ra = { CKA_ALLOWED_MECHANISMS, back, sizeof back };
    CHECK(p11->C_GetAttributeValue(s, rpriv, &ra, 1), CKR_OK);
    EXPECT(ra.ulValueLen == sizeof(CK_MECHANISM_TYPE) && back[0] == CKM_SHA256_RSA_PKCS);
    CK_MECHANISM ok = { CKM_SHA256_RSA_PKCS, NULL, 0 }, other = { CKM_SHA1_RSA_PKCS, NULL, 0 };
    CHECK(p11->C_SignInit(s, &ok, rpriv), CKR_OK);
    CK_BYTE sig[128];
    CK_ULONG slen = sizeof sig;
    CHECK(p11->C_Sign(s, value, 10, sig, &slen), CKR_OK);
    CHECK(p11->C_SignInit(s, &other, rpriv), CKR_MECHANISM_INVALID);
    /* the public key has an empty list: every mechanism */
    ra.ulValueLen = sizeof back;
    CHECK(p11->C_GetAttributeValue(s, rpub, &ra, 1), CKR_OK);
    EXPECT(ra.ulValueLen == 0);
    /* a list that is not whole CK_MECHANISM_TYPEs */
    CK_ATTRIBUTE badList[] = { { CKA_SIGN, &yes, 1 }, { CKA_ALLOWED_MECHANISMS, allowed, 3 } };
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 2, badList, 2, &rpub, &rpriv), CKR_ATTRIBUTE_VALUE_INVALID);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* ---- C_WrapKey/C_UnwrapKey: AES key wrap (RFC 3394/5649 vectors), RSA-OAEP, and the attributes that govern them ---- */
static CK_OBJECT_HANDLE secret_key(CK_SESSION_HANDLE s, CK_KEY_TYPE type, const CK_BYTE *value, CK_ULONG len,
                                   CK_BBOOL *extractable, CK_BBOOL *wrapTrusted, CK_BBOOL *trusted) {
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &type, sizeof type },
                         { CKA_VALUE, (void *)value, len }, { CKA_WRAP, &yes, 1 }, { CKA_UNWRAP, &yes, 1 },
                         { CKA_SENSITIVE, &yes, 1 }, { CKA_EXTRACTABLE, extractable, 1 },
                         { CKA_WRAP_WITH_TRUSTED, wrapTrusted, 1 }, { CKA_TRUSTED, trusted, 1 } };
    CK_OBJECT_HANDLE h = 0;
    CHECK(p11->C_CreateObject(s, t, 9, &h), CKR_OK);
    return h;
}

static int unwrapped_value(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE kek, CK_BYTE *wrapped, CK_ULONG wlen,
                           CK_KEY_TYPE type, CK_BYTE *value, CK_ULONG *vlen) {
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &type, sizeof type },
                         { CKA_SENSITIVE, &no, 1 }, { CKA_EXTRACTABLE, &yes, 1 } };
    CK_OBJECT_HANDLE h;
    CK_RV rv = p11->C_UnwrapKey(s, m, kek, wrapped, wlen, t, 4, &h);
    if (rv != CKR_OK) return (int)rv;
    CK_ATTRIBUTE get = { CKA_VALUE, value, *vlen };
    rv = p11->C_GetAttributeValue(s, h, &get, 1);
    *vlen = get.ulValueLen;
    return (int)rv;
}

static void scenario_wrap(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_UTF8CHAR label[32];
    memset(label, ' ', sizeof label);
    CHECK(p11->C_InitToken(0, (CK_UTF8CHAR *)"87654321", 8, label), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    /* RFC 3394 §4.1: 128-bit KEK 000102…0F wraps 00112233…FF */
    CK_BYTE kek128[16], data128[16];
    for (int i = 0; i < 16; i++) { kek128[i] = (CK_BYTE)i; data128[i] = (CK_BYTE)(0x11 * i); }
    static const CK_BYTE kw1[] = { 0x1F, 0xA6, 0x8B, 0x0A, 0x81, 0x12, 0xB4, 0x47, 0xAE, 0xF3, 0x4B, 0xD8,
                                   0xFB, 0x5A, 0x7B, 0x82, 0x9D, 0x3E, 0x86, 0x23, 0x71, 0xD2, 0xCF, 0xE5 };
    /* RFC 5649 §6: 192-bit KEK, a 20-byte and a 7-byte key */
    static const CK_BYTE kek192[] = { 0x58, 0x40, 0xdf, 0x6e, 0x29, 0xb0, 0x2a, 0xf1, 0xab, 0x49, 0x3b, 0x70,
                                      0x5b, 0xf1, 0x6e, 0xa1, 0xae, 0x83, 0x38, 0xf4, 0xdc, 0xc1, 0x76, 0xa8 };
    static const CK_BYTE key20[] = { 0xc3, 0x7b, 0x7e, 0x64, 0x92, 0x58, 0x43, 0x40, 0xbe, 0xd1,
                                     0x22, 0x07, 0x80, 0x89, 0x41, 0x15, 0x50, 0x68, 0xf7, 0x38 };
    static const CK_BYTE kwp20[] = { 0x13, 0x8b, 0xde, 0xaa, 0x9b, 0x8f, 0xa7, 0xfc, 0x61, 0xf9, 0x77, 0x42, 0xe7, 0x22, 0x48, 0xee,
                                     0x5a, 0xe6, 0xae, 0x53, 0x60, 0xd1, 0xae, 0x6a, 0x5f, 0x54, 0xf3, 0x73, 0xfa, 0x54, 0x3b, 0x6a };
    static const CK_BYTE key7[] = { 0x46, 0x6f, 0x72, 0x50, 0x61, 0x73, 0x69 };
    static const CK_BYTE kwp7[] = { 0xaf, 0xbe, 0xb0, 0xf0, 0x7d, 0xfb, 0xf5, 0x41, 0x92, 0x00, 0xf2, 0xcc, 0xb5, 0x0b, 0xb2, 0x4f };

    CK_OBJECT_HANDLE kekA = secret_key(s, CKK_AES, kek128, 16, &yes, &no, &no);
    CK_OBJECT_HANDLE k16 = secret_key(s, CKK_GENERIC_SECRET, data128, 16, &yes, &no, &no);
    CK_MECHANISM kw = { CKM_AES_KEY_WRAP, NULL, 0 }, kwp = { CKM_AES_KEY_WRAP_PAD, NULL, 0 };
    CK_BYTE wrapped[512], value[256];
    CK_ULONG wlen = 0, vlen;
    CHECK(p11->C_WrapKey(s, &kw, kekA, k16, NULL, &wlen), CKR_OK);
    EXPECT(wlen == 24);
    wlen = 8;
    CHECK(p11->C_WrapKey(s, &kw, kekA, k16, wrapped, &wlen), CKR_BUFFER_TOO_SMALL);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kw, kekA, k16, wrapped, &wlen), CKR_OK);
    EXPECT(wlen == 24 && memcmp(wrapped, kw1, 24) == 0);
    vlen = sizeof value;
    CHECK(unwrapped_value(s, &kw, kekA, wrapped, wlen, CKK_GENERIC_SECRET, value, &vlen), CKR_OK);
    EXPECT(vlen == 16 && memcmp(value, data128, 16) == 0);
    /* the sensitive key itself is still unreadable */
    CK_ATTRIBUTE get = { CKA_VALUE, value, sizeof value };
    CHECK(p11->C_GetAttributeValue(s, k16, &get, 1), CKR_ATTRIBUTE_SENSITIVE);
    wrapped[5] ^= 1;
    vlen = sizeof value;
    CHECK(unwrapped_value(s, &kw, kekA, wrapped, wlen, CKK_GENERIC_SECRET, value, &vlen), CKR_WRAPPED_KEY_INVALID);
    vlen = sizeof value;
    CHECK(unwrapped_value(s, &kw, kekA, wrapped, 23, CKK_GENERIC_SECRET, value, &vlen), CKR_WRAPPED_KEY_LEN_RANGE);

    CK_OBJECT_HANDLE kekB = secret_key(s, CKK_AES, kek192, 24, &yes, &no, &no);
    CK_OBJECT_HANDLE k20 = secret_key(s, CKK_GENERIC_SECRET, key20, 20, &yes, &no, &no);
    CK_OBJECT_HANDLE k7 = secret_key(s, CKK_GENERIC_SECRET, key7, 7, &yes, &no, &no);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kwp, kekB, k20, wrapped, &wlen), CKR_OK);
    EXPECT(wlen == 32 && memcmp(wrapped, kwp20, 32) == 0);
    vlen = sizeof value;
    CHECK(unwrapped_value(s, &kwp, kekB, wrapped, wlen, CKK_GENERIC_SECRET, value, &vlen), CKR_OK);
    EXPECT(vlen == 20 && memcmp(value, key20, 20) == 0);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kwp, kekB, k7, wrapped, &wlen), CKR_OK);
    EXPECT(wlen == 16 && memcmp(wrapped, kwp7, 16) == 0);
    /* 20 bytes are no whole number of blocks for CKM_AES_KEY_WRAP */
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kw, kekB, k20, wrapped, &wlen), CKR_KEY_SIZE_RANGE);

    /* RSA-OAEP (SHA-256, MGF1-SHA-256) wraps an AES key; the unwrapped AES key holds the same value */
    CK_OBJECT_HANDLE pub, priv;
    rsa_pair_bits(s, 2048, &pub, &priv);
    CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0 };
    CK_MECHANISM rsa = { CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep };
    wlen = 0;
    CHECK(p11->C_WrapKey(s, &rsa, pub, kekA, NULL, &wlen), CKR_OK);
    EXPECT(wlen == 256);
    CHECK(p11->C_WrapKey(s, &rsa, pub, kekA, wrapped, &wlen), CKR_OK);
    vlen = sizeof value;
    CHECK(unwrapped_value(s, &rsa, priv, wrapped, wlen, CKK_AES, value, &vlen), CKR_OK);
    EXPECT(vlen == 16 && memcmp(value, kek128, 16) == 0);
    wrapped[17] ^= 1;
    vlen = sizeof value;
    CHECK(unwrapped_value(s, &rsa, priv, wrapped, wlen, CKK_AES, value, &vlen), CKR_WRAPPED_KEY_INVALID);
    /* the public key does not unwrap, the private key does not wrap */
    vlen = sizeof value;
    CHECK(unwrapped_value(s, &rsa, pub, wrapped, wlen, CKK_AES, value, &vlen), CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &rsa, priv, kekA, wrapped, &wlen), CKR_WRAPPING_KEY_TYPE_INCONSISTENT);
    /* a wrapping key whose CKA_WRAP is false */
    CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
    CK_KEY_TYPE aesType = CKK_AES;
    CK_ATTRIBUTE noWrapT[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &aesType, sizeof aesType },
                               { CKA_VALUE, kek128, 16 }, { CKA_WRAP, &no, 1 } };
    CK_OBJECT_HANDLE noWrap;
    CHECK(p11->C_CreateObject(s, noWrapT, 4, &noWrap), CKR_OK);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kw, noWrap, k16, wrapped, &wlen), CKR_KEY_FUNCTION_NOT_PERMITTED);
    /* an RSA private key is not wrapped by this module */
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kwp, kekA, priv, wrapped, &wlen), CKR_KEY_NOT_WRAPPABLE);

    /* CKA_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED, CKA_TRUSTED */
    CK_OBJECT_HANDLE fixed = secret_key(s, CKK_GENERIC_SECRET, data128, 16, &no, &no, &no);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kw, kekA, fixed, wrapped, &wlen), CKR_KEY_UNEXTRACTABLE);
    CK_OBJECT_HANDLE guarded = secret_key(s, CKK_GENERIC_SECRET, data128, 16, &yes, &yes, &no);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kw, kekA, guarded, wrapped, &wlen), CKR_KEY_NOT_WRAPPABLE);
    /* only the SO makes a key trusted */
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_KEY_TYPE aes = CKK_AES;
    CK_ATTRIBUTE trustedT[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &aes, sizeof aes },
                                { CKA_VALUE, kek128, 16 }, { CKA_WRAP, &yes, 1 }, { CKA_TRUSTED, &yes, 1 } };
    CK_OBJECT_HANDLE trusted;
    CHECK(p11->C_CreateObject(s, trustedT, 5, &trusted), CKR_ATTRIBUTE_READ_ONLY);
    CHECK(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR *)"87654321", 8), CKR_OK);
    CHECK(p11->C_CreateObject(s, trustedT, 5, &trusted), CKR_OK);
    CHECK(p11->C_Logout(s), CKR_OK);
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kw, trusted, guarded, wrapped, &wlen), CKR_OK);
    EXPECT(wlen == 24 && memcmp(wrapped, kw1, 24) == 0);  /* the same KEK and key value as RFC 3394 §4.1 */

    /* handles, and a template that carries a value */
    wlen = sizeof wrapped;
    CHECK(p11->C_WrapKey(s, &kw, kekA + 1000, k16, wrapped, &wlen), CKR_WRAPPING_KEY_HANDLE_INVALID);
    CHECK(p11->C_WrapKey(s, &kw, kekA, k16 + 1000, wrapped, &wlen), CKR_KEY_HANDLE_INVALID);
    CHECK(p11->C_WrapKey(s, &kw, pub, k16, wrapped, &wlen), CKR_WRAPPING_KEY_TYPE_INCONSISTENT);
    CK_ATTRIBUTE withValue[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_VALUE, kek128, 16 } };
    CK_OBJECT_HANDLE h;
    CHECK(p11->C_UnwrapKey(s, &kw, kekA, (CK_BYTE *)kw1, 24, withValue, 2, &h), CKR_TEMPLATE_INCONSISTENT);
    CHECK(p11->C_UnwrapKey(s, &kw, kekA + 1000, (CK_BYTE *)kw1, 24, withValue, 1, &h), CKR_UNWRAPPING_KEY_HANDLE_INVALID);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}
