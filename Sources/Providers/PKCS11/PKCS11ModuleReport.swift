internal import CPKCS11
import CryptoFramework

/// What `cryptoadm list -v` prints for a PKCS#11 module: every slot with its
/// token, in the format of Solaris' list_mechlist_for_lib (illumos
/// cmd-crypto/cryptoadm/adm_uef.c, verbose): slot description, manufacturer,
/// PKCS#11 version, then the token's label, manufacturer ID, model, serial
/// number, versions, PIN lengths and flags. Fields are shown without their
/// blank padding.
public enum PKCS11ModuleReport {
    public static func verboseText(path: String) throws -> String {
        let library = try PKCS11Library.load(path)
        let slots = try library.slotList()
        var text = "Number of slots: \(slots.count)\n"
        for (i, slot) in slots.enumerated() {
            text += "\nSlot #\(i + 1)\n"
            let s = try library.slotInfo(slot)
            let v = library.info.functionListVersion
            text += "Description: \(PKCS11Text.padded(s.slotDescription))\n"
            text += "Manufacturer: \(PKCS11Text.padded(s.manufacturerID))\n"
            text += "PKCS#11 Version: \(v.major).\(v.minor)\n"
            text += "Hardware Version: \(s.hardwareVersion.major).\(s.hardwareVersion.minor)\n"
            text += "Firmware Version: \(s.firmwareVersion.major).\(s.firmwareVersion.minor)\n"
            let present = s.flags & CK_FLAGS(CKF_TOKEN_PRESENT) != 0
            text += "Token Present: \(present ? "True" : "False")\n"
            text += "Slot Flags: " + flagNames(s.flags, slotFlags) + "\n"
            guard present else { continue }
            let t = try library.tokenInfo(slot)
            text += "Token Label: \(PKCS11Text.padded(t.label))\n"
            text += "Manufacturer ID: \(PKCS11Text.padded(t.manufacturerID))\n"
            text += "Model: \(PKCS11Text.padded(t.model))\n"
            text += "Serial Number: \(PKCS11Text.padded(t.serialNumber))\n"
            text += "Hardware Version: \(t.hardwareVersion.major).\(t.hardwareVersion.minor)\n"
            text += "Firmware Version: \(t.firmwareVersion.major).\(t.firmwareVersion.minor)\n"
            text += "UTC Time: \(PKCS11Text.padded(t.utcTime))\n"
            text += "PIN Min Length: \(t.ulMinPinLen)\n"
            text += "PIN Max Length: \(t.ulMaxPinLen)\n"
            text += "Flags: " + flagNames(t.flags, tokenFlags) + "\n"
        }
        return text
    }

    /// Solaris prints each set flag's name followed by a blank.
    private static func flagNames(_ flags: CK_FLAGS, _ names: [(Int32, String)]) -> String {
        names.filter { flags & CK_FLAGS($0.0) != 0 }.map { $0.1 + " " }.joined()
    }

    private static let slotFlags: [(Int32, String)] = [
        (Int32(CKF_TOKEN_PRESENT), "CKF_TOKEN_PRESENT"), (Int32(CKF_REMOVABLE_DEVICE), "CKF_REMOVABLE_DEVICE"),
        (Int32(CKF_HW_SLOT), "CKF_HW_SLOT"),
    ]

    /// In display_token_flags' order.
    private static let tokenFlags: [(Int32, String)] = [
        (Int32(CKF_RNG), "CKF_RNG"), (Int32(CKF_WRITE_PROTECTED), "CKF_WRITE_PROTECTED"),
        (Int32(CKF_LOGIN_REQUIRED), "CKF_LOGIN_REQUIRED"), (Int32(CKF_USER_PIN_INITIALIZED), "CKF_USER_PIN_INITIALIZED"),
        (Int32(CKF_RESTORE_KEY_NOT_NEEDED), "CKF_RESTORE_KEY_NOT_NEEDED"), (Int32(CKF_CLOCK_ON_TOKEN), "CKF_CLOCK_ON_TOKEN"),
        (Int32(CKF_PROTECTED_AUTHENTICATION_PATH), "CKF_PROTECTED_AUTHENTICATION_PATH"),
        (Int32(CKF_DUAL_CRYPTO_OPERATIONS), "CKF_DUAL_CRYPTO_OPERATIONS"), (Int32(CKF_TOKEN_INITIALIZED), "CKF_TOKEN_INITIALIZED"),
        (Int32(CKF_SECONDARY_AUTHENTICATION), "CKF_SECONDARY_AUTHENTICATION"),
        (Int32(CKF_USER_PIN_COUNT_LOW), "CKF_USER_PIN_COUNT_LOW"), (Int32(CKF_USER_PIN_FINAL_TRY), "CKF_USER_PIN_FINAL_TRY"),
        (Int32(CKF_USER_PIN_LOCKED), "CKF_USER_PIN_LOCKED"), (Int32(CKF_USER_PIN_TO_BE_CHANGED), "CKF_USER_PIN_TO_BE_CHANGED"),
        (Int32(CKF_SO_PIN_COUNT_LOW), "CKF_SO_PIN_COUNT_LOW"), (Int32(CKF_SO_PIN_FINAL_TRY), "CKF_SO_PIN_FINAL_TRY"),
        (Int32(CKF_SO_PIN_LOCKED), "CKF_SO_PIN_LOCKED"), (Int32(CKF_SO_PIN_TO_BE_CHANGED), "CKF_SO_PIN_TO_BE_CHANGED"),
    ]
}
