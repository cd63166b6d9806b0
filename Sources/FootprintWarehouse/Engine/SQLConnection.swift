/// What the layers above the warehouse (reports) need of a database connection, on
/// every engine: run a statement, read a query's rows, insert rows into a table. SQL
/// given here must mean the same on SQLite and PostgreSQL (README, "How it is built",
/// lists the rules); named parameters (`:first`) work on both.
public protocol SQLConnection: AnyObject {
    var engine: SQLEngine { get }
    func execute(_ sql: String, _ arguments: [String: SQLValue]) throws
    /// Runs one statement and returns the number of rows it inserted, updated or deleted.
    @discardableResult
    func changes(_ sql: String, _ arguments: [String: SQLValue]) throws -> Int
    /// Calls `body` with each row of the query, in order, without holding all rows.
    func forEachRow(_ sql: String, _ arguments: [String: SQLValue], _ body: (SQLRow) throws -> Void) throws
    /// Inserts rows into a table (the reports' temporary tables): a prepared statement
    /// on SQLite, COPY on PostgreSQL.
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) throws
}

public extension SQLConnection {
    func execute(_ sql: String) throws { try execute(sql, [:]) }

    @discardableResult
    func changes(_ sql: String) throws -> Int { try changes(sql, [:]) }

    /// The first column of the first row (nil when there is no row or it is NULL).
    func value(_ sql: String, _ arguments: [String: SQLValue] = [:]) throws -> SQLValue {
        var first = SQLValue.null
        var seen = false
        try forEachRow(sql, arguments) { row in
            if !seen { first = row.value(0); seen = true }
        }
        return first
    }
}

public enum SQLEngine: String, Sendable {
    case sqlite, postgresql
}

/// A value as SQL gives it back, whatever the engine.
public enum SQLValue: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(integerLiteral value: Int) { self = .integer(Int64(value)) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(_ value: Int) { self = .integer(Int64(value)) }
    public init(_ value: Int64) { self = .integer(value) }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }

    public var int64: Int64? {
        switch self {
        case .integer(let number): return number
        case .real(let number): return Int64(exactly: number.rounded())
        case .text(let text): return Int64(text)
        case .null: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .integer(let number): return Double(number)
        case .real(let number): return number
        case .text(let text): return Double(text)
        case .null: return nil
        }
    }

    public var text: String? {
        switch self {
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .null: return nil
        }
    }
}

/// One row of a query, valid only inside the `forEachRow` call that gave it.
public protocol SQLRow {
    var count: Int { get }
    func value(_ column: Int) -> SQLValue
}

public extension SQLRow {
    func int64(_ column: Int) -> Int64 { value(column).int64 ?? 0 }
    func double(_ column: Int) -> Double? { value(column).double }
    func text(_ column: Int) -> String { value(column).text ?? "" }
}

/// A warehouse reports can be computed from: two connections that see the same data,
/// so that reports can run on both cores at once.
public protocol ReportDatabase: AnyObject {
    var engine: SQLEngine { get }
    /// Runs `body` on the main connection in a transaction in which temporary tables
    /// may be created; nothing of the star schema is changed.
    func withReportConnection<T>(_ body: (SQLConnection) throws -> T) throws -> T
    /// Runs `body` in a read-only transaction on a second connection (another thread
    /// may use the main one meanwhile).
    func withSecondReportConnection<T>(_ body: (SQLConnection) throws -> T) throws -> T
}
