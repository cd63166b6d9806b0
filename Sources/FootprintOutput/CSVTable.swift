/// A report as rows of typed cells, ready to be written as CSV.
public struct CSVTable: Equatable, Sendable {
    public let name: String
    public let columns: [String]
    public var rows: [[Cell]]
    /// The rows already written as CSV lines, for a report too large to hold as cells
    /// (propagation.csv has a row per page: 200,000 pages took 170 MB as cells, 35 MB
    /// as text). Then `rows` is empty; the encoder writes these lines after the header.
    public var encodedRows: String?

    public init(name: String, columns: [String], rows: [[Cell]] = [], encodedRows: String? = nil) {
        self.name = name; self.columns = columns; self.rows = rows; self.encodedRows = encodedRows
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
