#!/usr/bin/env python3
"""Known-answer values for IKEv1 Main Mode key derivation with signatures.

Computed independently of the Swift code with Python's hmac/hashlib, straight
from RFC 2409: SKEYID = prf(Ni_b | Nr_b, g^xy) (§5, signature auth),
SKEYID_d/a/e (§5), the cipher key from SKEYID_e with the Appendix B expansion
K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1), IV = hash(g^xi | g^xr)
truncated to the block size (Appendix B), HASH_I and HASH_R (§5).
The inputs are fixed byte strings (no DH needed to check the chain).

Regenerate: python3 Tests/IKEBenchTests/Fixtures/make_main_mode_kat.py > Tests/IKEBenchTests/Fixtures/main_mode_kat.json
"""
import hashlib, hmac, json

def h(n, seed):
    """n deterministic bytes from a seed (SHA-256 counter mode)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{i}".encode()).digest()
        i += 1
    return out[:n]

CIPHERS = {"3des": (24, 8), "aes128": (16, 16)}
HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256}

def case(prf, cipher, group_bytes):
    H = HASHES[prf]
    key_len, block = CIPHERS[cipher]
    prf_ = lambda k, d: hmac.new(k, d, H).digest()
    seed = f"{prf}-{cipher}-{group_bytes}"
    ni, nr = h(16, seed + "ni"), h(16, seed + "nr")
    cky_i, cky_r = h(8, seed + "ckyi"), h(8, seed + "ckyr")
    gxi, gxr, gxy = h(group_bytes, seed + "gxi"), h(group_bytes, seed + "gxr"), h(group_bytes, seed + "gxy")
    sai_b = h(48, seed + "sai")
    idii_b = bytes([1, 17, 1, 244]) + bytes([192, 168, 1, 10])          # ID_IPV4_ADDR, UDP, 500
    idir_b = bytes([2, 17, 1, 244]) + b"responder.ikebench.example"     # ID_FQDN
    skeyid = prf_(ni + nr, gxy)
    d = prf_(skeyid, gxy + cky_i + cky_r + b"\x00")
    a = prf_(skeyid, d + gxy + cky_i + cky_r + b"\x01")
    e = prf_(skeyid, a + gxy + cky_i + cky_r + b"\x02")
    if len(e) >= key_len:
        key = e[:key_len]
    else:
        k = prf_(e, b"\x00")
        material = k
        while len(material) < key_len:
            k = prf_(e, k)
            material += k
        key = material[:key_len]
    iv = H(gxi + gxr).digest()[:block]
    hash_i = prf_(skeyid, gxi + gxr + cky_i + cky_r + sai_b + idii_b)
    hash_r = prf_(skeyid, gxr + gxi + cky_r + cky_i + sai_b + idir_b)
    x = lambda b: b.hex()
    return {
        "prf": prf, "cipher": cipher,
        "input": {"ni": x(ni), "nr": x(nr), "ckyI": x(cky_i), "ckyR": x(cky_r), "gxi": x(gxi), "gxr": x(gxr),
                  "gxy": x(gxy), "saiB": x(sai_b), "idiiB": x(idii_b), "idirB": x(idir_b)},
        "expected": {"skeyid": x(skeyid), "skeyidD": x(d), "skeyidA": x(a), "skeyidE": x(e), "cipherKey": x(key),
                     "iv": x(iv), "hashI": x(hash_i), "hashR": x(hash_r)},
    }

cases = [case(p, c, g) for p in ("sha1", "sha256") for c in ("3des", "aes128") for g in (128, 256)]
print(json.dumps({"source": "RFC 2409 §5 and Appendix B, computed with Python hmac/hashlib", "cases": cases}, indent=1))
