package import CPKCS11
import CryptoFramework

/// An active C_Encrypt*/C_Decrypt* in CBC mode over the framework's CBC
/// (whole blocks, no padding): partial blocks wait in `pending`, the IV
/// follows the last ciphertext block, and the _PAD mechanisms add or check
/// PKCS #7 padding (RFC 5652 §6.3) at the end. Decryption with padding holds
/// back the last block until Final, where the padding is checked.
struct CipherStream {
    let mechanism: Mechanism
    let padded: Bool
    let encrypting: Bool
    let key: SecureBytes
    private(set) var iv: [UInt8]
    private var pending: [UInt8] = []
    var multiPart = false

    var blockSize: Int { mechanism == .aesCBC ? 16 : 8 }

    init(_ argument: MechanismArgument, object: ObjectRecord, state: ModuleState, encrypting: Bool) throws(CryptokiError) {
        _ = try state.mechanism(argument.type, flag: encrypting ? .encrypt : .decrypt)
        switch UInt(argument.type) {
        case UInt(Mechanism.aesCBC.value): (mechanism, padded) = (.aesCBC, false)
        case MetaslotMechanisms.aesCBCPad: (mechanism, padded) = (.aesCBC, true)
        case UInt(Mechanism.des3CBC.value): (mechanism, padded) = (.des3CBC, false)
        case MetaslotMechanisms.des3CBCPad: (mechanism, padded) = (.des3CBC, true)
        default: throw .mechanismInvalid
        }
        guard case .secret(let key) = object.key, object.keyType == (mechanism == .aesCBC ? CKK_AES : CKK_DES3) else {
            throw .keyTypeInconsistent
        }
        self.encrypting = encrypting
        self.key = key
        iv = argument.parameter ?? []
        guard iv.count == blockSize else { throw .mechanismParamInvalid }
    }

    /// Bytes the next Update of `count` input bytes produces.
    func updateOutputLength(_ count: Int) -> Int {
        let total = pending.count + count
        var whole = total - total % blockSize
        if padded && !encrypting && whole == total && whole > 0 { whole -= blockSize }  // keep the last block
        return whole
    }

    /// Bytes Final produces at most (exactly, except for padded decryption).
    var finalOutputLength: Int {
        guard padded else { return 0 }
        return encrypting ? (pending.count / blockSize + 1) * blockSize : pending.count
    }

    /// Length a single-part C_Encrypt/C_Decrypt of `count` bytes produces (an upper bound when unpadding).
    func singleOutputLength(_ count: Int) -> Int {
        encrypting && padded ? (count / blockSize + 1) * blockSize : count
    }

    mutating func update(_ input: [UInt8], call: FrameworkCall) throws(CryptokiError) -> [UInt8] {
        pending += input
        let count = updateOutputLength(0)
        guard count > 0 else { return [] }
        let blocks = Array(pending.prefix(count))
        pending.removeFirst(count)
        return try run(blocks, call: call)
    }

    mutating func final(call: FrameworkCall) throws(CryptokiError) -> [UInt8] {
        guard padded else {
            guard pending.isEmpty else { throw encrypting ? .dataLenRange : .encryptedDataLenRange }
            return []
        }
        if encrypting {
            let n = blockSize - pending.count % blockSize
            let output = try run(pending + [UInt8](repeating: UInt8(n), count: n), call: call)
            pending = []
            return output
        }
        guard pending.count == blockSize else { throw .encryptedDataLenRange }
        let block = try run(pending, call: call)
        pending = []
        guard let n = block.last, n >= 1, Int(n) <= blockSize, block.suffix(Int(n)).allSatisfy({ $0 == n }) else {
            throw .encryptedDataInvalid
        }
        return Array(block.dropLast(Int(n)))
    }

    private mutating func run(_ blocks: [UInt8], call: FrameworkCall) throws(CryptokiError) -> [UInt8] {
        let request: CryptoRequest = encrypting
            ? .encrypt(mechanism, key: key, iv: iv, data: blocks) : .decrypt(mechanism, key: key, iv: iv, data: blocks)
        let output = try call.bytes(request, function: encrypting ? "C_Encrypt" : "C_Decrypt", step: encrypting ? .data : .decrypt)
        iv = Array((encrypting ? output : blocks).suffix(blockSize))
        return output
    }
}
