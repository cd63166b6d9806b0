import FootprintConfig
import GRDB
import GRDBSQLite

/// SQLConnection over an open SQLite connection (GRDB's, borrowed for one block).
final class SQLiteConnection: SQLConnection {
    let engine = SQLEngine.sqlite
    private let connection: OpaquePointer

    init(_ connection: OpaquePointer) { self.connection = connection }

    convenience init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw WarehouseError.unusable(path: db.description, reason: "closed") }
        self.init(connection)
    }

    func execute(_ sql: String, _ arguments: [String: SQLValue]) throws {
        if arguments.isEmpty {
            // Several statements may come in one text (a table and its index).
            var message: UnsafeMutablePointer<CChar>?
            let status = sqlite3_exec(connection, sql, nil, nil, &message)
            defer { sqlite3_free(message) }
            guard status == SQLITE_OK else {
                throw WarehouseError.sqlite(code: status, message: message.map { String(cString: $0) } ?? "error \(status)", sql: sql)
            }
            return
        }
        try forEachRow(sql, arguments) { _ in }
    }

    func forEachRow(_ sql: String, _ arguments: [String: SQLValue], _ body: (SQLRow) throws -> Void) throws {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        for (name, value) in arguments {
            let index = sqlite3_bind_parameter_index(statement, ":" + name)
            guard index > 0 else { continue }
            bind(statement, index, value)
        }
        let row = Row(statement: statement)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw error(sql) }
            try body(row)
        }
    }

    func changes(_ sql: String, _ arguments: [String: SQLValue]) throws -> Int {
        try forEachRow(sql, arguments) { _ in }
        return Int(sqlite3_changes(connection))
    }

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let statement = try prepare("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(marks))")
        defer { sqlite3_finalize(statement) }
        for row in rows {
            for (index, value) in row.enumerated() { bind(statement, Int32(index + 1), value) }
            guard sqlite3_step(statement) == SQLITE_DONE else { throw error("INSERT INTO \(table)") }
            sqlite3_reset(statement)
        }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw error(sql) }
        return statement
    }

    private func bind(_ statement: OpaquePointer, _ index: Int32, _ value: SQLValue) {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .real(let number): sqlite3_bind_double(statement, index, number)
        case .text(let text):
            sqlite3_bind_text(statement, index, text, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))  // SQLITE_TRANSIENT
        }
    }

    private func error(_ sql: String) -> WarehouseError {
        .sqlite(code: sqlite3_errcode(connection), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }

    private struct Row: SQLRow {
        let statement: OpaquePointer
        var count: Int { Int(sqlite3_column_count(statement)) }

        func value(_ column: Int) -> SQLValue {
            let index = Int32(column)
            switch sqlite3_column_type(statement, index) {
            case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
            case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
            case SQLITE_NULL: return .null
            default:
                guard let text = sqlite3_column_text(statement, index) else { return .null }
                return .text(String(cString: text))
            }
        }
    }
}

extension Warehouse: WarehouseEngine {
    public var engine: SQLEngine { .sqlite }
    public var location: String { path }

    public func reading<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        try read { db in try body(SQLiteConnection(db)) }
    }

    public func writing<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        try write { db in try body(SQLiteConnection(db)) }
    }

    public func withFileLoader<T>(config: FootprintConfig, _ body: (FileLoader) throws -> T) throws -> T {
        try withLoadSession(config: config) { try body($0) }
    }

    /// secure_delete overwrites deleted pages; the checkpoint afterwards empties the WAL,
    /// which still held them.
    public func erasing(_ body: (SQLConnection) throws -> Void) throws {
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
            try db.inTransaction {
                try body(SQLiteConnection(db))
                return .commit
            }
        }
        try checkpointErasure()
    }

    /// A write transaction (for the temporary tables), with the small sorting cache.
    public func withReportConnection<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        try write { db in try Warehouse.withSortingCache(db) { try body(SQLiteConnection(db)) } }
    }

    public func withSecondReportConnection<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        try readOnSecondConnection { db in try Warehouse.withSortingCache(db) { try body(SQLiteConnection(db)) } }
    }
}
