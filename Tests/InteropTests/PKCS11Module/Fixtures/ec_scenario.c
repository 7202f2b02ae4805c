/* EC through the module's C ABI (included by module_client.c): objects on the
 * five curves, key generation, ECDSA and EdDSA sign/verify, ECDH derive, and
 * the malformed values each must refuse. */

#ifndef CKK_EC_MONTGOMERY
#define CKK_EC_MONTGOMERY 0x41UL
#endif
#ifndef CKM_EC_MONTGOMERY_KEY_PAIR_GEN
#define CKM_EC_MONTGOMERY_KEY_PAIR_GEN 0x1056UL
#endif

/* DER of the curves' OIDs (RFC 5480 §2.1.1.1, RFC 8410 §3) */
static CK_BYTE oid_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static CK_BYTE oid_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static CK_BYTE oid_p521[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
static CK_BYTE oid_x25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };
/* PKCS#11 v3.0's PrintableString form for the Edwards curve */
static CK_BYTE name_ed25519[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9' };

/* CK_EDDSA_PARAMS (v3.0), absent from p11-kit's v2.40 header */
struct eddsa_params { CK_BBOOL phFlag; CK_ULONG ulContextDataLen; CK_BYTE_PTR pContextData; };

static void ec_pair(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, CK_BYTE *params, CK_ULONG plen,
                    CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv) {
    CK_MECHANISM gen = { mech, NULL, 0 };
    CK_ATTRIBUTE pt[] = { { CKA_EC_PARAMS, params, plen }, { CKA_VERIFY, &yes, 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_SIGN, &yes, 1 }, { CKA_DERIVE, &yes, 1 }, { CKA_SENSITIVE, &yes, 1 } };
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 2, kt, 3, pub, priv), CKR_OK);
}

/* The raw point of a public key object (CKA_EC_POINT is a DER OCTET STRING). */
static CK_ULONG ec_point(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pub, CK_BYTE *out) {
    CK_BYTE der[200];
    CK_ATTRIBUTE a = { CKA_EC_POINT, der, sizeof der };
    CHECK(p11->C_GetAttributeValue(s, pub, &a, 1), CKR_OK);
    EXPECT(der[0] == 0x04);
    CK_ULONG header = der[1] == 0x81 ? 3 : 2, len = a.ulValueLen - header;
    EXPECT(len == (header == 3 ? der[2] : der[1]));
    memcpy(out, der + header, len);
    return len;
}

static void ec_sign_verify(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv, CK_ULONG siglen) {
    CK_BYTE msg[32] = "thirty-two bytes, a hash's worth", sig[160];
    CK_ULONG len = 0;
    CHECK(p11->C_SignInit(s, m, priv), CKR_OK);
    CHECK(p11->C_Sign(s, msg, sizeof msg, NULL, &len), CKR_OK);
    EXPECT(len == siglen);
    CHECK(p11->C_Sign(s, msg, sizeof msg, sig, &len), CKR_OK);
    EXPECT(len == siglen);
    CHECK(p11->C_VerifyInit(s, m, pub), CKR_OK);
    CHECK(p11->C_Verify(s, msg, sizeof msg, sig, len), CKR_OK);
    CHECK(p11->C_VerifyInit(s, m, pub), CKR_OK);
    CHECK(p11->C_Verify(s, msg, sizeof msg, sig, len - 1), CKR_SIGNATURE_LEN_RANGE);
    sig[len / 2] ^= 1;
    CHECK(p11->C_VerifyInit(s, m, pub), CKR_OK);
    CHECK(p11->C_Verify(s, msg, sizeof msg, sig, len), CKR_SIGNATURE_INVALID);
}

static void ec_derive(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv, ck_ec_kdf_t kdf, CK_BYTE *shared, CK_ULONG sharedLen,
                      CK_BYTE *peer, CK_ULONG peerLen, CK_ULONG valueLen, CK_BYTE *out, CK_RV expected) {
    CK_ECDH1_DERIVE_PARAMS p = { kdf, sharedLen, shared, peerLen, peer };
    CK_MECHANISM m = { CKM_ECDH1_DERIVE, &p, sizeof p };
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_GENERIC_SECRET;
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &type, sizeof type },
                         { CKA_VALUE_LEN, &valueLen, sizeof valueLen } };
    CK_OBJECT_HANDLE k = 0;
    CHECK(p11->C_DeriveKey(s, &m, priv, t, 3, &k), expected);
    if (expected != CKR_OK) return;
    CK_ATTRIBUTE v = { CKA_VALUE, out, valueLen };
    CHECK(p11->C_GetAttributeValue(s, k, &v, 1), CKR_OK);
    EXPECT(v.ulValueLen == valueLen);
}

static void scenario_ec(void) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);

    /* the slot lists the EC mechanisms with their CKF_EC_* flags */
    CK_MECHANISM_INFO info;
    CHECK(p11->C_GetMechanismInfo(0, CKM_EC_KEY_PAIR_GEN, &info), CKR_OK);
    EXPECT(info.ulMinKeySize == 256 && info.ulMaxKeySize == 521);
    EXPECT((info.flags & (CKF_GENERATE_KEY_PAIR | CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)) ==
           (CKF_GENERATE_KEY_PAIR | CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS));
    CHECK(p11->C_GetMechanismInfo(0, CKM_ECDSA_SHA256, &info), CKR_OK);
    EXPECT((info.flags & (CKF_SIGN | CKF_VERIFY)) == (CKF_SIGN | CKF_VERIFY));
    CHECK(p11->C_GetMechanismInfo(0, CKM_ECDH1_DERIVE, &info), CKR_OK);
    EXPECT(info.flags & CKF_DERIVE);
    CHECK(p11->C_GetMechanismInfo(0, CKM_EDDSA, &info), CKR_OK);
    CHECK(p11->C_GetMechanismInfo(0, CKM_EC_EDWARDS_KEY_PAIR_GEN, &info), CKR_OK);
    CHECK(p11->C_GetMechanismInfo(0, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, &info), CKR_OK);

    /* ECDSA on the three prime curves; the hashing mechanisms multi-part too */
    struct { CK_BYTE *oid; CK_ULONG len, field; } curves[] = {
        { oid_p256, sizeof oid_p256, 32 }, { oid_p384, sizeof oid_p384, 48 }, { oid_p521, sizeof oid_p521, 66 } };
    CK_OBJECT_HANDLE pubA = 0, privA = 0;
    for (int i = 0; i < 3; i++) {
        CK_OBJECT_HANDLE pub, priv;
        ec_pair(s, CKM_EC_KEY_PAIR_GEN, curves[i].oid, curves[i].len, &pub, &priv);
        CK_BYTE point[200], params[20];
        EXPECT(ec_point(s, pub, point) == 1 + 2 * curves[i].field && point[0] == 0x04);
        CK_ATTRIBUTE pa = { CKA_EC_PARAMS, params, sizeof params };
        CHECK(p11->C_GetAttributeValue(s, priv, &pa, 1), CKR_OK);
        EXPECT(pa.ulValueLen == curves[i].len && memcmp(params, curves[i].oid, pa.ulValueLen) == 0);
        CK_KEY_TYPE kt = 0;
        CK_ATTRIBUTE ka = { CKA_KEY_TYPE, &kt, sizeof kt };
        CHECK(p11->C_GetAttributeValue(s, priv, &ka, 1), CKR_OK);
        EXPECT(kt == CKK_EC);
        CK_BYTE d[80];
        CK_ATTRIBUTE da = { CKA_VALUE, d, sizeof d };
        CHECK(p11->C_GetAttributeValue(s, priv, &da, 1), CKR_ATTRIBUTE_SENSITIVE);
        CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 }, sha256 = { CKM_ECDSA_SHA256, NULL, 0 }, sha512 = { CKM_ECDSA_SHA512, NULL, 0 };
        ec_sign_verify(s, &ecdsa, pub, priv, 2 * curves[i].field);
        ec_sign_verify(s, &sha256, pub, priv, 2 * curves[i].field);
        ec_sign_verify(s, &sha512, pub, priv, 2 * curves[i].field);
        CK_BYTE part[] = "part", sig[160];
        CK_ULONG len = sizeof sig;
        CHECK(p11->C_SignInit(s, &sha256, priv), CKR_OK);
        CHECK(p11->C_SignUpdate(s, part, 4), CKR_OK);
        CHECK(p11->C_SignUpdate(s, part, 4), CKR_OK);
        CHECK(p11->C_SignFinal(s, sig, &len), CKR_OK);
        CHECK(p11->C_VerifyInit(s, &sha256, pub), CKR_OK);
        CHECK(p11->C_Verify(s, (CK_BYTE *)"partpart", 8, sig, len), CKR_OK);
        /* the wrong family: EdDSA with a P-256 key */
        CK_MECHANISM eddsa = { CKM_EDDSA, NULL, 0 };
        CHECK(p11->C_SignInit(s, &eddsa, priv), CKR_KEY_TYPE_INCONSISTENT);
        if (i == 0) { pubA = pub; privA = priv; }
    }

    /* ECDH on P-256: both sides agree, with the peer raw or in its OCTET STRING, with CKD_NULL and the KDFs */
    CK_OBJECT_HANDLE pubB, privB;
    ec_pair(s, CKM_EC_KEY_PAIR_GEN, oid_p256, sizeof oid_p256, &pubB, &privB);
    CK_BYTE qa[200], qb[200], za[64], zb[64], zc[64];
    CK_ULONG la = ec_point(s, pubA, qa), lb = ec_point(s, pubB, qb);
    ec_derive(s, privA, CKD_NULL, NULL, 0, qb, lb, 32, za, CKR_OK);
    ec_derive(s, privB, CKD_NULL, NULL, 0, qa, la, 32, zb, CKR_OK);
    EXPECT(memcmp(za, zb, 32) == 0);
    CK_BYTE wrapped[200] = { 0x04, (CK_BYTE)la };
    memcpy(wrapped + 2, qa, la);
    ec_derive(s, privB, CKD_NULL, NULL, 0, wrapped, la + 2, 16, zc, CKR_OK);
    EXPECT(memcmp(za, zc, 16) == 0);
    CK_BYTE info_[] = "shared info";
    ec_derive(s, privA, CKD_SHA256_KDF, info_, sizeof info_, qb, lb, 48, za, CKR_OK);
    ec_derive(s, privB, CKD_SHA256_KDF, info_, sizeof info_, qa, la, 48, zb, CKR_OK);
    EXPECT(memcmp(za, zb, 48) == 0);
    ec_derive(s, privA, CKD_SHA1_KDF, NULL, 0, qb, lb, 20, za, CKR_OK);
    ec_derive(s, privB, CKD_SHA1_KDF, NULL, 0, qa, la, 20, zb, CKR_OK);
    EXPECT(memcmp(za, zb, 20) == 0);
    /* shared data with CKD_NULL, an unknown KDF, a point off the curve, too long a value */
    ec_derive(s, privA, CKD_NULL, info_, sizeof info_, qb, lb, 32, za, CKR_MECHANISM_PARAM_INVALID);
    ec_derive(s, privA, 0x55, NULL, 0, qb, lb, 32, za, CKR_MECHANISM_PARAM_INVALID);
    CK_BYTE off[200];
    memcpy(off, qb, lb);
    off[lb - 1] ^= 1;
    ec_derive(s, privA, CKD_NULL, NULL, 0, off, lb, 32, za, CKR_MECHANISM_PARAM_INVALID);
    ec_derive(s, privA, CKD_NULL, NULL, 0, qb, lb, 33, za, CKR_ATTRIBUTE_VALUE_INVALID);
    /* the peer compressed (02/03 || x), raw and in its OCTET STRING: the same secret */
    ec_derive(s, privA, CKD_NULL, NULL, 0, qb, lb, 32, za, CKR_OK);
    CK_BYTE compressed[40] = { (CK_BYTE)(0x02 | (qb[lb - 1] & 1)) };
    memcpy(compressed + 1, qb + 1, 32);
    ec_derive(s, privA, CKD_NULL, NULL, 0, compressed, 33, 32, zc, CKR_OK);
    EXPECT(memcmp(za, zc, 32) == 0);
    CK_BYTE compressedDER[40] = { 0x04, 33 };
    memcpy(compressedDER + 2, compressed, 33);
    ec_derive(s, privA, CKD_NULL, NULL, 0, compressedDER, 35, 32, zc, CKR_OK);
    EXPECT(memcmp(za, zc, 32) == 0);
    /* no point: 65 bytes that do not start 04 (what strongSwan 5.9.8's use_ecc ECDH hands over,
     * docs/ike.md), x || y without its 04, the identity, the hybrid form, an OCTET STRING with a
     * byte after it or around a 64-byte value */
    CK_BYTE bad[200];
    memcpy(bad, qb, lb);
    bad[0] = 0x00;
    ec_derive(s, privA, CKD_NULL, NULL, 0, bad, lb, 32, za, CKR_MECHANISM_PARAM_INVALID);
    ec_derive(s, privA, CKD_NULL, NULL, 0, qb + 1, lb - 1, 32, za, CKR_MECHANISM_PARAM_INVALID);
    CK_BYTE identity[] = { 0x00 };
    ec_derive(s, privA, CKD_NULL, NULL, 0, identity, 1, 32, za, CKR_MECHANISM_PARAM_INVALID);
    bad[0] = (CK_BYTE)(0x06 | (qb[lb - 1] & 1));
    ec_derive(s, privA, CKD_NULL, NULL, 0, bad, lb, 32, za, CKR_MECHANISM_PARAM_INVALID);
    CK_BYTE trailing[200] = { 0x04, (CK_BYTE)lb };
    memcpy(trailing + 2, qb, lb);
    ec_derive(s, privA, CKD_NULL, NULL, 0, trailing, lb + 3, 32, za, CKR_MECHANISM_PARAM_INVALID);
    CK_BYTE xy[200] = { 0x04, (CK_BYTE)(lb - 1) };
    memcpy(xy + 2, qb + 1, lb - 1);
    ec_derive(s, privA, CKD_NULL, NULL, 0, xy, lb + 1, 32, za, CKR_MECHANISM_PARAM_INVALID);
    CK_MECHANISM noparams = { CKM_ECDH1_DERIVE, NULL, 0 };
    CK_OBJECT_HANDLE k;
    CHECK(p11->C_DeriveKey(s, &noparams, privA, NULL, 0, &k), CKR_MECHANISM_PARAM_INVALID);

    /* a public key from its point: raw (kept and read back as the OCTET STRING) or DER; malformed values refused */
    CK_OBJECT_CLASS pubClass = CKO_PUBLIC_KEY;
    CK_KEY_TYPE ec = CKK_EC;
    CK_ATTRIBUTE raw[] = { { CKA_CLASS, &pubClass, sizeof pubClass }, { CKA_KEY_TYPE, &ec, sizeof ec },
                           { CKA_EC_PARAMS, oid_p256, sizeof oid_p256 }, { CKA_EC_POINT, qa, la }, { CKA_VERIFY, &yes, 1 } };
    CK_OBJECT_HANDLE imported;
    CHECK(p11->C_CreateObject(s, raw, 5, &imported), CKR_OK);
    CK_BYTE back[200];
    EXPECT(ec_point(s, imported, back) == la && memcmp(back, qa, la) == 0);
    CK_MECHANISM sha256 = { CKM_ECDSA_SHA256, NULL, 0 };
    CK_BYTE msg[] = "verify with an imported key", sig[64];
    CK_ULONG siglen = sizeof sig;
    CHECK(p11->C_SignInit(s, &sha256, privA), CKR_OK);
    CHECK(p11->C_Sign(s, msg, sizeof msg, sig, &siglen), CKR_OK);
    CHECK(p11->C_VerifyInit(s, &sha256, imported), CKR_OK);
    CHECK(p11->C_Verify(s, msg, sizeof msg, sig, siglen), CKR_OK);
    raw[3].pValue = wrapped; raw[3].ulValueLen = la + 2;
    CHECK(p11->C_CreateObject(s, raw, 5, &imported), CKR_OK);
    raw[3].pValue = off; raw[3].ulValueLen = lb;
    CHECK(p11->C_CreateObject(s, raw, 5, &imported), CKR_ATTRIBUTE_VALUE_INVALID);
    raw[3].pValue = qa; raw[3].ulValueLen = la - 1;
    CHECK(p11->C_CreateObject(s, raw, 5, &imported), CKR_ATTRIBUTE_VALUE_INVALID);
    raw[3].ulValueLen = la;
    CK_BYTE junk[] = { 0x06, 0x03, 0x2b, 0x65 }, k1[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a };
    raw[2].pValue = junk; raw[2].ulValueLen = sizeof junk;
    CHECK(p11->C_CreateObject(s, raw, 5, &imported), CKR_ATTRIBUTE_VALUE_INVALID);
    raw[2].pValue = oid_x25519; raw[2].ulValueLen = sizeof oid_x25519;  /* a Montgomery curve on a CKK_EC key */
    CHECK(p11->C_CreateObject(s, raw, 5, &imported), CKR_ATTRIBUTE_VALUE_INVALID);
    raw[2].pValue = oid_p384; raw[2].ulValueLen = sizeof oid_p384;  /* a P-256 point on P-384 */
    CHECK(p11->C_CreateObject(s, raw, 5, &imported), CKR_ATTRIBUTE_VALUE_INVALID);
    raw[3].ulValueLen = 0;
    CHECK(p11->C_CreateObject(s, raw, 4, &imported), CKR_TEMPLATE_INCOMPLETE);
    CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
    CK_ATTRIBUTE k1t[] = { { CKA_EC_PARAMS, k1, sizeof k1 } }, junkt[] = { { CKA_EC_PARAMS, junk, sizeof junk } };
    CK_OBJECT_HANDLE p, q;
    CHECK(p11->C_GenerateKeyPair(s, &gen, k1t, 1, NULL, 0, &p, &q), CKR_CURVE_NOT_SUPPORTED);
    CHECK(p11->C_GenerateKeyPair(s, &gen, junkt, 1, NULL, 0, &p, &q), CKR_ATTRIBUTE_VALUE_INVALID);
    CHECK(p11->C_GenerateKeyPair(s, &gen, NULL, 0, NULL, 0, &p, &q), CKR_TEMPLATE_INCOMPLETE);

    /* Ed25519 named by its PrintableString: pure EdDSA, with no parameter or phFlag false; prehash and context refused */
    CK_OBJECT_HANDLE edPub, edPriv;
    ec_pair(s, CKM_EC_EDWARDS_KEY_PAIR_GEN, name_ed25519, sizeof name_ed25519, &edPub, &edPriv);
    CK_BYTE edPoint[64];
    EXPECT(ec_point(s, edPub, edPoint) == 32);
    CK_MECHANISM eddsa = { CKM_EDDSA, NULL, 0 };
    ec_sign_verify(s, &eddsa, edPub, edPriv, 64);
    struct eddsa_params pure = { CK_FALSE, 0, NULL }, ph = { CK_TRUE, 0, NULL }, ctx = { CK_FALSE, 3, (CK_BYTE_PTR)"ctx" };
    CK_MECHANISM eddsaPure = { CKM_EDDSA, &pure, sizeof pure }, eddsaPh = { CKM_EDDSA, &ph, sizeof ph }, eddsaCtx = { CKM_EDDSA, &ctx, sizeof ctx };
    ec_sign_verify(s, &eddsaPure, edPub, edPriv, 64);
    CHECK(p11->C_SignInit(s, &eddsaPh, edPriv), CKR_MECHANISM_PARAM_INVALID);
    CHECK(p11->C_SignInit(s, &eddsaCtx, edPriv), CKR_MECHANISM_PARAM_INVALID);
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
    CHECK(p11->C_SignInit(s, &ecdsa, edPriv), CKR_KEY_TYPE_INCONSISTENT);
    CK_KEY_TYPE kt = 0;
    CK_ATTRIBUTE ka = { CKA_KEY_TYPE, &kt, sizeof kt };
    CHECK(p11->C_GetAttributeValue(s, edPub, &ka, 1), CKR_OK);
    EXPECT(kt == CKK_EC_EDWARDS);
    CHECK(p11->C_DeriveKey(s, &noparams, edPriv, NULL, 0, &k), CKR_KEY_TYPE_INCONSISTENT);

    /* X25519: both sides agree */
    CK_OBJECT_HANDLE xPubA, xPrivA, xPubB, xPrivB;
    ec_pair(s, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, oid_x25519, sizeof oid_x25519, &xPubA, &xPrivA);
    ec_pair(s, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, oid_x25519, sizeof oid_x25519, &xPubB, &xPrivB);
    CHECK(p11->C_GetAttributeValue(s, xPubA, &ka, 1), CKR_OK);
    EXPECT(kt == CKK_EC_MONTGOMERY);
    CK_BYTE ua[64], ub[64];
    CK_ULONG lua = ec_point(s, xPubA, ua), lub = ec_point(s, xPubB, ub);
    EXPECT(lua == 32 && lub == 32);
    ec_derive(s, xPrivA, CKD_NULL, NULL, 0, ub, lub, 32, za, CKR_OK);
    ec_derive(s, xPrivB, CKD_NULL, NULL, 0, ua, lua, 32, zb, CKR_OK);
    EXPECT(memcmp(za, zb, 32) == 0);
    /* the u-coordinate in an OCTET STRING (04 20 ...): the same secret; a 31-byte value refused */
    CK_BYTE uaDER[40] = { 0x04, 32 };
    memcpy(uaDER + 2, ua, 32);
    ec_derive(s, xPrivB, CKD_NULL, NULL, 0, uaDER, 34, 32, zc, CKR_OK);
    EXPECT(memcmp(zb, zc, 32) == 0);
    ec_derive(s, xPrivB, CKD_NULL, NULL, 0, ua, 31, 32, zc, CKR_MECHANISM_PARAM_INVALID);
    CHECK(p11->C_SignInit(s, &eddsa, xPrivA), CKR_KEY_TYPE_INCONSISTENT);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}

/* A token EC key pair sealed in the keystore signs after the module restarts. */
static void scenario_ec_token(const char *pin) {
    CHECK(p11->C_Initialize(NULL), CKR_OK);
    CK_SESSION_HANDLE s = open_session(CKF_RW_SESSION);
    CHECK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin)), CKR_OK);
    CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
    CK_BYTE id[] = { 0xec };
    CK_ATTRIBUTE pt[] = { { CKA_EC_PARAMS, oid_p384, sizeof oid_p384 }, { CKA_TOKEN, &yes, 1 }, { CKA_ID, id, 1 } };
    CK_ATTRIBUTE kt[] = { { CKA_SIGN, &yes, 1 }, { CKA_TOKEN, &yes, 1 }, { CKA_ID, id, 1 }, { CKA_SENSITIVE, &yes, 1 } };
    CK_OBJECT_HANDLE pub, priv;
    CHECK(p11->C_GenerateKeyPair(s, &gen, pt, 3, kt, 4, &pub, &priv), CKR_OK);
    CHECK(p11->C_Finalize(NULL), CKR_OK);

    CHECK(p11->C_Initialize(NULL), CKR_OK);
    s = open_session(CKF_RW_SESSION);
    CHECK(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin)), CKR_OK);
    CK_OBJECT_CLASS classes[] = { CKO_PUBLIC_KEY, CKO_PRIVATE_KEY };
    CK_OBJECT_HANDLE found[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        CK_ATTRIBUTE ft[] = { { CKA_CLASS, &classes[i], sizeof classes[i] }, { CKA_ID, id, 1 } };
        CK_ULONG n = 0;
        CHECK(p11->C_FindObjectsInit(s, ft, 2), CKR_OK);
        CHECK(p11->C_FindObjects(s, &found[i], 1, &n), CKR_OK);
        CHECK(p11->C_FindObjectsFinal(s), CKR_OK);
        EXPECT(n == 1);
    }
    CK_MECHANISM m = { CKM_ECDSA_SHA384, NULL, 0 };
    ec_sign_verify(s, &m, found[0], found[1], 96);
    CHECK(p11->C_Finalize(NULL), CKR_OK);
}
