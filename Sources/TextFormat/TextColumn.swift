/// One column of a plain-text table: how wide it is and which side its text
/// keeps to. Widths count Characters, so "µs", "×" and "→" take one column
/// each (Foundation's `%-22@` does not pad at all on Linux).
public struct TextColumn: Sendable, Hashable {
    public enum Alignment: Sendable, Hashable {
        case left, right
    }

    public var alignment: Alignment
    public var width: Int

    public init(_ alignment: Alignment, width: Int) {
        self.alignment = alignment
        self.width = width
    }

    public static func left(_ width: Int) -> TextColumn { TextColumn(.left, width: width) }
    public static func right(_ width: Int) -> TextColumn { TextColumn(.right, width: width) }

    /// `text` padded with spaces to the column's width and never truncated,
    /// as printf's `%-Ns` and `%Ns`; with `minimumPadding`, at least that many
    /// spaces even when the text fills the column.
    public func pad(_ text: String, minimumPadding: Int = 0) -> String {
        let spaces = String(repeating: " ", count: max(minimumPadding, width - text.count))
        return alignment == .left ? text + spaces : spaces + text
    }
}
