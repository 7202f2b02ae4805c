import SwiftASN1

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What every key codec shares (RSAKeyDER.swift, ECKeyDER.swift): reading one
/// DER element whole, turning SwiftASN1's errors into `keyInvalid` with a
/// message that names the structure, INTEGERs as magnitudes, and wiping
/// intermediate buffers that held key material.
enum KeyDER {
    /// Names for algorithm OIDs a caller is likely to hand us by mistake, so the
    /// error can say what the key is.
    static let knownAlgorithms: [ASN1ObjectIdentifier: String] = [
        [1, 2, 840, 10045, 2, 1]: "id-ecPublicKey, an EC key",  // RFC 5480 §2.1.1
        [1, 2, 840, 113549, 1, 1, 1]: "rsaEncryption, an RSA key",  // RFC 8017 §A.1
        [1, 2, 840, 113549, 1, 1, 10]: "id-RSASSA-PSS, an RSA-PSS-restricted key, which is not supported",  // RFC 8017 §A.2.3
        [1, 2, 840, 10040, 4, 1]: "id-dsa, a DSA key",  // RFC 3279 §2.3.2
        [1, 2, 840, 113549, 1, 3, 1]: "dhKeyAgreement, a DH key",  // PKCS#3
        [1, 2, 840, 10046, 2, 1]: "dhpublicnumber, a DH key",  // RFC 3279 §2.3.3
        [1, 3, 101, 110]: "id-X25519",  // RFC 8410 §3
        [1, 3, 101, 111]: "id-X448",
        [1, 3, 101, 112]: "id-Ed25519",
        [1, 3, 101, 113]: "id-Ed448",
    ]

    // MARK: Parsing

    /// Parses one DER element that must span the whole input, with messages for the
    /// commonest damage (empty input, truncation, trailing bytes) stated plainly.
    static func parseRoot(_ der: ArraySlice<UInt8>, what: String) throws -> ASN1Node {
        guard !der.isEmpty else {
            throw CryptoError(.keyInvalid, "\(what): the input is empty")
        }
        if let declared = outerElementLength(der) {
            if declared < der.count {
                throw CryptoError(
                    .keyInvalid,
                    "\(what): trailing bytes after the key (the DER element is \(declared) bytes, the input \(der.count))")
            }
            if declared > der.count {
                throw CryptoError(
                    .keyInvalid,
                    "\(what): truncated DER (the element declares \(declared) bytes, only \(der.count) given)")
            }
        }
        return try withDecodingContext(what) { try DER.parse(der) }
    }

    /// Total length (header + contents) declared by the first element's header, or
    /// nil when the header itself cannot be read (the full parser then reports why).
    static func outerElementLength(_ der: ArraySlice<UInt8>) -> Int? {
        let start = der.startIndex
        guard der.count >= 2, der[start] & 0x1F != 0x1F else { return nil }
        let first = der[start + 1]
        if first < 0x80 { return 2 + Int(first) }
        let lengthBytes = Int(first & 0x7F)
        guard lengthBytes >= 1, lengthBytes <= 4, der.count >= 2 + lengthBytes else { return nil }
        var length = 0
        for byte in der[(start + 2)..<(start + 2 + lengthBytes)] { length = length << 8 | Int(byte) }
        return 2 + lengthBytes + length
    }

    /// Runs a decoding step, turning SwiftASN1's errors into `keyInvalid` with a
    /// message that names the structure being read.
    static func withDecodingContext<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CryptoError {
            throw error
        } catch let error as ASN1Error {
            let problem: String
            switch error.code {
            case .truncatedASN1Field: problem = "truncated DER element"
            case .invalidASN1IntegerEncoding: problem = "an INTEGER is not minimally encoded"
            case .unsupportedFieldLength: problem = "a DER length field is too large"
            case .unexpectedFieldType: problem = "unexpected ASN.1 element type"
            case .tooFewOIDComponents: problem = "malformed OBJECT IDENTIFIER"
            case .invalidPEMDocument: problem = "malformed PEM"
            default: problem = "malformed DER"
            }
            throw CryptoError(.keyInvalid, "\(what): \(problem) (\(error.code))")
        } catch {
            throw CryptoError(.keyInvalid, "\(what): \(error)")
        }
    }

    /// A tag as a person reads it in an ASN.1 module: "INTEGER", "[0]", "[APPLICATION 2]".
    static func tagName(_ identifier: ASN1Identifier) -> String {
        switch identifier.tagClass {
        case .universal:
            let names: [UInt: String] = [
                1: "BOOLEAN", 2: "INTEGER", 3: "BIT STRING", 4: "OCTET STRING", 5: "NULL",
                6: "OBJECT IDENTIFIER", 16: "SEQUENCE", 17: "SET",
            ]
            return names[identifier.tagNumber] ?? "universal tag \(identifier.tagNumber)"
        case .contextSpecific: return "[\(identifier.tagNumber)]"
        case .application: return "[APPLICATION \(identifier.tagNumber)]"
        case .private: return "[PRIVATE \(identifier.tagNumber)]"
        }
    }

    static func sequenceChildren(_ node: ASN1Node, what: String) throws -> [ASN1Node] {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw CryptoError(.keyInvalid, "\(what): expected a SEQUENCE, found \(tagName(node.identifier))")
        }
        return Array(children)
    }

    /// A positive INTEGER's magnitude, big-endian, the DER sign byte removed.
    /// The slice points into the caller's input: no copy is made here.
    static func positiveInteger(_ node: ASN1Node, name: String) throws -> ArraySlice<UInt8> {
        guard node.identifier == .integer, case .primitive(let bytes) = node.content else {
            throw CryptoError(.keyInvalid, "\(name): expected an INTEGER, found \(tagName(node.identifier))")
        }
        guard let first = bytes.first else {
            throw CryptoError(.keyInvalid, "\(name): INTEGER has no content octets")
        }
        if bytes.count > 1 {
            let second = bytes[bytes.index(after: bytes.startIndex)]
            // X.690 §8.3.2: the first nine bits must not be all zero or all one.
            if (first == 0 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
                throw CryptoError(.keyInvalid, "\(name): INTEGER is not minimally encoded (not DER)")
            }
        }
        guard first & 0x80 == 0 else {
            throw CryptoError(.keyInvalid, "\(name) is negative; it must be a positive INTEGER")
        }
        let magnitude = bytes.drop(while: { $0 == 0 })
        guard !magnitude.isEmpty else {
            throw CryptoError(.keyInvalid, "\(name) is zero; it must be a positive INTEGER")
        }
        return magnitude
    }

    /// A small INTEGER (a version field).
    static func smallInteger(_ node: ASN1Node, name: String) throws -> Int {
        guard node.identifier == .integer else {
            throw CryptoError(.keyInvalid, "\(name): expected an INTEGER, found \(tagName(node.identifier))")
        }
        do {
            return try Int(derEncoded: node)
        } catch {
            throw CryptoError(.keyInvalid, "\(name): not a valid small INTEGER")
        }
    }

    /// Writes a non-negative big-endian magnitude as a DER INTEGER, straight from
    /// the source buffer (so a secret is not copied into an intermediate array).
    static func appendUnsignedInteger<Bytes: Collection<UInt8>>(_ magnitude: Bytes, into serializer: inout DER.Serializer) {
        serializer.appendPrimitiveNode(identifier: .integer) { out in
            let trimmed = magnitude.drop(while: { $0 == 0 })
            guard let top = trimmed.first else {
                out.append(0)
                return
            }
            if top & 0x80 != 0 { out.append(0) }  // sign octet: the value is positive
            out.append(contentsOf: trimmed)
        }
    }

    /// Overwrites an intermediate buffer that held key material.
    static func wipe(_ bytes: inout [UInt8]) { bytes.wipe() }
}
