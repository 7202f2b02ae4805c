/// The rows of a plain-text table: each cell padded to its column
/// (``TextColumn/pad(_:minimumPadding:)``), the cells joined by `separator`.
/// Every table the tools print is one of these.
public struct TextTable: Sendable, Hashable {
    public var columns: [TextColumn]
    public var separator: String
    /// Spaces a cell keeps on its padded side even when its text fills the
    /// column, so that a long value never touches its neighbour when the
    /// separator is empty (0: the separator alone parts the cells).
    public var minimumPadding: Int

    public init(_ columns: [TextColumn], separator: String = " ", minimumPadding: Int = 0) {
        self.columns = columns
        self.separator = separator
        self.minimumPadding = minimumPadding
    }

    /// One line of the table. A row may have fewer cells than there are
    /// columns; cells beyond the last column are laid out as the last column.
    public func row(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            columns[min(i, columns.count - 1)].pad(cell, minimumPadding: minimumPadding)
        }.joined(separator: separator)
    }
}
