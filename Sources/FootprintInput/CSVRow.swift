#if canImport(Glibc)
import Glibc
#endif

/// One CSV row's fields as the bytes they were read as (quotes undone), all in one
/// buffer, instead of a String per field.
///
/// Why: making a String per field (allocating, copying, checking) and freeing it again
/// was about a fifth of the staging thread's instructions (callgrind, 100k page views),
/// yet most fields are only looked up in a cache (user agent, URL, referrer, visitor,
/// country) or parsed (timestamp). Those read the bytes (`withField`); a String is made
/// only when one is needed (`self[i]`). The reader has already checked the bytes are
/// UTF-8 (a row that is not is a reject), so a String made from them is exact.
public struct CSVRow: Equatable, Sendable, ExpressibleByArrayLiteral {
    @usableFromInline let bytes: [UInt8]
    /// Field i is `bytes[bounds[2 * i] ..< bounds[2 * i + 1]]`.
    @usableFromInline let bounds: [UInt32]

    init(bytes: [UInt8], bounds: [UInt32]) {
        self.bytes = bytes
        self.bounds = bounds
    }

    public init(_ fields: [String]) {
        var bytes: [UInt8] = []
        var bounds: [UInt32] = []
        for field in fields {
            bounds.append(UInt32(bytes.count))
            bytes.append(contentsOf: field.utf8)
            bounds.append(UInt32(bytes.count))
        }
        self.init(bytes: bytes, bounds: bounds)
    }

    public init(arrayLiteral fields: String...) { self.init(fields) }

    public var count: Int { bounds.count / 2 }

    /// Field `index` as text.
    public subscript(index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Every field as text.
    public var fields: [String] { (0..<count).map { self[$0] } }

    /// Calls `body` with the bytes of field `index` (valid only inside `body`).
    @inlinable
    public func withField<T>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let start = Int(bounds[2 * index]), end = Int(bounds[2 * index + 1])
        return try bytes.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(start: all.baseAddress.map { $0 + start }, count: end - start))
        }
    }

    public static func == (a: CSVRow, b: CSVRow) -> Bool { a.fields == b.fields }
}

extension CSVRow: CustomStringConvertible {
    public var description: String { fields.description }
}

/// Builds a CSVRow while the reader parses a row in place: the row's bytes are copied
/// once, whole, when it ends, and fields are kept as ranges into them, so a field costs
/// two integers rather than a copy of its own. A field whose text differs from its bytes
/// in the file (doubled quotes undone, text after a closing quote) is copied to a side
/// buffer that goes after the row's bytes.
struct CSVRowBuilder {
    private let base: UnsafePointer<UInt8>
    private let rowStart: Int
    /// Pairs of offsets from `rowStart`, or into `extra` when flagged with `inExtra`.
    private var bounds: [UInt32] = []
    private var extra: [UInt8] = []
    /// One past the furthest field byte of the row, from `rowStart`.
    private var rowLength = 0
    private static let inExtra: UInt32 = 1 << 31

    /// `base` holds the row from `rowStart` on and must stay valid until `build`.
    init(base: UnsafePointer<UInt8>, rowStart: Int, fieldCapacity: Int) {
        self.base = base
        self.rowStart = rowStart
        bounds.reserveCapacity(2 * fieldCapacity)
    }

    var count: Int { bounds.count / 2 }

    /// A field that is `base[start..<end]` as it stands.
    mutating func append(from start: Int, to end: Int) {
        bounds.append(UInt32(start - rowStart))
        bounds.append(UInt32(end - rowStart))
        rowLength = max(rowLength, end - rowStart)
    }

    /// A field whose text had to be rebuilt (see the type).
    mutating func append(rebuilt field: [UInt8]) {
        bounds.append(UInt32(extra.count) | Self.inExtra)
        extra.append(contentsOf: field)
        bounds.append(UInt32(extra.count) | Self.inExtra)
    }

    mutating func appendEmpty() {
        bounds.append(0)
        bounds.append(0)
    }

    func build() -> CSVRow {
        let total = rowLength + extra.count
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            if let target = buffer.baseAddress {
                target.initialize(from: base + rowStart, count: rowLength)
                extra.withUnsafeBufferPointer { side in
                    if let source = side.baseAddress { (target + rowLength).initialize(from: source, count: side.count) }
                }
            }
            initialized = total
        }
        var fixed = bounds
        if !extra.isEmpty {
            for index in fixed.indices where fixed[index] & Self.inExtra != 0 {
                fixed[index] = (fixed[index] & ~Self.inExtra) + UInt32(rowLength)
            }
        }
        return CSVRow(bytes: bytes, bounds: fixed)
    }

    /// The number (1-based) of the first field that is not valid UTF-8, or nil. All
    /// ASCII, the common case, is one pass over the row eight bytes at a time.
    func firstInvalidUTF8Field() -> Int? {
        if CSVRecordReader.isASCII(UnsafeBufferPointer(start: base + rowStart, count: rowLength))
            && extra.withUnsafeBufferPointer(CSVRecordReader.isASCII) { return nil }
        let row = build()
        for index in 0..<row.count {
            let valid = row.withField(index) { CSVRecordReader.isASCII($0) || String(validating: $0, as: UTF8.self) != nil }
            if !valid { return index + 1 }
        }
        return nil
    }
}
