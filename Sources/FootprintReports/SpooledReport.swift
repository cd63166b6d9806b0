import FootprintOutput
import FootprintWarehouse

/// A report's rows, written as CSV lines to an unnamed temporary file as they are read,
/// and where each period's lines lie in it: IncrementalReports writes the report file
/// and the report cache from there, a period at a time, so that neither the cells nor
/// the text of a whole report is ever held in memory (a report grows with the history:
/// referrers.csv over a long tail of sites, propagation.csv with a row per page).
final class SpooledReport: ReportSink {
    /// One period's lines: `length` bytes from `offset`.
    struct Period {
        let label: String
        let offset: Int
        var length: Int
    }

    /// The header line (CRLF included).
    private(set) var header = ""
    private var name = ""
    /// In the order the rows came: by period, since every report but the whole ones
    /// (IncrementalReports.whole: one period "") orders its rows by period first.
    private(set) var periods: [Period] = []
    private let whole: Bool
    private let file: SpillFile
    private var buffer: [UInt8] = []
    private var written = 0
    private static let bufferSize = 1 << 16

    init(whole: Bool) throws {
        self.whole = whole
        file = try SpillFile()
        buffer.reserveCapacity(Self.bufferSize)
    }

    func start(name: String, columns: [String]) {
        self.name = name
        header = CSVEncoder.header(columns)
    }

    func add(_ row: [CSVTable.Cell]) throws {
        let label: String
        if whole {
            label = ""
        } else {
            guard case .text(let period) = row.first else { preconditionFailure("\(name): a row without a period") }
            label = period
        }
        if periods.last?.label != label { periods.append(Period(label: label, offset: written + buffer.count, length: 0)) }
        var line = CSVEncoder.line(row)
        let count = line.withUTF8 { bytes in
            buffer.append(contentsOf: bytes)
            return bytes.count
        }
        periods[periods.count - 1].length += count
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Makes everything added readable from the file.
    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try file.write($0) }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// A period's lines as text (for the report cache: one period at a time).
    func text(of period: Period) throws -> String {
        try flush()
        guard period.length > 0 else { return "" }
        let bytes = try [UInt8](unsafeUninitializedCapacity: period.length) { storage, count in
            try file.read(into: UnsafeMutableRawBufferPointer(storage), at: period.offset)
            count = period.length
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Copies a period's lines into `out`, a piece at a time.
    func copy(_ period: Period, to out: OutputFile) throws {
        try flush()
        var piece = [UInt8](repeating: 0, count: Self.bufferSize)
        var offset = period.offset
        let end = period.offset + period.length
        while offset < end {
            let count = min(piece.count, end - offset)
            try piece.withUnsafeMutableBytes { storage in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]), at: offset)
            }
            try piece.withUnsafeBufferPointer { try out.write(UnsafeBufferPointer(rebasing: $0[0..<count])) }
            offset += count
        }
    }
}
