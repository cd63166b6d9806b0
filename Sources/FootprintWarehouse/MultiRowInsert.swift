/// Appends rows with one `INSERT … VALUES (…), (…), …` per `rowsPerStatement` rows.
///
/// Each execution of an SQLite statement opens its table cursors and starts over;
/// for narrow rows that per-execution cost is most of an insert. Measured on 1,015,392
/// rows of seven integers: 1.22 s one row per statement, 0.77 s 64 rows per statement
/// (SQLite's own INSERT … SELECT: 0.5 s). Used for sessions, visitor days and persons.
/// For rows that cannot conflict (the caller knows they are new), or whose conflicts
/// are to be ignored (`.ignore`): with many rows per statement there is no telling
/// which row an error or an ignored conflict was.
///
/// The statements are `INSERT OR FAIL` by default. A plain INSERT of several rows may have to undo
/// its own earlier rows when a later one breaks a constraint (ABORT), so SQLite keeps a
/// statement journal of every page it touches, in a temporary file: for the sessions and
/// visitor days of scripts/bench that was 1 GB of writes (strace). FAIL stops at the bad
/// row without undoing, needs no journal, and a failure still rolls back the whole load.
final class MultiRowInsert {
    /// Trivial values, so that clearing the queue after each statement frees nothing:
    /// with the text itself in the enum, sessions and visitor days (1.9 million rows of
    /// integers for scripts/bench) paid to destroy every value (callgrind: +60 M
    /// instructions on 100,000 page views). Texts wait in `pendingTexts`.
    enum Value {
        case integer(Int64)
        case real(Double)
        case text(index: Int)
        case null
    }

    /// What a row that breaks a constraint does: stops the statement (`fail`), or is
    /// left out (`ignore`, for rows that may already be there, such as persons).
    enum OnConflict: String {
        case fail = "OR FAIL", ignore = "OR IGNORE"
    }

    private let prefix: String
    private let columns: Int
    private let rowsPerStatement: Int
    private let connection: OpaquePointer
    private var full: SQLiteStatement?
    private var pending: [Value] = []
    private var pendingTexts: [String] = []

    init(connection: OpaquePointer, table: String, columns: [String], onConflict: OnConflict = .fail,
         rowsPerStatement: Int = 64) {
        self.connection = connection
        self.prefix = "INSERT \(onConflict.rawValue) INTO \(table) (\(columns.joined(separator: ", ")))"
        self.columns = columns.count
        self.rowsPerStatement = rowsPerStatement
        pending.reserveCapacity(self.columns * rowsPerStatement)
    }

    func append(_ value: Int64) { pending.append(.integer(value)) }
    func append(_ value: Double?) { pending.append(value.map(Value.real) ?? .null) }
    func append(_ value: String) {
        pending.append(.text(index: pendingTexts.count))
        pendingTexts.append(value)
    }

    /// Drops the rows queued and not written (their transaction was rolled back).
    func discard() {
        pending.removeAll(keepingCapacity: true)
        pendingTexts.removeAll(keepingCapacity: true)
    }

    /// Ends the current row (all its columns appended); writes when a statement's worth is queued.
    func endRow() throws {
        precondition(pending.count % columns == 0, "a row needs exactly \(columns) values")
        if pending.count == columns * rowsPerStatement {
            if full == nil { full = try statement(rows: rowsPerStatement) }
            try execute(full!)
        }
    }

    /// Writes the rows still queued.
    func flush() throws {
        guard !pending.isEmpty else { return }
        try execute(try statement(rows: pending.count / columns))
    }

    private func statement(rows: Int) throws -> SQLiteStatement {
        try SQLiteStatement(connection: connection, sql: prefix + Self.values(rows: rows, columns: columns))
    }

    /// " VALUES (?, ?), (?, ?), …": `rows` rows of `columns` parameters, for every
    /// statement that inserts several rows at once (also the bulk load's page views).
    static func values(rows: Int, columns: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return " VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    private func execute(_ statement: SQLiteStatement) throws {
        for (offset, value) in pending.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .integer(let number): statement.bind(index, number)
            case .real(let number): statement.bind(index, number)
            case .text(let text): statement.bind(index, pendingTexts[text])
            case .null: statement.bindNull(index)
            }
        }
        discard()
        try statement.execute()
    }
}
