import Foundation

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
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["req", "-x509", "-newkey", "rsa:\(bits)", "-nodes", "-keyout", stem + ".key", "-out", stem + ".crt",
                       "-days", "30", "-subj", subject, "-addext", "subjectAltName=DNS:\(dnsName)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failure(description: "openssl req failed for \(subject)") }
        return TestCertificate(keyPEM: try String(contentsOfFile: stem + ".key", encoding: .utf8),
                               certificatePEM: try String(contentsOfFile: stem + ".crt", encoding: .utf8),
                               keyPath: stem + ".key", certificatePath: stem + ".crt")
    }
}
