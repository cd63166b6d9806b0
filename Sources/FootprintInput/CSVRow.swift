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
    private let bytes: [UInt8]
    /// Where each field ends in `bytes`; field i starts where field i - 1 ends.
    private let ends: [UInt32]

    init(bytes: [UInt8], ends: [UInt32]) {
        self.bytes = bytes
        self.ends = ends
    }

    public init(_ fields: [String]) {
        var bytes: [UInt8] = []
        var ends: [UInt32] = []
        for field in fields {
            bytes.append(contentsOf: field.utf8)
            ends.append(UInt32(bytes.count))
        }
        self.init(bytes: bytes, ends: ends)
    }

    public init(arrayLiteral fields: String...) { self.init(fields) }

    public var count: Int { ends.count }

    /// Field `index` as text.
    public subscript(index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Every field as text.
    public var fields: [String] { (0..<count).map { self[$0] } }

    /// Calls `body` with the bytes of field `index` (valid only inside `body`).
    @inlinable
    public func withField<T>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let range = fieldRange(index)
        return try withBytes { all in try body(UnsafeBufferPointer(rebasing: all[range])) }
    }

    @usableFromInline func fieldRange(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])
    }

    @usableFromInline func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try bytes.withUnsafeBufferPointer(body)
    }
}

extension CSVRow: CustomStringConvertible {
    public var description: String { fields.description }
}

/// Builds a CSVRow field by field (the reader's side).
struct CSVRowBuilder {
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [UInt32] = []

    init(byteCapacity: Int, fieldCapacity: Int) {
        bytes.reserveCapacity(byteCapacity)
        ends.reserveCapacity(fieldCapacity)
    }

    var count: Int { ends.count }

    mutating func append(_ field: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: field)
        ends.append(UInt32(bytes.count))
    }

    mutating func append(_ field: [UInt8]) {
        bytes.append(contentsOf: field)
        ends.append(UInt32(bytes.count))
    }

    mutating func appendEmpty() { ends.append(UInt32(bytes.count)) }

    /// The number (1-based) of the first field that is not valid UTF-8, or nil. All
    /// ASCII, the common case, is one pass eight bytes at a time.
    func firstInvalidUTF8Field() -> Int? {
        let ascii = bytes.withUnsafeBufferPointer { CSVRecordReader.isASCII($0) }
        if ascii { return nil }
        return bytes.withUnsafeBufferPointer { all in
            var start = 0
            for (index, end) in ends.enumerated() {
                let field = UnsafeBufferPointer(rebasing: all[start..<Int(end)])
                if !CSVRecordReader.isASCII(field) && String(validating: field, as: UTF8.self) == nil { return index + 1 }
                start = Int(end)
            }
            return nil
        }
    }

    func build() -> CSVRow { CSVRow(bytes: bytes, ends: ends) }
}
