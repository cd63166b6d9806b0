import FootprintOutput

/// Where a report's rows go as they are read: kept as a table (the quarterly review,
/// tests: `TableSink`) or written out as CSV lines at once (the report files:
/// `SpooledReport`), so that a report of millions of rows is never held whole in
/// memory (issue #18: peak memory bounded whatever the input).
protocol ReportSink: AnyObject {
    /// The report's name and columns, before its first row.
    func start(name: String, columns: [String]) throws
    func add(_ row: [CSVTable.Cell]) throws
}

/// Keeps every row: for callers that read the cells (the review picks figures out of a
/// few small reports).
final class TableSink: ReportSink {
    private(set) var table = CSVTable(name: "", columns: [])

    func start(name: String, columns: [String]) {
        table = CSVTable(name: name, columns: columns)
    }

    func add(_ row: [CSVTable.Cell]) {
        table.rows.append(row)
    }
}
