import CryptoFramework
import Providers

/// The edge-case requests of the differential suite (docs/rsa-input-rules.md
/// gives the answer chosen for each edge and why).
enum DifferentialCases {
    // MARK: Values around a modulus or prime

    static func minusOne(_ n: [UInt8]) -> [UInt8] {
        var v = n
        var i = v.count - 1
        while v[i] == 0 { v[i] = 0xFF; i -= 1 }
        v[i] -= 1
        return v
    }

    static func plusOne(_ n: [UInt8]) -> [UInt8] {
        var v = n
        var i = v.count - 1
        while i >= 0 && v[i] == 0xFF { v[i] = 0; i -= 1 }
        if i < 0 { return [1] + v }
        v[i] += 1
        return v
    }

    static func padded(_ v: [UInt8], to k: Int) -> [UInt8] { [UInt8](repeating: 0, count: max(k - v.count, 0)) + v }

    // MARK: RSA

    /// Data for the mechanisms that take the caller's bytes as they are (X.509, PKCS).
    static func rawData(_ key: RSAPublicKey) -> [(String, [UInt8])] {
        let k = key.byteCount, n = key.modulus
        return [
            ("empty", []), ("zero", [0]), ("one", [1]), ("short", Array("abc".utf8)),
            ("20 bytes", [UInt8](repeating: 0x14, count: 20)), ("32 bytes", [UInt8](repeating: 0x20, count: 32)),
            ("k−11 bytes", [UInt8](repeating: 0x5A, count: k - 11)), ("k−10 bytes", [UInt8](repeating: 0x5A, count: k - 10)),
            ("k zero bytes", [UInt8](repeating: 0, count: k)), ("n−1", minusOne(n)), ("= n", n), ("n+1", plusOne(n)),
            ("> n (k bytes of ff)", [UInt8](repeating: 0xFF, count: k)),
            ("k+1 bytes, value below n", [0] + minusOne(n)), ("long (k+1 bytes)", [1] + n),
        ]
    }

    /// Data for the mechanisms that hash it first: any length is an input.
    static let hashedData: [(String, [UInt8])] = [("empty", []), ("short", Array("abc".utf8)), ("long", [UInt8](repeating: 0xA5, count: 3000))]

    /// Signatures every verify case is also tried with, besides a valid one.
    static func badSignatures(_ key: RSAPublicKey) -> [(String, [UInt8])] {
        let k = key.byteCount, n = key.modulus
        return [
            ("empty signature", []), ("four bytes", [1, 2, 3, 4]),
            ("short signature (k−1)", [UInt8](repeating: 1, count: k - 1)),
            ("short signature (k−8)", [UInt8](repeating: 1, count: k - 8)),
            ("short signature (k−9)", [UInt8](repeating: 1, count: k - 9)),
            ("long signature (k+1)", [UInt8](repeating: 1, count: k + 1)), ("zero signature", [UInt8](repeating: 0, count: k)),
            ("signature one", padded([1], to: k)), ("signature n−1", padded(minusOne(n), to: k)),
            ("signature = n", padded(n, to: k)), ("signature > n", [UInt8](repeating: 0xFF, count: k)),
        ]
    }

    static let hashes = HashAlgorithm.allCases
    static func pkcsHashed(_ h: HashAlgorithm) -> Mechanism {
        switch h {
        case .sha1: .sha1RSAPKCS
        case .sha224: .sha224RSAPKCS
        case .sha256: .sha256RSAPKCS
        case .sha384: .sha384RSAPKCS
        case .sha512: .sha512RSAPKCS
        }
    }
    static func pssHashed(_ h: HashAlgorithm) -> Mechanism {
        switch h {
        case .sha1: .sha1RSAPKCSPSS
        case .sha224: .sha224RSAPKCSPSS
        case .sha256: .sha256RSAPKCSPSS
        case .sha384: .sha384RSAPKCSPSS
        case .sha512: .sha512RSAPKCSPSS
        }
    }

    /// PSS parameter sets around the edges for `hash` under `key`.
    static func pssParameters(_ hash: HashAlgorithm, key: RSAPublicKey) -> [(String, PSSParameters?, CryptoError.Code?)] {
        let emLen = (key.bits - 1 + 7) / 8
        let maxSalt = emLen - hash.digestLength - 2
        return [
            ("default parameters", nil, nil),
            ("salt 0", PSSParameters(hash: hash, saltLength: 0), nil),
            ("largest salt (\(maxSalt))", PSSParameters(hash: hash, saltLength: maxSalt), nil),
            ("salt one too large (\(maxSalt + 1))", PSSParameters(hash: hash, saltLength: maxSalt + 1), .mechanismParamInvalid),
            ("salt k+1", PSSParameters(hash: hash, saltLength: key.byteCount + 1), .mechanismParamInvalid),
            ("salt −1", PSSParameters(hash: hash, saltLength: -1), .mechanismParamInvalid),
            ("salt Int.max", PSSParameters(hash: hash, saltLength: .max), .mechanismParamInvalid),
        ]
    }

    /// Sign cases for `key` (private) and verify cases with signatures made by `reference`.
    static func rsa(_ key: RSAPrivateKey, reference: CryptoFramework) -> [DifferentialCase] {
        let pub = key.publicKey
        let tag = "\(pub.bits)-bit key"
        var cases: [DifferentialCase] = []

        /// Sign and verify of `data`; verify with the reference's signature when there is one,
        /// and with the bad signatures when `allSignatures`.
        func both(_ m: Mechanism, _ dataName: String, _ data: [UInt8], pss: PSSParameters? = nil, paramName: String = "",
                  expected: CryptoError.Code? = nil, allSignatures: Bool = false) {
            let what = "\(m.name)\(paramName) \(tag), data \(dataName)"
            cases.append(DifferentialCase(name: "sign \(what)", request: .sign(m, key: key, data: data, pss: pss), expected: expected.map { .error($0) }))
            var signatures: [(String, [UInt8])] = []
            if let good = try? reference.sign(m, key: key, data: data, pss: pss) {
                signatures.append(("valid signature", good))
            }
            signatures += allSignatures ? badSignatures(pub) : [("signature > n", [UInt8](repeating: 0xFF, count: pub.byteCount))]
            for (sigName, sig) in signatures {
                // Parameters and data are judged first, then the signature's length, then its range.
                let wanted: DifferentialOutcome?
                if let expected {
                    wanted = .error(expected)
                } else if sig.count > pub.byteCount || sig.count < pub.byteCount - RSAInputRules.maxSignatureShortfall {
                    wanted = .error(.signatureLengthRange)
                } else if DHRange.compare(sig, pub.modulus) >= 0 {
                    wanted = .verified(false)
                } else {
                    wanted = nil
                }
                cases.append(DifferentialCase(
                    name: "verify \(what), \(sigName)", request: .verify(m, key: pub, data: data, signature: sig, pss: pss), expected: wanted))
            }
        }

        // CKM_RSA_X_509: the documented edges are data ≥ n (dataInvalid) and longer than k (dataLengthRange).
        for (name, data) in rawData(pub) {
            let expected: CryptoError.Code?
            if data.count > pub.byteCount { expected = .dataLengthRange } else if DHRange.compare(data, pub.modulus) >= 0 { expected = .dataInvalid } else { expected = nil }
            both(.rsaX509, name, data, expected: expected, allSignatures: name == "short" || name == "= n")
        }
        // CKM_RSA_PKCS: at most k − 11 bytes.
        for (name, data) in rawData(pub) {
            both(.rsaPKCS, name, data, expected: data.count > pub.byteCount - 11 ? .dataLengthRange : nil, allSignatures: name == "short")
        }
        for h in hashes {
            for (name, data) in hashedData { both(pkcsHashed(h), name, data, allSignatures: h == .sha256 && name == "short") }
            // The default salt is hLen: SHA-512 with a 64-byte salt does not fit a 1024-bit key.
            let fits = 2 * h.digestLength + 2 <= (pub.bits - 1 + 7) / 8
            for (name, data) in hashedData {
                both(pssHashed(h), name, data, expected: fits ? nil : .mechanismParamInvalid, allSignatures: h == .sha256 && name == "short")
            }
        }
        // CKM_RSA_PKCS_PSS over a caller's digest: only digest lengths are inputs.
        for (name, data) in [("empty", []), ("one", [1]), ("19 bytes", [UInt8](repeating: 3, count: 19)),
                             ("20 bytes", [UInt8](repeating: 3, count: 20)), ("32 bytes", [UInt8](repeating: 3, count: 32)),
                             ("k bytes", [UInt8](repeating: 3, count: pub.byteCount))] as [(String, [UInt8])] {
            let known = [20, 28, 32, 48, 64].contains(data.count)
            both(.rsaPKCSPSS, name, data, expected: known ? nil : .dataLengthRange, allSignatures: name == "32 bytes")
        }
        // PSS parameters at the edges, on the raw and a hashed PSS mechanism.
        for (paramName, parameters, expected) in pssParameters(.sha256, key: pub) {
            both(.rsaPKCSPSS, "32 bytes", [UInt8](repeating: 3, count: 32), pss: parameters, paramName: " (\(paramName))", expected: expected)
            both(.sha256RSAPKCSPSS, "short", Array("abc".utf8), pss: parameters, paramName: " (\(paramName))", expected: expected)
        }
        both(.sha256RSAPKCSPSS, "short", Array("abc".utf8), pss: PSSParameters(hash: .sha1), paramName: " (parameters name SHA-1)", expected: .mechanismParamInvalid)
        both(.rsaPKCSPSS, "32 bytes", [UInt8](repeating: 3, count: 32), pss: PSSParameters(hash: .sha1), paramName: " (SHA-1 parameters, SHA-256-sized data)", expected: .dataLengthRange)
        both(.rsaPKCS, "short", Array("abc".utf8), pss: PSSParameters(hash: .sha256), paramName: " (with PSS parameters)", expected: .mechanismParamInvalid)
        both(.sha256RSAPKCS, "short", Array("abc".utf8), pss: PSSParameters(hash: .sha256), paramName: " (with PSS parameters)", expected: .mechanismParamInvalid)
        return cases
    }

    // MARK: DH

    /// Derive cases for a private key of `group` with peers at every edge of 2...p−2.
    static func dh(_ pair: DHKeyPair, peer: DHKeyPair) -> [DifferentialCase] {
        let group = pair.group, p = group.prime
        let peers: [(String, [UInt8], CryptoError.Code?)] = [
            ("valid", peer.publicValue, nil),
            ("valid without leading zeros", Array(peer.publicValue.drop(while: { $0 == 0 })), nil),
            ("empty", [], .argumentsBad), ("0", [0], .dataInvalid), ("1", [1], .dataInvalid), ("2", [2], nil),
            ("p−2", minusOne(minusOne(p)), nil), ("p−1", minusOne(p), .dataInvalid), ("p", p, .dataInvalid),
            ("p+1", plusOne(p), .dataInvalid), ("> p (all ff)", [UInt8](repeating: 0xFF, count: p.count), .dataInvalid),
            ("too long (leading zero)", [0] + peer.publicValue, .dataLengthRange), ("too long", [1] + p, .dataLengthRange),
        ]
        return peers.map { name, value, expected in
            DifferentialCase(
                name: "derive \(group.bits)-bit group, peer \(name)",
                request: .deriveDH(privateKey: pair.privateKey, peerPublicValue: value), expected: expected.map { .error($0) })
        }
    }
}
