internal import CPKCS11
import CryptoFramework

/// The `pkcs11-template` seeds (Fuzz/Corpus/pkcs11-template/), encoded as
/// ``PKCS11TemplateFuzzInput`` reads them: the templates pkcs11-tool and
/// strongSwan send (OpenSC `src/tools/pkcs11-tool.c`, strongSwan
/// `libstrongswan/plugins/pkcs11`), read off their source, RSA at 1024 bits
/// so the fuzzer does generate it. FuzzCorpusTests writes them with FUZZ_REGENERATE_SEEDS=1.
public enum PKCS11TemplateSeeds {
    typealias Attribute = PKCS11TemplateFuzzInput.Attribute

    public static var all: [(name: String, bytes: [UInt8])] {
        let yes: [UInt8] = [1], no: [UInt8] = [0]
        let id: [UInt8] = [0x45, 0x01]
        return [
            // pkcs11-tool --keypairgen --key-type rsa:1024 --id 4501 --label fuzz
            ("pkcs11-tool-keypairgen-rsa", encode(.keyPair(CK_MECHANISM_TYPE(CKM_RSA_PKCS_KEY_PAIR_GEN)), publicCount: 8, [
                ulong(CKA_CLASS, CKO_PUBLIC_KEY), ulong(CKA_KEY_TYPE, CKK_RSA), bytes(CKA_TOKEN, yes), bytes(CKA_VERIFY, yes),
                bytes(CKA_ENCRYPT, yes), ulong(CKA_MODULUS_BITS, 1024), bytes(CKA_PUBLIC_EXPONENT, [1, 0, 1]), bytes(CKA_ID, id),
                ulong(CKA_CLASS, CKO_PRIVATE_KEY), ulong(CKA_KEY_TYPE, CKK_RSA), bytes(CKA_TOKEN, yes), bytes(CKA_PRIVATE, yes),
                bytes(CKA_SENSITIVE, yes), bytes(CKA_SIGN, yes), bytes(CKA_DECRYPT, yes), bytes(CKA_ID, id),
            ])),
            // pkcs11-tool --keygen --key-type AES:32 --label fuzz
            ("pkcs11-tool-keygen-aes", encode(.key(CK_MECHANISM_TYPE(CKM_AES_KEY_GEN)), [
                ulong(CKA_CLASS, CKO_SECRET_KEY), ulong(CKA_KEY_TYPE, CKK_AES), bytes(CKA_TOKEN, yes), ulong(CKA_VALUE_LEN, 32),
                bytes(CKA_ENCRYPT, yes), bytes(CKA_DECRYPT, yes), bytes(CKA_LABEL, Array("fuzz".utf8)),
            ])),
            // pkcs11-tool --keygen --key-type DES3:24 (session key)
            ("pkcs11-tool-keygen-des3", encode(.key(CK_MECHANISM_TYPE(CKM_DES3_KEY_GEN)), [
                ulong(CKA_CLASS, CKO_SECRET_KEY), ulong(CKA_KEY_TYPE, CKK_DES3), bytes(CKA_TOKEN, no), bytes(CKA_ENCRYPT, yes),
            ])),
            // pkcs11-tool --write-object data.bin --type data --application-label app
            ("pkcs11-tool-write-data", encode(.create, [
                ulong(CKA_CLASS, CKO_DATA), bytes(CKA_TOKEN, yes), bytes(CKA_APPLICATION, Array("app".utf8)),
                bytes(CKA_LABEL, Array("fuzz".utf8)), bytes(CKA_VALUE, Array("some data".utf8)),
            ])),
            // pkcs11-tool --write-object key.bin --type secrkey --key-type AES:16
            ("pkcs11-tool-write-secret", encode(.create, [
                ulong(CKA_CLASS, CKO_SECRET_KEY), ulong(CKA_KEY_TYPE, CKK_AES), bytes(CKA_TOKEN, no),
                bytes(CKA_VALUE, Array(repeating: 0x42, count: 16)), bytes(CKA_ENCRYPT, yes), bytes(CKA_SENSITIVE, no),
            ])),
            // strongSwan pkcs11_dh: DH key pair in MODP group 2 (1024 bits), public template CKA_PRIME and CKA_BASE
            ("strongswan-dh-keypair", encode(.keyPair(CK_MECHANISM_TYPE(CKM_DH_PKCS_KEY_PAIR_GEN)), publicCount: 2, [
                bytes(CKA_PRIME, DHGroup.ike(2)!.prime), bytes(CKA_BASE, DHGroup.ike(2)!.generator), bytes(CKA_DERIVE, yes),
            ])),
            // strongSwan pkcs11_private_key: find the private key by class and CKA_ID, then its key type
            ("strongswan-find-private-key", encode(.none, [ulong(CKA_CLASS, CKO_PRIVATE_KEY), bytes(CKA_ID, id)])),
            // pkcs11-tool --list-objects: sizes first (NULL pValue), as p11tool and libp11 ask too
            ("size-query", encode(.none, [
                Attribute(type: CK_ATTRIBUTE_TYPE(CKA_LABEL), value: [], passing: .nullValue),
                Attribute(type: CK_ATTRIBUTE_TYPE(CKA_VALUE), value: [], passing: .nullValue),
                Attribute(type: CK_ATTRIBUTE_TYPE(CKA_KEY_TYPE), value: [], passing: .nullValue),
            ])),
            // A value shorter than its length says, then CK_UNAVAILABLE_INFORMATION as a length
            ("lying-lengths", encode(.create, [
                ulong(CKA_CLASS, CKO_DATA), Attribute(type: CK_ATTRIBUTE_TYPE(CKA_LABEL), value: Array("ab".utf8), passing: .longerThanValue(extra: 6)),
                Attribute(type: CK_ATTRIBUTE_TYPE(CKA_VALUE), value: [], passing: .unavailableLength),
            ])),
            // A vendor-defined type, and the same type twice
            ("vendor-and-duplicate", encode(.create, [
                ulong(CKA_CLASS, CKO_DATA), Attribute(type: 0x8000_1234 /* CKA_VENDOR_DEFINED | 0x1234 */, value: [1, 2], passing: .value),
                bytes(CKA_LABEL, [0x61]), bytes(CKA_LABEL, [0x62]),
            ])),
        ]
    }

    enum Call {
        case create, none
        case keyPair(CK_MECHANISM_TYPE), key(CK_MECHANISM_TYPE)
    }

    static func ulong(_ type: some BinaryInteger, _ value: some BinaryInteger) -> Attribute {
        Attribute(type: CK_ATTRIBUTE_TYPE(type), value: withUnsafeBytes(of: CK_ULONG(value)) { Array($0) }, passing: .value)
    }

    static func bytes(_ type: some BinaryInteger, _ value: [UInt8]) -> Attribute {
        Attribute(type: CK_ATTRIBUTE_TYPE(type), value: value, passing: .value)
    }

    /// The input bytes that decode to this call and template.
    static func encode(_ call: Call, publicCount: Int = 0, _ attributes: [Attribute]) -> [UInt8] {
        let selector: UInt8
        switch call {
        case .create: selector = 0
        case .none: selector = 3
        case .keyPair(let m):
            selector = 1 | UInt8(PKCS11TemplateFuzzInput.keyPairMechanisms.firstIndex(of: m)!) << 2
        case .key(let m):
            selector = 2 | UInt8(PKCS11TemplateFuzzInput.keyMechanisms.firstIndex(of: m)!) << 2
        }
        var out: [UInt8] = [selector, UInt8(publicCount)]
        for a in attributes {
            if let known = PKCS11TemplateFuzzInput.knownTypes.firstIndex(of: a.type) {
                out.append(UInt8(known))
            } else {
                out.append(0xF0)
                out += (0..<4).map { UInt8(truncatingIfNeeded: a.type >> ($0 * 8)) }
            }
            let mode: UInt8
            switch a.passing {
            case .value: mode = 0
            case .nullValue: mode = 4
            case .longerThanValue: mode = 5
            case .unavailableLength: mode = 6
            case .empty: mode = 7
            }
            if a.value.count < 0x1F {
                out.append(mode << 5 | UInt8(a.value.count))
            } else {
                out += [mode << 5 | 0x1F, UInt8(a.value.count)]
            }
            out += a.value
            if case .longerThanValue(let extra) = a.passing { out.append(UInt8(extra)) }
        }
        return out
    }
}
