/// Encodes tables as RFC 4180 CSV for spreadsheets (CONTRACT.md section 3): CRLF line
/// ends, fields quoted when they hold a comma, quote or line break, `.` as the decimal
/// separator whatever the locale, and text cells that a spreadsheet would evaluate as a
/// formula (leading `=`, `+`, `-`, `@`, tab or CR) prefixed with a single quote.
public enum CSVEncoder {
    public static func encode(_ table: CSVTable, byteOrderMark: Bool = false) -> String {
        var out = byteOrderMark ? "\u{FEFF}" : ""
        out += header(table.columns)
        for row in table.rows {
            out += line(row)
        }
        return out
    }

    /// The first line: the column names.
    public static func header(_ columns: [String]) -> String {
        columns.map(quoted).joined(separator: ",") + "\r\n"
    }

    /// One row as a line, CRLF included.
    public static func line(_ row: [CSVTable.Cell]) -> String {
        row.map(field).joined(separator: ",") + "\r\n"
    }

    public static func field(_ cell: CSVTable.Cell) -> String {
        switch cell {
        case .empty: return ""
        case .integer(let value): return String(value)
        case .decimal(let value, let places): return decimal(value, places: places)
        case .text(let text): return quoted(neutralised(text))
        }
    }

    /// OWASP's advice for CSV injection: a leading single quote makes the cell text.
    public static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first else { return text }
        switch first {
        case "=", "+", "-", "@", "\t", "\r": return "'" + text
        default: return text
        }
    }

    static func quoted(_ text: String) -> String {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    /// Fixed-point formatting without Foundation's locale: 0.25, 1, -0.1234, 1800.5.
    public static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "" }
        var scale: Double = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return String(value) }
        let units = Int64(scaled)
        let scaleInt = Int64(scale)
        let whole = units / scaleInt
        var fraction = units % scaleInt
        var digits = places
        while digits > 0 && fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let sign = value < 0 && units != 0 ? "-" : ""
        if digits == 0 { return sign + String(whole) }
        var fractionText = String(fraction)
        while fractionText.count < digits { fractionText = "0" + fractionText }
        return sign + String(whole) + "." + fractionText
    }
}
