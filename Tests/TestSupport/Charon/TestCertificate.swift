import Foundation
import ProcessSupport

/// A self-signed RSA certificate and its key, made with the openssl command
/// (`make deps` installs it), for interop tests.
public struct TestCertificate: Sendable {
    public let keyPEM: String
    public let certificatePEM: String
    public let keyPath: String
    public let certificatePath: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `subject` as openssl writes it ("/C=CH/O=ikebench/CN=peer"), with `dnsName` as subjectAltName.
    public static func make(subject: String, dnsName: String, bits: Int = 2048, in directory: URL) throws -> TestCertificate {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stem = directory.appendingPathComponent(dnsName).path
        try openssl(["req", "-x509", "-newkey", "rsa:\(bits)", "-nodes", "-keyout", stem + ".key", "-out", stem + ".crt",
                     "-days", "30", "-subj", subject, "-addext", "subjectAltName=DNS:\(dnsName)"])
        return try load(stem)
    }

    /// A self-signed certificate with an EC key on `curve` (openssl's name: P-256, P-384, P-521).
    public static func makeEC(subject: String, dnsName: String, curve: String = "P-256", in directory: URL) throws -> TestCertificate {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stem = directory.appendingPathComponent(dnsName).path
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-nodes", "-keyout", stem + ".key",
                     "-out", stem + ".crt", "-days", "30", "-subj", subject, "-addext", "subjectAltName=DNS:\(dnsName)"])
        return try load(stem)
    }

    /// A self-signed certificate with an Ed25519 key (PKCS#8), which IKEv2 signs with (RFC 8420).
    public static func makeEd25519(subject: String, dnsName: String, in directory: URL) throws -> TestCertificate {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stem = directory.appendingPathComponent(dnsName).path
        try openssl(["req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", stem + ".key", "-out", stem + ".crt",
                     "-days", "30", "-subj", subject, "-addext", "subjectAltName=DNS:\(dnsName)"])
        return try load(stem)
    }

    /// A certificate for `subject`/`dnsName` signed by `issuer` (a CA made by ``make(subject:dnsName:bits:in:)``,
    /// which openssl marks CA:TRUE), itself not a CA.
    public static func make(subject: String, dnsName: String, issuedBy issuer: TestCertificate, bits: Int = 2048,
                            in directory: URL) throws -> TestCertificate {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stem = directory.appendingPathComponent(dnsName).path
        try openssl(["req", "-new", "-newkey", "rsa:\(bits)", "-nodes", "-keyout", stem + ".key", "-out", stem + ".csr",
                     "-subj", subject])
        let ext = stem + ".ext"
        try "basicConstraints=CA:FALSE\nsubjectAltName=DNS:\(dnsName)\n".write(toFile: ext, atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", stem + ".csr", "-CA", issuer.certificatePath, "-CAkey", issuer.keyPath,
                     "-CAcreateserial", "-out", stem + ".crt", "-days", "30", "-extfile", ext])
        return try load(stem)
    }

    private static func load(_ stem: String) throws -> TestCertificate {
        TestCertificate(keyPEM: try String(contentsOfFile: stem + ".key", encoding: .utf8),
                        certificatePEM: try String(contentsOfFile: stem + ".crt", encoding: .utf8),
                        keyPath: stem + ".key", certificatePath: stem + ".crt")
    }

    private static func openssl(_ arguments: [String]) throws {
        var command = Command("/usr/bin/openssl", arguments)
        command.preloadsSanitizerRuntime = false  // it never loads the module here
        let outcome = try ChildProcess.run(command)
        guard outcome.termination == .exited(0) else {
            throw Failure(description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed, \(outcome)")
        }
    }
}
