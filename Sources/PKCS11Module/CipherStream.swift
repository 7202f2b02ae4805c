internal import CPKCS11
import CryptoFramework

/// An active C_Encrypt*/C_Decrypt*: a framework stream (``CryptoStream``)
/// that computes each part as it arrives, on the provider chosen at Init.
/// ECB, CBC, CTR and GCM go to the stream as they are; the _PAD mechanisms
/// add or check PKCS #7 padding (RFC 5652 §6.3) around CBC here, holding
/// back the last block of a padded decryption until Final.
///
/// Output lengths are known before anything runs, so a length query or a
/// short buffer leaves the operation as it was (v2.40 §5.2).
struct CipherStream {
    let mechanism: Mechanism
    let padded: Bool
    let encrypting: Bool
    let stream: CryptoStream
    /// Padded CBC: bytes not yet handed to the stream (under a block, or the held-back last block).
    private var pending: [UInt8] = []
    var multiPart = false

    var blockSize: Int { CipherRules.blockLength(mechanism) ?? 16 }

    init(_ argument: MechanismArgument, object: ObjectRecord, state: ModuleState, encrypting: Bool) throws(CryptokiError) {
        _ = try state.mechanism(argument.type, flag: encrypting ? .encrypt : .decrypt)
        let keyType: CK_KEY_TYPE
        switch UInt(argument.type) {
        case MetaslotMechanisms.aesCBCPad: (mechanism, padded) = (.aesCBC, true)
        case MetaslotMechanisms.des3CBCPad: (mechanism, padded) = (.des3CBC, true)
        default:
            guard let m = Mechanism(value: UInt64(argument.type)), CipherRules.blockLength(m) != nil else { throw .mechanismInvalid }
            (mechanism, padded) = (m, false)
        }
        keyType = CipherRules.blockLength(mechanism) == 16 ? CKK_AES : CKK_DES3
        guard case .secret(let key) = object.key, object.keyType == keyType else { throw .keyTypeInconsistent }
        self.encrypting = encrypting
        let parameters = try CipherParameterReader.parameters(mechanism, argument)
        let request: StreamRequest = encrypting
            ? .encrypt(mechanism, key: key, parameters: parameters) : .decrypt(mechanism, key: key, parameters: parameters)
        stream = try state.call.stream(request, function: encrypting ? "C_EncryptInit" : "C_DecryptInit")
    }

    /// Whether a single-part input of `count` bytes has a length the mechanism takes.
    func acceptsSinglePart(_ count: Int) -> Bool {
        if padded { return encrypting || (count > 0 && count % blockSize == 0) }
        return !CipherRules.needsWholeBlocks(mechanism) || count % blockSize == 0
    }

    /// Bytes the next Update of `count` input bytes produces.
    func updateOutputLength(_ count: Int) -> Int {
        guard padded else { return stream.updateOutputLength(count) }
        return stream.updateOutputLength(blocksHandedOn(count))
    }

    /// Padded CBC: how many of the pending bytes plus `count` more go to the
    /// stream now (whole blocks; decryption keeps the last one back for Final).
    private func blocksHandedOn(_ count: Int) -> Int {
        let total = pending.count + count
        var whole = total - total % blockSize
        if !encrypting && whole == total && whole > 0 { whole -= blockSize }
        return whole
    }

    /// Bytes Final produces at most (exactly, except for padded decryption and a GCM tag mismatch).
    var finalOutputLength: Int {
        guard padded else { return stream.finalOutputLength }
        let last = encrypting ? (pending.count / blockSize + 1) * blockSize : pending.count
        return stream.updateOutputLength(last) + stream.finalOutputLength(after: last)
    }

    /// Length a single-part C_Encrypt/C_Decrypt of `count` bytes produces (an upper bound when unpadding).
    func singleOutputLength(_ count: Int) -> Int {
        let input = padded && encrypting ? (count / blockSize + 1) * blockSize : count
        return stream.updateOutputLength(input) + stream.finalOutputLength(after: input)
    }

    mutating func update(_ input: [UInt8], call: FrameworkCall) throws(CryptokiError) -> [UInt8] {
        guard padded else { return try call.streamUpdate(stream, input, function: function("Update"), step: step) }
        let count = blocksHandedOn(input.count)
        pending += input
        guard count > 0 else { return [] }
        let blocks = Array(pending.prefix(count))
        pending.removeFirst(count)
        return try call.streamUpdate(stream, blocks, function: function("Update"), step: step)
    }

    /// Final: for the padded modes, the last block (padding added, or held
    /// back for its padding check) goes through the stream, whose Finish may
    /// return more (a provider without contexts returns everything there).
    mutating func final(call: FrameworkCall) throws(CryptokiError) -> [UInt8] {
        guard padded else { return try call.streamFinish(stream, function: function("Final"), step: step) }
        let last: [UInt8]
        if encrypting {
            let n = blockSize - pending.count % blockSize
            last = pending + [UInt8](repeating: UInt8(n), count: n)
        } else {
            guard pending.count == blockSize else { throw .encryptedDataLenRange }
            last = pending
        }
        pending = []
        let tail = try call.streamUpdate(stream, last, function: function("Final"), step: step)
            + call.streamFinish(stream, function: function("Final"), step: step)
        guard !encrypting else { return tail }
        guard tail.count >= blockSize, let n = tail.last, n >= 1, Int(n) <= blockSize, tail.suffix(Int(n)).allSatisfy({ $0 == n }) else {
            throw .encryptedDataInvalid
        }
        return Array(tail.dropLast(Int(n)))
    }

    private var step: OperationStep { encrypting ? .data : .decrypt }
    private func function(_ suffix: String) -> String { (encrypting ? "C_Encrypt" : "C_Decrypt") + suffix }
}

/// The mechanism parameter of a cipher mechanism, read as PKCS#11 lays it out.
enum CipherParameterReader {
    static func parameters(_ mechanism: Mechanism, _ argument: MechanismArgument) throws(CryptokiError) -> CipherParameters {
        switch mechanism {
        case .aesECB, .des3ECB:
            guard argument.parameter == nil else { throw .mechanismParamInvalid }
            return .none
        case .aesCBC, .des3CBC:
            guard let iv = argument.parameter, iv.count == CipherRules.blockLength(mechanism) else { throw .mechanismParamInvalid }
            return .iv(iv)
        case .aesCTR:
            // CK_AES_CTR_PARAMS (v2.40 §2.10.3): CK_ULONG ulCounterBits, CK_BYTE cb[16].
            guard let p = try argument.structure(CK_AES_CTR_PARAMS.self) else { throw .mechanismParamInvalid }
            let block = withUnsafeBytes(of: p.cb) { Array($0) }
            guard (1...128).contains(p.ulCounterBits) else { throw .mechanismParamInvalid }
            return .counter(block, bits: Int(p.ulCounterBits))
        case .aesGCM:
            return .gcm(try gcm(argument))
        default:
            throw .mechanismInvalid
        }
    }

    /// CK_GCM_PARAMS (v2.40 §2.11.3): pIv, ulIvLen, ulIvBits, pAAD, ulAADLen,
    /// ulTagBits. The IV and additional data are copied out at Init.
    /// ulIvBits is ignored when it disagrees with ulIvLen (OpenSC and
    /// SoftHSM2 read ulIvLen; v3.0 leaves ulIvBits informational).
    private static func gcm(_ argument: MechanismArgument) throws(CryptokiError) -> GCMParameters {
        guard let p = try argument.structure(CK_GCM_PARAMS.self) else { throw .mechanismParamInvalid }
        guard p.ulIvLen >= 1, p.ulIvLen <= CK_ULONG(GCMParameters.maximumIVLength), let ivPointer = p.pIv else { throw .mechanismParamInvalid }
        guard p.ulAADLen <= CK_ULONG(GCMParameters.maximumAdditionalDataLength) else { throw .mechanismParamInvalid }
        guard p.ulAADLen == 0 || p.pAAD != nil else { throw .mechanismParamInvalid }
        guard GCMParameters.allowedTagBits.contains(Int(clamping: p.ulTagBits)) else { throw .mechanismParamInvalid }
        let iv = Array(UnsafeBufferPointer(start: ivPointer, count: Int(p.ulIvLen)))
        let aad = p.ulAADLen == 0 ? [] : Array(UnsafeBufferPointer(start: p.pAAD!, count: Int(p.ulAADLen)))
        return GCMParameters(iv: iv, additionalData: aad, tagBits: Int(p.ulTagBits))
    }
}
