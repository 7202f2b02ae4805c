#!/usr/bin/env python3
"""Known-answer values for IKEv2 (RFC 7296) key exchange, key derivation, SK
protection and AUTH signed octets.

Computed independently of the Swift code, with Python's hmac/hashlib and the
`cryptography` package (OpenSSL) for the key exchanges and AES-CBC:
- g^ir for groups 14 (MODP-2048), 19 and 20 (RFC 5903 §7: KE data x | y,
  shared secret x), 31 (RFC 8031: X25519). The group-19 case uses the
  published test values of RFC 5903 §8.1, checked here before use.
- SKEYSEED = prf(Ni | Nr, g^ir); {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi |
  SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (§2.14), prf+ of §2.13.
- An IKE_AUTH-shaped request sealed by the initiator (§3.14: IV, AES-CBC over
  payloads | padding | pad length, HMAC-SHA2 ICV truncated per RFC 4868 over the
  whole message), with a fixed IV, for the responder to open.
- The initiator's signed octets RealMessage1 | NonceRData | prf(SK_pi, IDi') (§2.15).

Inputs other than the RFC 5903 values are deterministic bytes from a seed.
Regenerate: python3 Tests/IKEBenchTests/Fixtures/make_ikev2_kat.py > Tests/IKEBenchTests/Fixtures/ikev2_kat.json
"""
import hashlib, hmac, json, struct
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

def det(n, seed):
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{i}".encode()).digest()
        i += 1
    return out[:n]

MODP2048 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)

# RFC 5903 §8.1 (256-bit random ECP group): i, g^i, r, g^r, g^ir.
RFC5903_19 = dict(
    i="C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
    gix="DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180",
    giy="5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
    r="C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
    grx="D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63",
    gry="56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
    girx="D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE",
)

def ecp(curve, size, i, r):
    ki = ec.derive_private_key(i, curve)
    kr = ec.derive_private_key(r, curve)
    def ke(k):
        n = k.public_key().public_numbers()
        return n.x.to_bytes(size, "big") + n.y.to_bytes(size, "big")
    gir = ki.exchange(ec.ECDH(), kr.public_key())
    return i.to_bytes(size, "big"), r.to_bytes(size, "big"), ke(ki), ke(kr), gir

def key_exchange(group, seed):
    if group == 19:
        v = RFC5903_19
        i, r = int(v["i"], 16), int(v["r"], 16)
        pi, pr, gi, gr, gir = ecp(ec.SECP256R1(), 32, i, r)
        assert gi.hex().upper() == v["gix"] + v["giy"], "RFC 5903 g^i"
        assert gr.hex().upper() == v["grx"] + v["gry"], "RFC 5903 g^r"
        assert gir.hex().upper() == v["girx"], "RFC 5903 g^ir"
        return pi, pr, gi, gr, gir
    if group == 20:
        order = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973
        i = int.from_bytes(det(48, seed + "i"), "big") % order
        r = int.from_bytes(det(48, seed + "r"), "big") % order
        return ecp(ec.SECP384R1(), 48, i, r)
    if group == 31:
        pi, pr = det(32, seed + "i"), det(32, seed + "r")
        ki, kr = x25519.X25519PrivateKey.from_private_bytes(pi), x25519.X25519PrivateKey.from_private_bytes(pr)
        raw = lambda k: k.public_key().public_bytes_raw()
        return pi, pr, raw(ki), raw(kr), ki.exchange(kr.public_key())
    if group == 14:
        i = int.from_bytes(det(32, seed + "i"), "big") | (1 << 255)
        r = int.from_bytes(det(32, seed + "r"), "big") | (1 << 255)
        b = lambda v: v.to_bytes(256, "big")
        return i.to_bytes(32, "big"), r.to_bytes(32, "big"), b(pow(2, i, MODP2048)), b(pow(2, r, MODP2048)), b(pow(pow(2, i, MODP2048), r, MODP2048))
    raise ValueError(group)

HASH = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
INTEG = {"sha256_128": ("sha256", 32, 16), "sha384_192": ("sha384", 48, 24), "sha512_256": ("sha512", 64, 32)}

def prf_plus(prf, key, seed, length):
    out, t, n = b"", b"", 1
    while len(out) < length:
        t = prf(key, t + seed + bytes([n]))
        out += t
        n += 1
    return out[:length]

def payload(next_type, body):
    return bytes([next_type, 0]) + struct.pack(">H", 4 + len(body)) + body

def case(group, prf_name, integ_name, enc_bits):
    seed = f"ikev2:{group}:{prf_name}:{integ_name}:{enc_bits}"
    pi, pr, gi, gr, gir = key_exchange(group, seed)
    H = HASH[prf_name]
    prf = lambda k, d: hmac.new(k, d, H).digest()
    ih, ikey, icv_len = INTEG[integ_name]
    ni, nr = det(32, seed + "ni"), det(32, seed + "nr")
    spii, spir = det(8, seed + "spii"), det(8, seed + "spir")
    skeyseed = prf(ni + nr, gir)
    p, e = H().digest_size, enc_bits // 8
    names = ["skD", "skAi", "skAr", "skEi", "skEr", "skPi", "skPr"]
    sizes = [p, ikey, ikey, e, e, p, p]
    km = prf_plus(prf, skeyseed, ni + nr + spii + spir, sum(sizes))
    keys, off = {}, 0
    for name, n in zip(names, sizes):
        keys[name] = km[off:off + n]
        off += n
    # IDi (FQDN) then N(INITIAL_CONTACT), sealed by the initiator in IKE_AUTH (message ID 1).
    idi_body = bytes([2, 0, 0, 0]) + b"initiator.test"
    inner = payload(41, idi_body) + payload(0, bytes([0, 0]) + struct.pack(">H", 16384))
    pad = (16 - (len(inner) + 1) % 16) % 16
    plain = inner + bytes(pad) + bytes([pad])
    iv = det(16, seed + "iv")
    enc = Cipher(algorithms.AES(keys["skEi"]), modes.CBC(iv)).encryptor()
    ct = enc.update(plain) + enc.finalize()
    sk_len = 4 + len(iv) + len(ct) + icv_len
    header = spii + spir + bytes([46, 0x20, 35, 0x08]) + struct.pack(">II", 1, 28 + sk_len)
    covered = header + bytes([35, 0]) + struct.pack(">H", sk_len) + iv + ct
    icv = hmac.new(keys["skAi"], covered, HASH[ih]).digest()[:icv_len]
    message1 = det(300, seed + "message1")
    octets = message1 + nr + prf(keys["skPi"], idi_body)
    hx = lambda b: b.hex()
    return {
        "group": group, "prf": prf_name, "integrity": integ_name, "encryptionBits": enc_bits,
        "input": {"privateI": hx(pi), "privateR": hx(pr), "ni": hx(ni), "nr": hx(nr), "spii": hx(spii), "spir": hx(spir),
                  "message1": hx(message1), "idiBody": hx(idi_body)},
        "expected": {"gi": hx(gi), "gr": hx(gr), "gir": hx(gir), "skeyseed": hx(skeyseed),
                     **{k: hx(v) for k, v in keys.items()},
                     "sealedAuth": hx(covered + icv), "signedOctets": hx(octets)},
    }

cases = [
    case(19, "sha256", "sha256_128", 128),
    case(20, "sha384", "sha384_192", 256),
    case(31, "sha256", "sha256_128", 128),
    case(14, "sha256", "sha256_128", 128),
    case(14, "sha512", "sha512_256", 256),
]
print(json.dumps({"source": "make_ikev2_kat.py (Python hmac/hashlib, cryptography); group 19 from RFC 5903 §8.1", "cases": cases}, indent=1))
