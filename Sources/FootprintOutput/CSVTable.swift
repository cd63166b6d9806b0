/// A report as rows of typed cells, ready to be written as CSV.
public struct CSVTable: Equatable, Sendable {
    public let name: String
    public let columns: [String]
    public var rows: [[Cell]]

    public init(name: String, columns: [String], rows: [[Cell]] = []) {
        self.name = name; self.columns = columns; self.rows = rows
    }

    /// A cell keeps its type so that numbers are written as numbers (negative ones too)
    /// and only text is ever neutralised.
    public enum Cell: Equatable, Sendable {
        case text(String)
        case integer(Int64)
        /// A decimal written with at most `places` decimals, trailing zeros dropped.
        case decimal(Double, places: Int)
        /// Not applicable: an empty cell, never `nan` or `null`.
        case empty
    }
}
