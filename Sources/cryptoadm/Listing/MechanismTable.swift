import CryptoFramework
import TextFormat

/// `cryptoadm list -mv`: Solaris' mechanism table (display_verbose_mech_header
/// and display_mech_info in illumos cmd-crypto/cryptoadm/adm_uef.c): the name
/// left-justified in 29 columns, min and max key size as `%-4ld %-4ld `, then
/// one X or . per flag column, two spaces apart.
enum MechanismTable {
    /// The flag columns in Solaris' order. EC is any CKF_EC_* flag (F_P,
    /// NAMEDCURVE, UNCOMPRESS, COMPRESS): a column shows X when the entry has
    /// any of its flags.
    static let columns: [MechanismFlags] = [
        .hardware, .encrypt, .decrypt, .digest, .sign, .signRecover, .verify, .verifyRecover,
        .generate, .generateKeyPair, .wrap, .unwrap, .derive, .ecAny,
    ]

    /// The header: seven lines of column titles (the last begins "mechanism name"), then dashes.
    static let headerLines: [String] = {
        let blank = String(repeating: " ", count: 28)
        // Column titles written vertically, bottom-aligned, as Solaris prints them:
        // HW Enc Dec Dig Sign Sign+R Veri Veri+R KeyGen PairGen Wrap Unwrap Derive EC.
        let titleRows = [
            "                                     P",
            "                         S     V  K  a     U  D",
            "                         i     e  e  i     n  e",
            "                      S  g  V  r  y  r  W  w  r",
            "             E  D  D  i  n  e  i  G  G  r  r  i",
            "          H  n  e  i  g  +  r  +  e  e  a  a  v  E",
        ]
        var lines = titleRows.map { blank + " " + $0 }
        lines.append(TextColumn.left(28).pad("mechanism name") + " " + "min  max  W  c  c  g  n  R  i  R  n  n  p  p  e  C")
        lines.append(String(repeating: "-", count: 28) + " ---- ---- "
                     + Array(repeating: "-", count: columns.count).joined(separator: "  "))
        return lines
    }()

    /// The name as Solaris prints it in every mechanism list: `%-29s`.
    static let nameColumn = TextColumn.left(29)

    /// One row: `%-29s%-4ld %-4ld ` and the flag columns.
    static func row(_ info: MechanismInfo) -> String {
        nameColumn.pad(info.mechanism.name)
            + TextColumn.left(4).pad(String(info.minKeyBits)) + " "
            + TextColumn.left(4).pad(String(info.maxKeyBits)) + " "
            + columns.map { info.flags.isDisjoint(with: $0) ? "." : "X" }.joined(separator: "  ")
    }
}
