import CryptoFramework

extension Platform {
    /// Every platform this build knows.
    public static var all: [Platform] { [.host] }

    /// The platform called `name` (`host`, …), or nil.
    public static func named(_ name: String) -> Platform? {
        all.first { $0.name == name }
    }
}
