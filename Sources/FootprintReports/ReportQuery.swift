import FootprintOutput
import FootprintWarehouse

/// How a result column becomes a CSV cell.
enum ColumnFormat {
    case text
    case integer
    /// A fraction 0–1 (or a ratio) rounded to 4 decimals.
    case share
    case decimal(places: Int)
    /// Epoch seconds written as ISO 8601 UTC (`2024-05-01T09:30:00Z`).
    case instant
}

/// Runs report SQL and hands its rows, as typed cells, to a sink as they are read. NULL
/// becomes an empty cell.
enum ReportQuery {
    static func table(_ db: SQLConnection, name: String, columns: [(String, ColumnFormat)], sql: String,
                      arguments: [String: SQLValue], into sink: ReportSink) throws {
        try sink.start(name: name, columns: columns.map(\.0))
        try db.forEachRow(sql, arguments) { row in
            var cells: [CSVTable.Cell] = []
            cells.reserveCapacity(columns.count)
            for (index, (_, format)) in columns.enumerated() {
                cells.append(cell(row.value(index), format))
            }
            try sink.add(cells)
        }
    }

    static func cell(_ value: SQLValue, _ format: ColumnFormat) -> CSVTable.Cell {
        switch (value, format) {
        case (.null, _): return .empty
        case (.integer(let number), .integer): return .integer(number)
        case (.real(let number), .integer): return .integer(Int64(number.rounded()))
        case (.integer(let number), .share): return .decimal(Double(number), places: 4)
        case (.real(let number), .share): return .decimal(number, places: 4)
        case (.integer(let number), .decimal(let places)): return .decimal(Double(number), places: places)
        case (.real(let number), .decimal(let places)): return .decimal(number, places: places)
        case (.integer(let seconds), .instant): return .text(isoInstant(seconds))
        case (.text(let text), _): return .text(text)
        case (.integer(let number), .text): return .text(String(number))
        case (.real(let number), .text): return .text(String(number))
        default: return .empty
        }
    }

    static func isoInstant(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = Int(seconds - days * 86400)
        let date = CivilDate(daysSinceEpoch: Int(days))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(date.isoString)T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }
}

import FootprintNormalize
