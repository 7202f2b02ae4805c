package import CPKCS11
import CryptoFramework

/// C_EncryptInit/C_Encrypt/C_EncryptUpdate/C_EncryptFinal and the C_Decrypt*
/// set. Each step's output length is known before it runs, so a length
/// query or a short buffer leaves the operation as it was (v2.40 §5.2).
extension Module {
    package func cipherInit(_ session: CK_SESSION_HANDLE, _ mechanism: MechanismArgument, _ key: CK_OBJECT_HANDLE, encrypting: Bool) throws(CryptokiError) {
        // RSA encryption runs as its own operation (RSACipherOperation); one cipher operation per direction.
        guard !rsaCipherActive(session, encrypting: encrypting) else { throw .operationActive }
        if RSACipherOperation.serves(mechanism.type) {
            guard (try? active(session, Self.field(encrypting))) == nil else { throw .operationActive }
            return try rsaCipherInit(session, mechanism, key, encrypting: encrypting)
        }
        try begin(session, Self.field(encrypting), key: key) { (s) throws(CryptokiError) in
            try CipherStream(mechanism, object: s.key(key, usage: encrypting ? CKA_ENCRYPT : CKA_DECRYPT, mechanism: mechanism.type), state: s, encrypting: encrypting)
        }
    }

    package enum CipherStep {
        case single([UInt8])
        case update([UInt8])
        case final
    }

    package func cipher(_ session: CK_SESSION_HANDLE, _ step: CipherStep, encrypting: Bool, _ out: UnsafeMutablePointer<CK_BYTE>?, _ length: UnsafeMutablePointer<CK_ULONG>?) throws(CryptokiError) {
        if rsaCipherActive(session, encrypting: encrypting) {
            return try rsaCipher(session, step, encrypting: encrypting, out, length)
        }
        let field = Self.field(encrypting)
        let (stream, call) = try active(session, field)
        var next = stream
        do throws(CryptokiError) {
            guard length != nil else { throw CryptokiError.argumentsBad }
            // The length first: a query or a short buffer must leave the stream untouched.
            let needed: Int
            switch step {
            case .single(let data):
                guard !stream.multiPart else { throw CryptokiError.operationActive }
                guard stream.acceptsSinglePart(data.count) else { throw encrypting ? CryptokiError.dataLenRange : .encryptedDataLenRange }
                needed = stream.singleOutputLength(data.count)
            case .update(let data):
                needed = stream.updateOutputLength(data.count)
            case .final:
                needed = stream.finalOutputLength
            }
            guard try OutputBuffer.check(needed: needed, buffer: out, length: length) == .written else { return }
            let output: [UInt8]
            switch step {
            case .single(let data):
                output = try next.update(data, call: call) + next.final(call: call)
            case .update(let data):
                next.multiPart = true
                output = try next.update(data, call: call)
            case .final:
                output = try next.final(call: call)
            }
            try OutputBuffer.write(output, to: out, length: length)
        } catch {
            if error.rv != CKR_BUFFER_TOO_SMALL { keep(nil, session, field) }
            throw error
        }
        if case .update = step { keep(next, session, field) } else { keep(nil, session, field) }
    }

    private static func field(_ encrypting: Bool) -> WritableKeyPath<Session, CipherStream?> { encrypting ? \.encrypt : \.decrypt }
}
