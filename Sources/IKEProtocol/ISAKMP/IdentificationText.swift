/// IDs as people write them (the `--id` forms): `fqdn:NAME`, `ipv4:A.B.C.D`,
/// `dn:<hex DER>` (a DN's text form needs an X.509 library; IKEServer has one).
extension Identification: CustomStringConvertible {
    public var description: String {
        switch kind {
        case .fqdn: "fqdn:" + String(decoding: data, as: UTF8.self)
        case .userFQDN: "email:" + String(decoding: data, as: UTF8.self)
        case .ipv4Address: "ipv4:" + data.map(String.init).joined(separator: ".")
        case .derASN1DN: "dn:" + data.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        default: "id-type-\(kind.rawValue):\(data.count) bytes"
        }
    }
}
