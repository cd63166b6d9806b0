import FootprintNormalize
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#endif

/// A prepared statement driven through the SQLite C API, for the loader's hot path:
/// no argument arrays or row objects per call, just binds and a step.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    /// Text parameters are copied into buffers the statement owns and bound as
    /// SQLITE_STATIC: with SQLITE_TRANSIENT, SQLite allocated and freed a copy of every
    /// text on every row (its allocator takes a lock), which showed in the loader's
    /// profile. A buffer stays valid until it is rebound or the statement goes away,
    /// which is what SQLITE_STATIC asks for.
    private var textBuffers: [UnsafeMutableRawBufferPointer?] = []

    init(connection: OpaquePointer, sql: String) throws {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw WarehouseError.sqlite(code: sqlite3_errcode(connection), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.handle = statement
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
        for buffer in textBuffers { buffer?.deallocate() }
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(handle, index, Int64(value)) }
    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }
    func bind(_ index: Int32, _ value: String?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        var copy = value
        copy.withUTF8 { utf8 in
            let buffer = textBuffer(index, capacity: utf8.count)
            if let source = utf8.baseAddress, let target = buffer.baseAddress {
                target.copyMemory(from: source, byteCount: utf8.count)
            }
            _ = sqlite3_bind_text(handle, index, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(utf8.count),
                                  unsafeBitCast(0, to: sqlite3_destructor_type.self))  // SQLITE_STATIC
        }
    }

    /// The buffer for parameter `index`, at least `capacity` bytes (never empty, so that
    /// an empty text still has an address).
    private func textBuffer(_ index: Int32, capacity: Int) -> UnsafeMutableRawBufferPointer {
        let slot = Int(index)
        if slot >= textBuffers.count { textBuffers += Array(repeating: nil, count: slot + 1 - textBuffers.count) }
        if let buffer = textBuffers[slot], buffer.count >= capacity { return buffer }
        // Growing frees the old buffer while SQLite may still point at it: harmless, as
        // the parameter is rebound to the new one right away, before any step.
        textBuffers[slot]?.deallocate()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(64, capacity.nextPowerOfTwo), alignment: 8)
        textBuffers[slot] = buffer
        return buffer
    }
    func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    func execute() throws -> Int {
        defer { sqlite3_reset(handle) }
        let status = sqlite3_step(handle)
        guard status == SQLITE_DONE || status == SQLITE_ROW else { throw currentError() }
        return Int(sqlite3_changes(connection))
    }

    /// Runs a query and returns the first column of its first row as an integer.
    func queryInt() throws -> Int64? {
        defer { sqlite3_reset(handle) }
        let status = sqlite3_step(handle)
        if status == SQLITE_ROW { return sqlite3_column_int64(handle, 0) }
        guard status == SQLITE_DONE else { throw currentError() }
        return nil
    }

    /// Runs a query and returns the first column of its first row as text.
    func queryText() throws -> String? {
        defer { sqlite3_reset(handle) }
        let status = sqlite3_step(handle)
        if status == SQLITE_ROW {
            guard let text = sqlite3_column_text(handle, 0) else { return nil }
            return String(cString: text)
        }
        guard status == SQLITE_DONE else { throw currentError() }
        return nil
    }

    /// Steps a query: true while it has a row. Call `reset()` when done.
    func step() throws -> Bool {
        let status = sqlite3_step(handle)
        if status == SQLITE_ROW { return true }
        guard status == SQLITE_DONE else { throw currentError() }
        return false
    }

    func reset() { sqlite3_reset(handle) }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func double(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(handle, column) }

    /// The column's text ("" when NULL).
    func text(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: text)
    }

    /// SessionInput's reference for the column's text (0 when it is NULL).
    func textHash(_ column: Int32) -> UInt64 {
        guard let text = sqlite3_column_text(handle, column) else { return 0 }
        return SessionInput.reference(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))))
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    private func currentError() -> WarehouseError {
        .sqlite(code: sqlite3_errcode(connection), message: String(cString: sqlite3_errmsg(connection)), sql: String(cString: sqlite3_sql(handle)))
    }
}

public enum WarehouseError: Error, CustomStringConvertible {
    case sqlite(code: Int32, message: String, sql: String)
    case unusable(path: String, reason: String)

    public var description: String {
        switch self {
        case .sqlite(_, let message, let sql): return "database error: \(message) (in: \(sql.prefix(120)))"
        case .unusable(let path, let reason): return "\(path): \(reason)"
        }
    }
}

private extension Int {
    var nextPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
